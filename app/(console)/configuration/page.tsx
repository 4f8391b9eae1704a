import type { Metadata } from 'next';
import { BackupEditor } from '@/components/backup/backup-editor';
import { KindCard } from '@/components/backup/kind-card';
import { PageHeader } from '@/components/ui/card';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { KIND_LABEL, KIND_RULES } from '@/lib/backup/installation';
import { loadBackupEditor } from '@/lib/inventory/backup-editor';
import { toEditorProps } from '@/lib/inventory/backup-editor-props';
import { loadInstallation } from '@/lib/inventory/installation';
import { refreshInstallationAction, saveCloudConfigAction } from './actions';

export const metadata: Metadata = { title: 'Configuration' };
export const dynamic = 'force-dynamic';

export default async function ConfigurationPage() {
  const installation = await attempt(loadInstallation);
  const result = await attempt(() => loadBackupEditor({ level: 'cloud' }));
  if (!installation.ok) return <LoadError message={installation.error} code={installation.code} />;
  const kind = installation.data;
  return (
    <>
      <PageHeader title="Configuration" subtitle="The kind of installation, and the cloud-wide backup configuration" />
      <div className="mb-6">
        <KindCard
          kindLabel={KIND_LABEL[kind.kind]}
          setting={kind.setting}
          by={kind.by}
          reason={kind.reason}
          evidence={kind.evidence.map((e) => ({ ...e, kindLabel: KIND_LABEL[e.kind] }))}
          conflicts={kind.conflicts}
          rules={KIND_RULES[kind.kind]}
          nodes={kind.nodes.map((n) =>
            n.read
              ? { node: n.node, read: true as const, timeZone: n.timeZone, timeZoneRaw: n.timeZoneRaw?.raw ?? null, wrapperLines: n.wrapperLines.map((l) => `${l.line} (${l.source})`) }
              : n,
          )}
          nodesConfigured={kind.nodesConfigured}
          checkedAt={kind.checkedAt.toISOString().slice(0, 16).replace('T', ' ')}
          refresh={refreshInstallationAction}
        />
      </div>
      {!result.ok ? (
        <LoadError message={result.error} code={result.code} />
      ) : (
        <>
          <h2 className="mb-1 text-lg font-semibold">Cloud-wide backup configuration</h2>
          <p className="mb-4 font-mono text-xs text-muted">{result.data.dn}</p>
          <BackupEditor {...toEditorProps(result.data)} save={saveCloudConfigAction} />
        </>
      )}
    </>
  );
}
