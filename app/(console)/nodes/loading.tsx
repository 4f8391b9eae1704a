import { PageLoading } from '@/components/ui/page-loading';

export default function Loading() {
  return <PageLoading title="Nodes" reading="Asking every node how it is…" />;
}
