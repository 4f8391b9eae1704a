import type { Metadata } from 'next';
import { AttentionTable } from '@/components/machines/attention-table';
import { StatusCounts } from '@/components/machines/status-counts';
import { PoolTable } from '@/components/pools/pool-table';
import { Card, PageHeader } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { TextLink } from '@/components/ui/link';
import { EntryProblems, LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { env } from '@/lib/env';
import { loadOverview } from '@/lib/inventory/overview';

export const metadata: Metadata = { title: 'Overview' };
export const dynamic = 'force-dynamic';

/** A large cloud can have hundreds of machines needing attention; the list links to the rest. */
const ATTENTION_ROWS = 50;

export default async function OverviewPage() {
  const result = await attempt(loadOverview);
  if (!result.ok) return <LoadError message={result.error} code={result.code} />;
  const overview = result.data;
  const timeZone = env().consoleTimeZone;
  return (
    <>
      <PageHeader
        title="Overview"
        subtitle={
          <>
            {overview.total} machines · read from the directory at <DateTime value={overview.readAt} timeZone={timeZone} /> ({timeZone})
          </>
        }
      />
      <EntryProblems problems={overview.problems} />
      <StatusCounts counts={overview.counts} total={overview.total} />
      <div className="mt-6 space-y-6">
        <Card title={`Needs attention (${overview.attention.length})`}>
          <AttentionTable
            timeZone={timeZone}
            rows={overview.attention.slice(0, ATTENTION_ROWS).map((m) => ({
              uuid: m.uuid,
              name: m.name,
              poolName: m.poolName,
              node: m.node,
              status: m.status,
              reason: m.reason,
              lastFinished: m.lastFinished?.toISOString() ?? null,
            }))}
          />
          {overview.attention.length > ATTENTION_ROWS && (
            <p className="mt-3 text-muted" data-testid="attention-more">
              The {ATTENTION_ROWS} most urgent of {overview.attention.length} are shown. All of them in the machine list:{' '}
              {(['failed', 'blocked', 'stale', 'never'] as const).map((status, i) => (
                <span key={status}>
                  {i > 0 && ', '}
                  <TextLink href={`/machines?status=${status}`}>{`${status} (${overview.counts[status]})`}</TextLink>
                </span>
              ))}
              .
            </p>
          )}
        </Card>
        <Card title="Pools">
          <PoolTable rows={overview.pools} />
        </Card>
      </div>
    </>
  );
}
