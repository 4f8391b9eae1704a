import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { BackupEditor } from '@/components/backup/backup-editor';
import { PageHeader } from '@/components/ui/card';
import { TextLink } from '@/components/ui/link';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { loadBackupEditor } from '@/lib/inventory/backup-editor';
import { toEditorProps } from '@/lib/inventory/backup-editor-props';
import { excludePoolOverridersAction, removePoolOverrideAction, savePoolConfigAction, setPoolExcludedAction } from './actions';

export const metadata: Metadata = { title: 'Pool backup configuration' };
export const dynamic = 'force-dynamic';

export default async function PoolBackupPage({ params }: { params: Promise<{ uuid: string }> }) {
  const { uuid } = await params;
  const result = await attempt(() => loadBackupEditor({ level: 'pool', uuid }));
  if (!result.ok) {
    if (result.code === 'not-found') notFound();
    return <LoadError message={result.error} code={result.code} />;
  }
  const view = result.data;
  return (
    <>
      <PageHeader
        title={`Backup configuration of ${view.name}`}
        subtitle={
          <>
            <TextLink href="/pools">Pools</TextLink> / <TextLink href={`/pools/${uuid}`}>{view.name}</TextLink> / backup configuration
          </>
        }
      />
      <BackupEditor
        {...toEditorProps(view)}
        save={savePoolConfigAction}
        remove={removePoolOverrideAction}
        setExcluded={setPoolExcludedAction}
        excludeOverriders={excludePoolOverridersAction}
      />
    </>
  );
}
