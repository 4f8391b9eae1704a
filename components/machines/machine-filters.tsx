import Link from 'next/link';
import { STATUS_ORDER, statusLabel } from '@/lib/backup/status';

const field = 'rounded-md border border-line bg-surface px-2.5 py-1.5';

/** A plain GET form: the filters live in the URL, so a filtered list can be bookmarked and shared. */
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
    <form method="get" action={action} role="search" className="mb-4 flex flex-wrap items-end gap-3">
      <div className="flex flex-col gap-1">
        <label htmlFor="filter-q" className="text-xs font-medium text-muted">
          Search name or UUID
        </label>
        <input id="filter-q" type="search" name="q" defaultValue={query.q} placeholder="e.g. web-01" className={`${field} w-64`} />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="filter-pool" className="text-xs font-medium text-muted">
          Pool
        </label>
        <select id="filter-pool" name="pool" defaultValue={query.pool ?? ''} className={field}>
          <option value="">All pools</option>
          {pools.map((p) => (
            <option key={p.uuid} value={p.uuid}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="filter-node" className="text-xs font-medium text-muted">
          Node
        </label>
        <select id="filter-node" name="node" defaultValue={query.node ?? ''} className={field}>
          <option value="">All nodes</option>
          {nodes.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="filter-status" className="text-xs font-medium text-muted">
          Status
        </label>
        <select id="filter-status" name="status" defaultValue={query.status ?? ''} className={field}>
          <option value="">Any status</option>
          {STATUS_ORDER.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      <input type="hidden" name="sort" value={query.sort} />
      <input type="hidden" name="dir" value={query.dir} />
      <button type="submit" className="rounded-md bg-brand px-4 py-1.5 font-semibold text-brand-ink">
        Apply
      </button>
      <Link href={action} className="px-2 py-1.5 text-brand hover:underline">
        Clear
      </Link>
    </form>
  );
}
