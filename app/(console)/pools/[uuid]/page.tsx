import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ConfigSummary } from '@/components/backup/config-summary';
import { ExcludeToggle } from '@/components/backup/exclude-toggle';
import { StatusCounts } from '@/components/machines/status-counts';
import { MachineTable } from '@/components/machines/machine-table';
import { Card, Facts, PageHeader } from '@/components/ui/card';
import { TextLink } from '@/components/ui/link';
import { Pager } from '@/components/ui/pager';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { requireAccess } from '@/lib/auth/access';
import { can } from '@/lib/auth/capabilities';
import { env } from '@/lib/env';
import { configRows, planSummary } from '@/lib/inventory/config-rows';
import { sortByName } from '@/lib/inventory/machine-list';
import { loadPoolView } from '@/lib/inventory/pool';
import { toMachineRow } from '@/lib/inventory/rows';

export const metadata: Metadata = { title: 'Pool' };
export const dynamic = 'force-dynamic';

/** Only one page of a pool's machines is rendered; a pool can hold hundreds. */
const PAGE_SIZE = 50;

export default async function PoolPage({
  params,
  searchParams,
}: {
  params: Promise<{ uuid: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { uuid } = await params;
  const requested = Number((await searchParams).page);
  const result = await attempt(() => loadPoolView(uuid));
  if (!result.ok) {
    if (result.code === 'not-found') notFound();
    return <LoadError message={result.error} code={result.code} />;
  }
  const { pool, effective, machines, counts, overriding, excludedHere } = result.data;
  const plan = planSummary(effective);
  const { grants } = await requireAccess();
  const mayConfigure = can(grants, 'configure', pool.uuid);
  const pages = Math.max(1, Math.ceil(machines.length / PAGE_SIZE));
  const page = Number.isInteger(requested) && requested >= 1 ? Math.min(requested, pages) : 1;
  const rows = sortByName(machines).slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  return (
    <>
      <PageHeader
        title={pool.name}
        subtitle={
          <>
            <TextLink href="/pools">Pools</TextLink> / {pool.type ?? 'pool'} pool · {machines.length} machines
          </>
        }
      />
      <StatusCounts counts={counts} total={machines.length} />
      <div className="mt-6 grid gap-6 lg:grid-cols-[1fr_1.4fr]">
        <Card title="Pool">
          <Facts
            items={[
              { label: 'UUID', value: <span className="font-mono text-xs">{pool.uuid}</span> },
              { label: 'Type', value: pool.type ?? '—' },
              { label: 'Description', value: pool.description ?? '—' },
              { label: 'Nodes', value: pool.nodes.join(', ') || '—' },
              { label: 'Storage pools', value: <span className="font-mono text-xs">{pool.storagePoolUuids.join(', ') || '—'}</span> },
              { label: 'DN', value: <span className="break-all font-mono text-xs">{pool.dn}</span> },
            ]}
          />
        </Card>
        <Card title="Backup configuration for this pool's machines">
          <ConfigSummary
            level={effective.level}
            reason={effective.reason}
            entryDn={effective.entry?.dn ?? null}
            rows={configRows(effective)}
            warnings={plan.warnings}
            planText={plan.text}
          />
          <p className="mt-3 text-muted">
            {machines.length - overriding} of {machines.length} machines follow it; {overriding} {overriding === 1 ? 'has' : 'have'} their own
            configuration.
          </p>
          <div className="mt-4 space-y-3 border-t border-line pt-3">
            <p className="flex flex-wrap gap-4">
              {mayConfigure && <TextLink href={`/pools/${pool.uuid}/backup`}>Edit backup configuration</TextLink>}
              <TextLink href={`/audit?pool=${pool.uuid}`}>Change history</TextLink>
            </p>
            {mayConfigure && <ExcludeToggle target={{ level: 'pool', uuid: pool.uuid }} excluded={excludedHere} />}
          </div>
        </Card>
      </div>
      <div className="mt-6">
        <MachineTable rows={rows.map(toMachineRow)} timeZone={env().consoleTimeZone} emptyText="This pool has no machines." />
        {pages > 1 && <Pager page={page} pages={pages} total={machines.length} size={PAGE_SIZE} href={(p) => `/pools/${pool.uuid}?page=${p}`} />}
      </div>
    </>
  );
}
