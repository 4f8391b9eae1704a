import { PageLoading } from '@/components/ui/page-loading';

export default function Loading() {
  return <PageLoading title="Configuration" reading="Reading the kind of installation and the cloud-wide configuration…" />;
}
