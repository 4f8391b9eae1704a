import { STATUS_ORDER, statusLabel } from '@/lib/backup/status';
import { TextInput } from '../ui/field';
import { byUuid, FilterField, FilterForm, FilterSelect } from '../ui/filters';

const STATUS_OPTIONS = STATUS_ORDER.map((s) => ({ value: s, label: statusLabel(s) }));
const nodeOptions = (nodes: string[]) => nodes.map((n) => ({ value: n, label: n }));

/** The machine list's filters, in the URL. */
export function MachineFilters({
  query,
  pools,
  nodes,
  action = '/machines',
}: {
  query: { q: string; pool?: string; node?: string; status?: string; sort: string; dir: string };
  pools: { uuid: string; name: string }[];
  nodes: string[];
  /** The page the filters apply to (the machine list, or the history grid). */
  action?: string;
}) {
  return (
    <FilterForm action={action} submitLabel="Apply" links={[{ href: action, label: 'Clear' }]}>
      <FilterField id="filter-q" label="Search name or UUID">
        <TextInput id="filter-q" type="search" name="q" defaultValue={query.q} placeholder="e.g. web-01" width="auto" className="w-64" />
      </FilterField>
      <FilterSelect name="pool" label="Pool" value={query.pool} anyLabel="All pools" options={byUuid(pools)} />
      <FilterSelect name="node" label="Node" value={query.node} anyLabel="All nodes" options={nodeOptions(nodes)} />
      <FilterSelect name="status" label="Status" value={query.status} anyLabel="Any status" options={STATUS_OPTIONS} />
      <input type="hidden" name="sort" value={query.sort} />
      <input type="hidden" name="dir" value={query.dir} />
    </FilterForm>
  );
}
