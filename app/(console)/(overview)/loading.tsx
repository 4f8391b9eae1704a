import { PageLoading } from '@/components/ui/page-loading';

export default function Loading() {
  return <PageLoading title="Overview" reading="Reading every machine and its backups from the directory…" />;
}
