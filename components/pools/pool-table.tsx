import Link from 'next/link';
import { STATUS_ORDER, statusLabel, type MachineStatus } from '@/lib/backup/status';
import { StatusBadge } from '../ui/status-badge';
import { EmptyRow, Table, Td, Th } from '../ui/table';

export interface PoolRow {
  uuid: string;
  name: string;
  type: string | null;
  machines: number;
  counts: Record<MachineStatus, number>;
}

/** Health as the share of protected machines among those that should be backed up. */
function health(row: PoolRow): string {
  const relevant = row.machines - row.counts.excluded;
  if (relevant === 0) return '—';
  return `${Math.round(((row.counts.protected + row.counts.running) / relevant) * 100)}%`;
}

export function PoolTable({ rows }: { rows: PoolRow[] }) {
  return (
    <Table label="VM pools">
      <thead>
        <tr>
          <Th>Pool</Th>
          <Th>Type</Th>
          <Th className="text-right">Machines</Th>
          <Th>Backup health</Th>
          <Th className="text-right">Protected or running</Th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && <EmptyRow colSpan={5}>The directory has no VM pools.</EmptyRow>}
        {rows.map((row) => (
          <tr key={row.uuid}>
            <Td>
              <Link href={`/pools/${row.uuid}`} className="font-medium text-brand hover:underline">
                {row.name}
              </Link>
            </Td>
            <Td className="capitalize">{row.type ?? '—'}</Td>
            <Td className="text-right tabular-nums">{row.machines}</Td>
            <Td>
              <div className="flex flex-wrap gap-1">
                {STATUS_ORDER.filter((s) => row.counts[s] > 0).map((s) => (
                  <StatusBadge key={s} tone={s}>
                    {row.counts[s]} {statusLabel(s).toLowerCase()}
                  </StatusBadge>
                ))}
                {row.machines === 0 && <span className="text-muted">no machines</span>}
              </div>
            </Td>
            <Td className="text-right tabular-nums">{health(row)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
