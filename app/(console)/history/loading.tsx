import { PageLoading } from '@/components/ui/page-loading';

// /history is never "not found" (an unknown filter is ignored), so a loading boundary is safe here.
export default function Loading() {
  return <PageLoading title="Backup history" reading="Reading every machine's last nights from the directory…" />;
}
