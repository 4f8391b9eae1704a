import Link from 'next/link';
import { PROTECTION_STATES, RIGHT_NOW_STATES, statusLabel, type MachineStatus } from '@/lib/backup/status';
import { formatObjective } from '@/lib/backup/objective';
import { StatusBadge } from '../ui/status-badge';
import { EmptyRow, Table, Td, Th } from '../ui/table';

export interface PoolRow {
  uuid: string;
  name: string;
  type: string | null;
  machines: number;
  counts: Record<MachineStatus, number>;
  objectiveMs: number | null;
}

/**
 * The share of machines with a good backup within their recovery point objective, among those
 * that are meant to be backed up. A running backup does not count: until it finishes, the
 * machine is exactly as protected as its last good backup.
 */
export function withinObjective(row: Pick<PoolRow, 'machines' | 'counts'>): string {
  const relevant = row.machines - row.counts.excluded;
  if (relevant === 0) return '—';
  return `${Math.floor((row.counts.protected / relevant) * 100)}%`;
}

export function PoolTable({ rows, cloudObjectiveMs }: { rows: PoolRow[]; cloudObjectiveMs: number | null }) {
  const badges = (row: PoolRow, states: readonly MachineStatus[]) =>
    states
      .filter((s) => row.counts[s] > 0)
      .map((s) => (
        <StatusBadge key={s} tone={s}>
          {row.counts[s]} {statusLabel(s).toLowerCase()}
        </StatusBadge>
      ));
  return (
    <Table label="VM pools">
      <thead>
        <tr>
          <Th>Pool</Th>
          <Th>Type</Th>
          <Th className="text-right">Machines</Th>
          <Th>Last good backup</Th>
          <Th>Right now</Th>
          <Th className="text-right">Within objective</Th>
          <Th>Recovery point objective</Th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && <EmptyRow colSpan={7}>The directory has no VM pools.</EmptyRow>}
        {rows.map((row) => (
          <tr key={row.uuid} data-testid={`pool-row-${row.uuid}`}>
            <Td>
              <Link href={`/pools/${row.uuid}`} className="font-medium text-brand hover:underline">
                {row.name}
              </Link>
            </Td>
            <Td className="capitalize">{row.type ?? '—'}</Td>
            <Td className="text-right tabular-nums">{row.machines}</Td>
            <Td>
              <div className="flex flex-wrap gap-1">
                {badges(row, PROTECTION_STATES)}
                {row.machines === 0 && <span className="text-muted">no machines</span>}
              </div>
            </Td>
            <Td>
              <div className="flex flex-wrap gap-1">{badges(row, RIGHT_NOW_STATES)}</div>
            </Td>
            <Td className="text-right tabular-nums" data-testid="within-objective">
              {withinObjective(row)}
            </Td>
            <Td className="text-xs">
              {row.objectiveMs !== null
                ? `${formatObjective(row.objectiveMs)} (the pool's)`
                : cloudObjectiveMs !== null
                  ? `${formatObjective(cloudObjectiveMs)} (cloud-wide)`
                  : 'each plan’s period + 6 hours'}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
