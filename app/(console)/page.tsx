import type { Metadata } from 'next';
import { AttentionTable } from '@/components/machines/attention-table';
import { StatusCounts } from '@/components/machines/status-counts';
import { PoolTable } from '@/components/pools/pool-table';
import { Card, PageHeader } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { EntryProblems, LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { env } from '@/lib/env';
import { loadOverview } from '@/lib/inventory/overview';

export const metadata: Metadata = { title: 'Overview' };
export const dynamic = 'force-dynamic';

export default async function OverviewPage() {
  const result = await attempt(loadOverview);
  if (!result.ok) return <LoadError message={result.error} />;
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
            rows={overview.attention.map((m) => ({
              uuid: m.uuid,
              name: m.name,
              poolName: m.poolName,
              node: m.node,
              status: m.status,
              reason: m.reason,
              lastFinished: m.lastFinished?.toISOString() ?? null,
            }))}
          />
        </Card>
        <Card title="Pools">
          <PoolTable rows={overview.pools} />
        </Card>
      </div>
    </>
  );
}
