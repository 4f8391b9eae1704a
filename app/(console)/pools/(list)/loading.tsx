import { PageLoading } from '@/components/ui/page-loading';

export default function Loading() {
  return <PageLoading title="VM pools" reading="Reading every pool and its machines from the directory…" />;
}
