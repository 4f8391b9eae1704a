import { notFound } from 'next/navigation';
import { BackupEditor } from '@/components/backup/backup-editor';
import { Notice, PageHeader } from '@/components/ui/card';
import { TextLink } from '@/components/ui/link';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { CLONE_CONFIG_REFUSAL } from '@/lib/backup/clones';
import { loadBackupEditor } from '@/lib/inventory/backup-editor';
import { toEditorProps } from '@/lib/inventory/backup-editor-props';
import type { BackupTarget } from '@/lib/ldap/backup-config';

const LIST = { pool: { href: '/pools', label: 'Pools' }, machine: { href: '/machines', label: 'Machines' } } as const;

/**
 * The backup configuration of one level, the same page for the cloud, a pool and a machine: the
 * pool's and the machine's under their own route with the way back to them, the cloud's as the
 * lower part of the Configuration page.
 */
export async function BackupTargetPage({ target }: { target: BackupTarget }) {
  const result = await attempt(() => loadBackupEditor(target));
  if (!result.ok) {
    if (result.code === 'not-found' && target.level !== 'cloud') notFound();
    return <LoadError message={result.error} code={result.code} />;
  }
  const view = result.data;
  if (target.level === 'cloud') {
    return (
      <>
        <h2 className="mb-1 text-lg font-semibold">Cloud-wide backup configuration</h2>
        <p className="mb-4 font-mono text-xs text-muted">{view.dn}</p>
        <BackupEditor {...toEditorProps(view)} />
      </>
    );
  }
  const list = LIST[target.level];
  return (
    <>
      <PageHeader
        title={`Backup configuration of ${view.name}`}
        subtitle={
          <>
            <TextLink href={list.href}>{list.label}</TextLink> / <TextLink href={`${list.href}/${target.uuid}`}>{view.name}</TextLink> /
            backup configuration
          </>
        }
      />
      {view.clone ? (
        <Notice tone="info" title="A dynamic clone">
          <p data-testid="clone-note">{CLONE_CONFIG_REFUSAL}</p>
        </Notice>
      ) : (
        <BackupEditor {...toEditorProps(view)} />
      )}
    </>
  );
}
