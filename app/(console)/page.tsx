import type { Metadata } from 'next';
import { HistoryGrid } from '@/components/charts/history-grid';
import { ObjectiveForm } from '@/components/health/objective-form';
import { AttentionTable } from '@/components/machines/attention-table';
import { StatusCounts } from '@/components/machines/status-counts';
import { PoolTable } from '@/components/pools/pool-table';
import { Card, PageHeader } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { TextLink } from '@/components/ui/link';
import { EntryProblems, LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { requireAccess } from '@/lib/auth/access';
import { canEverywhere } from '@/lib/auth/capabilities';
import { OBJECTIVE_MARGIN_MS, formatObjective } from '@/lib/backup/objective';
import { statusLabel } from '@/lib/backup/status';
import { env } from '@/lib/env';
import { aggregateRow, compactTotals, gridNights, machineRow, nightsNote } from '@/lib/inventory/history-view';
import { loadOverview } from '@/lib/inventory/overview';
import { setCloudObjectiveAction } from './actions';

export const metadata: Metadata = { title: 'Overview' };
export const dynamic = 'force-dynamic';

/** A large cloud can have hundreds of machines needing attention; the list links to the rest. */
const ATTENTION_ROWS = 50;
/**
 * The history grid on the overview shows every pool as one row (its worst state per night, the
 * counts in the tooltip) and the most urgent machines; all machines' nights are on /history,
 * paged. So the page stays the same size for 50 machines or 5,000.
 */
const GRID_MACHINES = 10;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export default async function OverviewPage() {
  const result = await attempt(loadOverview);
  if (!result.ok) return <LoadError message={result.error} code={result.code} />;
  const overview = result.data;
  const timeZone = env().consoleTimeZone;
  const { grants } = await requireAccess();
  const nights = gridNights(overview.nights);
  const margin = formatObjective(OBJECTIVE_MARGIN_MS);
  const cloudHours = overview.cloudObjectiveMs === null ? null : overview.cloudObjectiveMs / 3_600_000;
  return (
    <>
      <PageHeader
        title="Overview"
        subtitle={
          <>
            {plural(overview.total, 'machine')} · read from the directory at <DateTime value={overview.readAt} timeZone={timeZone} /> ({timeZone})
          </>
        }
      />
      <EntryProblems problems={overview.problems} />
      <StatusCounts
        counts={overview.counts}
        total={overview.total}
        kind={overview.kind}
        notes={overview.clones > 0 ? { excluded: `not backed up on purpose, ${plural(overview.clones, 'dynamic clone')} among them` } : undefined}
      />
      <div className="mt-6 space-y-6">
        <Card title={`Needs attention (${overview.attention.length})`}>
          <AttentionTable
            timeZone={timeZone}
            rows={overview.attention.slice(0, ATTENTION_ROWS).map((m) => ({
              uuid: m.uuid,
              name: m.name,
              poolName: m.poolName,
              node: m.node,
              protection: m.protection,
              activity: m.activity ? { kind: m.activity.kind, text: m.activity.text, next: m.activity.next } : null,
              blocked: m.blocked,
              reason: m.protectionReason,
              lastGood: m.lastGood?.toISOString() ?? null,
            }))}
          />
          {overview.attention.length > ATTENTION_ROWS && (
            <p className="mt-3 text-muted" data-testid="attention-more">
              The {ATTENTION_ROWS} most urgent of {overview.attention.length} are shown. All of them in the machine list:{' '}
              {(['blocked', 'failed', 'stuck', 'never', 'stale'] as const).filter((status) => overview.counts[status] > 0).map((status, i) => (
                <span key={status}>
                  {i > 0 && ', '}
                  <TextLink href={`/machines?status=${status}`}>{`${statusLabel(status).toLowerCase()} (${overview.counts[status]})`}</TextLink>
                </span>
              ))}
              .
            </p>
          )}
        </Card>
        <Card title={`The last ${nights.length} nights`} actions={<TextLink href="/history">Every machine, night by night</TextLink>}>
          <p className="mb-2 text-muted">
            Each pool&rsquo;s worst night state (hover or focus a cell for the counts), and the fleet&rsquo;s totals per night.{' '}
            {nightsNote(overview.kind, env().nodeTimeZone)}
          </p>
          <HistoryGrid
            id="pool-nights"
            title="Pools, night by night"
            nights={nights}
            rows={overview.pools.filter((p) => p.machines > 0).map((p) => aggregateRow(p.uuid, p.name, `/pools/${p.uuid}`, p.nights))}
            totals={compactTotals(overview.nightTotals)}
          />
          {overview.attention.length > 0 && (
            <div className="mt-5">
              <h3 className="mb-1 font-semibold">
                {overview.attention.length > GRID_MACHINES ? `The ${GRID_MACHINES} most urgent machines` : 'Machines needing attention'}
              </h3>
              <HistoryGrid id="attention-nights" title="Machines needing attention, night by night" nights={nights} rows={overview.attention.slice(0, GRID_MACHINES).map(machineRow)} />
            </div>
          )}
        </Card>
        <Card title="Pools">
          <PoolTable rows={overview.pools} cloudObjectiveMs={overview.cloudObjectiveMs} />
        </Card>
        <Card title="Recovery point objective">
          <ObjectiveForm
            id="cloud-objective"
            currentHours={cloudHours}
            effectiveText={
              overview.cloudObjectiveMs === null
                ? `Not set: a machine counts as stale when its last good backup is older than its plan's period plus ${margin}, unless its pool sets an objective.`
                : `A machine counts as stale when its last good backup is older than ${formatObjective(overview.cloudObjectiveMs)}, unless its pool sets its own objective.`
            }
            defaultText={`each machine's plan period plus ${margin}`}
            save={setCloudObjectiveAction}
            editable={canEverywhere(grants, 'configure')}
          />
        </Card>
      </div>
    </>
  );
}
