import { PageLoading } from '@/components/ui/page-loading';

export default function Loading() {
  return <PageLoading title="Audit trail" reading="Reading the audit trail from the directory…" />;
}
