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
import { machineQueryHref, parseMachineQuery } from '@/lib/inventory/machine-list';

export const metadata: Metadata = { title: 'History' };
export const dynamic = 'force-dynamic';

/** Every machine's last nights, a page of machines at a time, the most urgent first. */
export default async function HistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = parseMachineQuery(await searchParams);
  const result = await attempt(() => loadHistoryPage(query));
  if (!result.ok) return <LoadError message={result.error} code={result.code} />;
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
      <Pager
        page={view.page}
        pages={view.pages}
        total={view.total}
        size={HISTORY_PAGE_SIZE}
        href={(p) => machineQueryHref('/history', query, { page: p })}
      />
    </>
  );
}
