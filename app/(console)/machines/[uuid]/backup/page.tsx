import type { Metadata } from 'next';
import { BackupTargetPage } from '@/app/(console)/_backup/backup-target-page';

export const metadata: Metadata = { title: 'Machine backup configuration' };
export const dynamic = 'force-dynamic';

export default async function MachineBackupPage({ params }: { params: Promise<{ uuid: string }> }) {
  const { uuid } = await params;
  return <BackupTargetPage target={{ level: 'machine', uuid }} />;
}
