import Link from 'next/link';
import type { ActivityKind, MachineStatus, Protection } from '@/lib/backup/status';
import { DateTime } from '../ui/date-time';
import { EmptyRow, Table, Td, Th } from '../ui/table';
import { MachineStatusBadges } from './machine-status';

export interface MachineRow {
  uuid: string;
  name: string;
  poolName: string | null;
  node: string | null;
  type: string | null;
  status: MachineStatus;
  protection: Protection;
  activity: { kind: ActivityKind; text: string } | null;
  /** stoney cloud: why the wrapper skips it every night, or null. */
  blocked: string | null;
  reason: string;
  latestMode: string | null;
  lastGood: string | null;
  configLevel: string;
  excluded?: boolean;
  /** false: a dynamic clone on FOSS-Cloud, which fc-brokerd never backs up. */
  backupCandidate?: boolean;
  /** false: the person may not exclude or include this machine, so the row has no checkbox or button. */
  selectable?: boolean;
}

type SortKey = 'name' | 'pool' | 'node' | 'status' | 'last';

/** Column headers that sort by following a link, so sorting works without JavaScript and survives reloads. */
function SortHeader({ label, column, sort, sortHref }: { label: string; column: SortKey; sort?: { key: SortKey; dir: 'asc' | 'desc' }; sortHref?: (key: SortKey, dir: 'asc' | 'desc') => string }) {
  if (!sort || !sortHref) return <Th>{label}</Th>;
  const active = sort.key === column;
  const nextDir = active && sort.dir === 'asc' ? 'desc' : 'asc';
  return (
    <Th aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <Link href={sortHref(column, nextDir)} className="hover:text-ink">
        {label} {active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
      </Link>
    </Th>
  );
}

const levelLabel: Record<string, string> = { machine: 'own', pool: 'pool', cloud: 'cloud-wide', none: 'none' };

export function MachineTable({
  rows,
  timeZone,
  sort,
  sortHref,
  emptyText = 'No machine matches.',
  selectFormId,
}: {
  rows: MachineRow[];
  timeZone: string;
  sort?: { key: SortKey; dir: 'asc' | 'desc' };
  sortHref?: (key: SortKey, dir: 'asc' | 'desc') => string;
  emptyText?: string;
  /** Adds a selection checkbox and an exclude/include button per row, submitting the form with this id. */
  selectFormId?: string;
}) {
  return (
    <Table label="Machines">
      <thead>
        <tr>
          <SortHeader label="Machine" column="name" sort={sort} sortHref={sortHref} />
          <SortHeader label="Status" column="status" sort={sort} sortHref={sortHref} />
          <SortHeader label="Pool" column="pool" sort={sort} sortHref={sortHref} />
          <SortHeader label="Node" column="node" sort={sort} sortHref={sortHref} />
          <Th>Latest iteration</Th>
          <SortHeader label="Last good backup" column="last" sort={sort} sortHref={sortHref} />
          <Th>Plan</Th>
          {selectFormId && <Th>Backup</Th>}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && <EmptyRow colSpan={selectFormId ? 8 : 7}>{emptyText}</EmptyRow>}
        {rows.map((row) => (
          <tr key={row.uuid} className="hover:bg-canvas/60">
            <Td>
              {selectFormId && row.selectable !== false && row.backupCandidate !== false && (
                <input type="checkbox" name="uuid" value={row.uuid} form={selectFormId} aria-label={`Select ${row.name}`} className="mr-2 align-middle" />
              )}
              <Link href={`/machines/${row.uuid}`} className="font-medium text-brand hover:underline">
                {row.name}
              </Link>
              <div className="font-mono text-xs text-muted">{row.uuid}</div>
            </Td>
            <Td>
              <MachineStatusBadges protection={row.protection} activity={row.activity} blocked={row.blocked} clone={row.backupCandidate === false} />
              <div className="mt-1 max-w-sm text-xs text-muted" data-testid="row-reason">{row.reason}</div>
            </Td>
            <Td>{row.poolName ?? '—'}</Td>
            <Td className="whitespace-nowrap">{row.node ?? '—'}</Td>
            <Td>{row.latestMode ?? <span className="text-muted">—</span>}</Td>
            <Td>
              <DateTime value={row.lastGood} timeZone={timeZone} />
            </Td>
            <Td>{row.backupCandidate === false ? 'none (clone)' : (levelLabel[row.configLevel] ?? row.configLevel)}</Td>
            {selectFormId && row.selectable === false && (
              <Td>
                <span className="text-muted">—</span>
              </Td>
            )}
            {selectFormId && row.selectable !== false && (
              <Td>
                {row.backupCandidate === false ? (
                  <span className="text-xs text-muted" title="A dynamic clone is never backed up; the console writes no configuration under it.">
                    never backed up
                  </span>
                ) : (
                <button
                  type="submit"
                  form={selectFormId}
                  name="toggle"
                  value={`${row.excluded ? 'include' : 'exclude'}:${row.uuid}`}
                  aria-label={`${row.excluded ? 'Include' : 'Exclude'} ${row.name}`}
                  className="whitespace-nowrap rounded-md border border-line px-2 py-0.5 text-xs hover:bg-canvas"
                >
                  {row.excluded ? 'Include' : 'Exclude'}
                </button>
                )}
              </Td>
            )}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
