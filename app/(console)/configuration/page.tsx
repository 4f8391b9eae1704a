import type { Metadata } from 'next';
import { KindCard } from '@/components/backup/kind-card';
import { PageHeader } from '@/components/ui/card';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { KIND_LABEL, KIND_RULES } from '@/lib/backup/installation';
import { loadInstallation } from '@/lib/inventory/installation';
import { BackupTargetPage } from '@/app/(console)/_backup/backup-target-page';

export const metadata: Metadata = { title: 'Configuration' };
export const dynamic = 'force-dynamic';

export default async function ConfigurationPage() {
  const installation = await attempt(loadInstallation);
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
              ? {
                  node: n.node,
                  read: true as const,
                  timeZone: n.timeZone,
                  timeZoneRaw: n.timeZoneRaw?.raw ?? null,
                  wrapperLines: n.wrapperLines.map((l) => `${l.line} (${l.source})`),
                }
              : n,
          )}
          nodesConfigured={kind.nodesConfigured}
          checkedAt={kind.checkedAt.toISOString().slice(0, 16).replace('T', ' ')}
        />
      </div>
      <BackupTargetPage target={{ level: 'cloud' }} />
    </>
  );
}
