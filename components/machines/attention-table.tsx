import Link from 'next/link';
import type { ActivityKind, Protection } from '@/lib/backup/status';
import { DateTime } from '../ui/date-time';
import { EmptyRow, Table, Td, Th } from '../ui/table';
import { MachineStatusBadges } from './machine-status';

export interface AttentionRow {
  uuid: string;
  name: string;
  poolName: string | null;
  node: string | null;
  protection: Protection;
  activity: { kind: ActivityKind; text: string; next: string | null } | null;
  /** stoney cloud: why the wrapper skips it every night, or null. */
  blocked: string | null;
  reason: string;
  lastGood: string | null;
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
          <Th>Last good backup</Th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && <EmptyRow colSpan={6}>Every machine has a good backup within its objective, and nothing failed, is stuck or blocked.</EmptyRow>}
        {rows.map((row) => (
          <tr key={row.uuid}>
            <Td>
              <Link href={`/machines/${row.uuid}`} className="font-medium text-brand hover:underline">
                {row.name}
              </Link>
            </Td>
            <Td>
              <MachineStatusBadges protection={row.protection} activity={row.activity} blocked={row.blocked} />
            </Td>
            <Td className="max-w-md">
              <span data-testid="attention-reason">{row.reason}</span>
              {row.blocked && (
                <span className="mt-1 block" data-testid="attention-blocked">
                  Blocked: {row.blocked}
                </span>
              )}
              {row.activity && (
                <span className="mt-1 block" data-testid="attention-activity">
                  {row.activity.text}
                </span>
              )}
              {(row.activity?.next || row.blocked) && (
                <Link href={`/machines/${row.uuid}`} className="mt-1 block text-xs text-brand hover:underline">
                  What to do →
                </Link>
              )}
            </Td>
            <Td>{row.poolName ?? '—'}</Td>
            <Td className="whitespace-nowrap">{row.node ?? '—'}</Td>
            <Td>
              <DateTime value={row.lastGood} timeZone={timeZone} />
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
