import type { Metadata } from 'next';
import { ExcludeSelection } from '@/components/machines/exclude-selection';
import { MachineFilters } from '@/components/machines/machine-filters';
import { MachineTable } from '@/components/machines/machine-table';
import { PageHeader } from '@/components/ui/card';
import { Pager } from '@/components/ui/pager';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { requireAccess } from '@/lib/auth/access';
import { can } from '@/lib/auth/capabilities';
import { env } from '@/lib/env';
import { listMachines, parseMachineQuery, type MachineQuery } from '@/lib/inventory/machine-list';
import { toMachineRow } from '@/lib/inventory/rows';
import { setMachinesExcludedAction } from './actions';

export const metadata: Metadata = { title: 'Machines' };
export const dynamic = 'force-dynamic';

function hrefFor(query: MachineQuery, change: Partial<MachineQuery>): string {
  const merged = { ...query, ...change };
  const params = new URLSearchParams();
  if (merged.q) params.set('q', merged.q);
  if (merged.pool) params.set('pool', merged.pool);
  if (merged.node) params.set('node', merged.node);
  if (merged.status) params.set('status', merged.status);
  if (merged.sort !== 'name') params.set('sort', merged.sort);
  if (merged.dir !== 'asc') params.set('dir', merged.dir);
  if (merged.page > 1) params.set('page', String(merged.page));
  if (merged.size !== 50) params.set('size', String(merged.size));
  const text = params.toString();
  return text ? `/machines?${text}` : '/machines';
}

export default async function MachinesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = parseMachineQuery(await searchParams);
  const result = await attempt(() => listMachines(query));
  if (!result.ok) return <LoadError message={result.error} code={result.code} />;
  const page = result.data;
  const { grants } = await requireAccess();
  // Exclude and include only where the person may configure; the other rows have no checkbox.
  const mayConfigure = can(grants, 'configure');
  return (
    <>
      <PageHeader title="Machines" subtitle={`${page.total} ${page.total === 1 ? 'machine matches' : 'machines match'}`} />
      <MachineFilters query={page.query} pools={page.pools} nodes={page.nodes} />
      {mayConfigure && (
        <ExcludeSelection formId="exclude-form" names={Object.fromEntries(page.rows.map((r) => [r.uuid, r.name]))} action={setMachinesExcludedAction} />
      )}
      <MachineTable
        selectFormId={mayConfigure ? 'exclude-form' : undefined}
        rows={page.rows.map((r) => ({ ...toMachineRow(r), selectable: can(grants, 'configure', r.poolUuid ?? null) }))}
        timeZone={env().consoleTimeZone}
        sort={{ key: page.query.sort, dir: page.query.dir }}
        sortHref={(key, dir) => hrefFor(page.query, { sort: key, dir, page: 1 })}
      />
      <Pager page={page.page} pages={page.pages} total={page.total} size={page.query.size} href={(p) => hrefFor(page.query, { page: p })} />
    </>
  );
}
