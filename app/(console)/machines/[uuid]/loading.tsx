import { PageLoading } from '@/components/ui/page-loading';

export default function Loading() {
  return <PageLoading title="Machine" reading="Reading the machine, its backups and its node…" />;
}
