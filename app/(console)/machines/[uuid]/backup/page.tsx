import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { BackupEditor } from '@/components/backup/backup-editor';
import { Notice, PageHeader } from '@/components/ui/card';
import { CLONE_CONFIG_REFUSAL } from '@/lib/backup/clones';
import { TextLink } from '@/components/ui/link';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { loadBackupEditor } from '@/lib/inventory/backup-editor';
import { toEditorProps } from '@/lib/inventory/backup-editor-props';
import { removeMachineOverrideAction, saveMachineConfigAction, setMachineExcludedAction } from './actions';

export const metadata: Metadata = { title: 'Machine backup configuration' };
export const dynamic = 'force-dynamic';

export default async function MachineBackupPage({ params }: { params: Promise<{ uuid: string }> }) {
  const { uuid } = await params;
  const result = await attempt(() => loadBackupEditor({ level: 'machine', uuid }));
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
            <TextLink href="/machines">Machines</TextLink> / <TextLink href={`/machines/${uuid}`}>{view.name}</TextLink> / backup configuration
          </>
        }
      />
      {view.clone ? (
        <Notice tone="info" title="A dynamic clone">
          <p data-testid="clone-note">{CLONE_CONFIG_REFUSAL}</p>
        </Notice>
      ) : (
        <BackupEditor {...toEditorProps(view)} save={saveMachineConfigAction} remove={removeMachineOverrideAction} setExcluded={setMachineExcludedAction} />
      )}
    </>
  );
}
