import type { Metadata } from 'next';
import { BackupEditor } from '@/components/backup/backup-editor';
import { PageHeader } from '@/components/ui/card';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { loadBackupEditor } from '@/lib/inventory/backup-editor';
import { toEditorProps } from '@/lib/inventory/backup-editor-props';
import { saveCloudConfigAction } from './actions';

export const metadata: Metadata = { title: 'Configuration' };
export const dynamic = 'force-dynamic';

export default async function ConfigurationPage() {
  const result = await attempt(() => loadBackupEditor({ level: 'cloud' }));
  if (!result.ok) return <LoadError message={result.error} code={result.code} />;
  const view = result.data;
  return (
    <>
      <PageHeader
        title="Cloud-wide backup configuration"
        subtitle={<span className="font-mono text-xs">{view.dn}</span>}
      />
      <BackupEditor {...toEditorProps(view)} save={saveCloudConfigAction} />
    </>
  );
}
