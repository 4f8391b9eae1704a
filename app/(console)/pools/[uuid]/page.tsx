import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { ConfigSummary } from '@/components/backup/config-summary';
import { ExcludeToggle } from '@/components/backup/exclude-toggle';
import { HistoryGrid } from '@/components/charts/history-grid';
import { ObjectiveForm } from '@/components/health/objective-form';
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
import { OBJECTIVE_MARGIN_MS, formatObjective } from '@/lib/backup/objective';
import { configRows, planSummary } from '@/lib/inventory/config-rows';
import { compactTotals, gridNights, machineRow, nightsNote } from '@/lib/inventory/history-view';
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
  const { pool, effective, machines, counts, overriding, clones, objective, excludedHere } = result.data;
  const followers = machines.length - overriding - clones;
  const margin = formatObjective(OBJECTIVE_MARGIN_MS);
  const inherited =
    objective.cloudMs === null ? `each machine's plan period plus ${margin}` : `the cloud-wide ${formatObjective(objective.cloudMs)}`;
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
            <TextLink href="/pools">Pools</TextLink> / {pool.type ?? 'pool'} pool · {machines.length}{' '}
            {machines.length === 1 ? 'machine' : 'machines'}
          </>
        }
      />
      <StatusCounts
        counts={counts}
        total={machines.length}
        kind={result.data.kind}
        href={(status) => `/machines?pool=${pool.uuid}&status=${status}`}
        notes={
          clones > 0
            ? { excluded: `not backed up on purpose, ${clones} dynamic ${clones === 1 ? 'clone' : 'clones'} among them` }
            : undefined
        }
      />
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
          <p className="mt-3 text-muted" data-testid="pool-followers">
            {followers} of {machines.length} {machines.length === 1 ? 'machine follows' : 'machines follow'} it; {overriding}{' '}
            {overriding === 1 ? 'has its' : 'have their'} own configuration
            {clones > 0 && (
              <>
                ; {clones} {clones === 1 ? 'is a dynamic clone' : 'are dynamic clones'}, which fc-brokerd never backs up, so no
                configuration applies to {clones === 1 ? 'it' : 'them'}
              </>
            )}
            .
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
      <Card title="Recovery point objective" className="mt-6">
        <ObjectiveForm
          id="pool-objective"
          uuid={pool.uuid}
          currentHours={objective.poolMs === null ? null : objective.poolMs / 3_600_000}
          effectiveText={
            objective.poolMs === null
              ? `Not set for this pool: its machines count as stale when their last good backup is older than ${inherited}.`
              : `This pool's machines count as stale when their last good backup is older than ${formatObjective(objective.poolMs)}.`
          }
          defaultText={inherited}
          editable={mayConfigure}
        />
      </Card>
      <Card
        className="mt-6"
        title={`The last ${result.data.nights.length} nights`}
        actions={<TextLink href={`/history?pool=${pool.uuid}`}>All of this pool&rsquo;s machines</TextLink>}
      >
        <p className="mb-2 text-muted">{nightsNote(result.data.kind, env().nodeTimeZone)}</p>
        <HistoryGrid
          id="pool-machine-nights"
          title={`${pool.name}, night by night`}
          nights={gridNights(result.data.nights)}
          rows={rows.map(machineRow)}
          totals={compactTotals(result.data.nightTotals)}
          totalsLabel="All machines of the pool"
        />
        {pages > 1 && (
          <p className="mt-2 text-xs text-muted">
            The grid shows the machines of the table&rsquo;s page below; the totals count the whole pool.
          </p>
        )}
      </Card>
      <div className="mt-6">
        <MachineTable rows={rows.map(toMachineRow)} timeZone={env().consoleTimeZone} emptyText="This pool has no machines." />
        {pages > 1 && (
          <Pager page={page} pages={pages} total={machines.length} size={PAGE_SIZE} href={(p) => `/pools/${pool.uuid}?page=${p}`} />
        )}
      </div>
    </>
  );
}
