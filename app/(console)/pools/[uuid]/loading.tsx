import { PageLoading } from '@/components/ui/page-loading';

export default function Loading() {
  return <PageLoading title="VM pool" reading="Reading the pool and its machines from the directory…" />;
}
