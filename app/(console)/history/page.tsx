import type { Metadata } from 'next';
import { HistoryGrid } from '@/components/charts/history-grid';
import { MachineFilters } from '@/components/machines/machine-filters';
import { Card, PageHeader } from '@/components/ui/card';
import { Pager } from '@/components/ui/pager';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { env } from '@/lib/env';
import { HISTORY_PAGE_SIZE, loadHistoryPage } from '@/lib/inventory/history-page';
import { compactTotals, gridNights, machineRow, nightsNote } from '@/lib/inventory/history-view';
import { parseMachineQuery, type MachineQuery } from '@/lib/inventory/machine-list';

export const metadata: Metadata = { title: 'History' };
export const dynamic = 'force-dynamic';

function hrefFor(query: MachineQuery, page: number): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.pool) params.set('pool', query.pool);
  if (query.node) params.set('node', query.node);
  if (query.status) params.set('status', query.status);
  if (page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `/history?${text}` : '/history';
}

/** Every machine's last nights, a page of machines at a time, the most urgent first. */
export default async function HistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = parseMachineQuery(await searchParams);
  const result = await attempt(() => loadHistoryPage(query));
  if (!result.ok) return <LoadError message={result.error} />;
  const view = result.data;
  return (
    <>
      <PageHeader
        title="Backup history"
        subtitle={`${view.total} ${view.total === 1 ? 'machine matches' : 'machines match'}, most urgent first`}
      />
      <MachineFilters query={query} pools={view.pools} nodes={view.nodes} action="/history" />
      <Card title={`The last ${view.nights.length} nights`}>
        <p className="mb-2 text-muted">{nightsNote(view.kind, env().nodeTimeZone)}</p>
        <HistoryGrid
          id="history-nights"
          title="Machines, night by night"
          nights={gridNights(view.nights)}
          rows={view.rows.map(machineRow)}
          totals={compactTotals(view.totals)}
          totalsLabel={view.total === 1 ? 'The matching machine' : `All ${view.total} matching machines`}
        />
      </Card>
      <Pager page={view.page} pages={view.pages} total={view.total} size={HISTORY_PAGE_SIZE} href={(p) => hrefFor(query, p)} />
    </>
  );
}
