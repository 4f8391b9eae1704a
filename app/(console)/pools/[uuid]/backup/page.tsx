import type { Metadata } from 'next';
import { BackupTargetPage } from '@/app/(console)/_backup/backup-target-page';

export const metadata: Metadata = { title: 'Pool backup configuration' };
export const dynamic = 'force-dynamic';

export default async function PoolBackupPage({ params }: { params: Promise<{ uuid: string }> }) {
  const { uuid } = await params;
  return <BackupTargetPage target={{ level: 'pool', uuid }} />;
}
