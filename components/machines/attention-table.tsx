import Link from 'next/link';
import type { MachineStatus } from '@/lib/backup/status';
import { DateTime } from '../ui/date-time';
import { EmptyRow, Table, Td, Th } from '../ui/table';
import { MachineStatusBadge } from './machine-status';

export interface AttentionRow {
  uuid: string;
  name: string;
  poolName: string | null;
  node: string | null;
  status: MachineStatus;
  reason: string;
  lastFinished: string | null;
}

export function AttentionTable({ rows, timeZone }: { rows: AttentionRow[]; timeZone: string }) {
  return (
    <Table label="Machines needing attention">
      <thead>
        <tr>
          <Th>Machine</Th>
          <Th>Status</Th>
          <Th>Why</Th>
          <Th>Pool</Th>
          <Th>Node</Th>
          <Th>Last finished backup</Th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && <EmptyRow colSpan={6}>Every machine is protected, running or excluded on purpose.</EmptyRow>}
        {rows.map((row) => (
          <tr key={row.uuid}>
            <Td>
              <Link href={`/machines/${row.uuid}`} className="font-medium text-brand hover:underline">
                {row.name}
              </Link>
            </Td>
            <Td>
              <MachineStatusBadge status={row.status} />
            </Td>
            <Td className="max-w-md">{row.reason}</Td>
            <Td>{row.poolName ?? '—'}</Td>
            <Td className="whitespace-nowrap">{row.node ?? '—'}</Td>
            <Td>
              <DateTime value={row.lastFinished} timeZone={timeZone} />
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
