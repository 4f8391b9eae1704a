'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import type { IterationRow } from '@/lib/inventory/iteration-rows';
import { DateTime } from '../ui/date-time';
import { formatDuration } from '../ui/format';
import { StatusBadge, healthTone } from '../ui/status-badge';
import { EmptyRow, Table, Td, Th } from '../ui/table';

const isActive = (rows: IterationRow[]) => rows.some((r) => r.health === 'running' || r.health === 'pending');

async function fetchIterations(uuid: string): Promise<IterationRow[]> {
  const response = await fetch(`/api/machines/${encodeURIComponent(uuid)}/iterations`, { cache: 'no-store' });
  if (!response.ok) throw new Error((await response.json().catch(() => null))?.error ?? `The console answered ${response.status}.`);
  return ((await response.json()) as { iterations: IterationRow[] }).iterations;
}

/** Iterations newest first; polls only while one of them is running. */
export function IterationTable({
  uuid,
  initial,
  timeZone,
  mayRestore,
  heldRestores = {},
}: {
  uuid: string;
  initial: IterationRow[];
  timeZone: string;
  mayRestore: boolean;
  /** Leaves that hold the restore of an iteration without a leaf (stoney cloud): leaf name → that iteration. */
  heldRestores?: Record<string, string>;
}) {
  const query = useQuery({
    queryKey: ['iterations', uuid],
    queryFn: () => fetchIterations(uuid),
    initialData: initial,
    refetchInterval: (q) => (isActive(q.state.data ?? []) ? 3000 : false),
  });
  const rows = query.data;
  return (
    <div>
      {query.isError && (
        <p role="alert" className="mb-2 text-status-failed">
          Refreshing failed: {query.error.message}
        </p>
      )}
      {isActive(rows) && (
        <p className="mb-2 text-xs text-status-running" data-testid="live-refresh">
          Something is running: this table refreshes every few seconds.
        </p>
      )}
      <Table label="Backup iterations">
        <thead>
          <tr>
            <Th>Iteration</Th>
            <Th>State</Th>
            <Th>Result</Th>
            <Th>Planned</Th>
            <Th>Finished</Th>
            <Th>Step durations</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && <EmptyRow colSpan={7}>This machine has never been backed up.</EmptyRow>}
          {rows.map((row) => (
            <tr key={row.name}>
              <Td>
                <Link href={`/machines/${uuid}/iterations/${row.name}`} className="font-mono text-brand hover:underline">
                  {row.name}
                </Link>
              </Td>
              <Td>
                <StatusBadge tone={healthTone(row.health)} title={row.modeMeaning}>
                  {row.modeLabel}
                </StatusBadge>
                <div className="mt-1 font-mono text-xs text-muted">{row.mode}</div>
              </Td>
              <Td className="max-w-sm">
                {row.returnValue === null ? (
                  <span className="text-muted">—</span>
                ) : row.returnValue === 0 ? (
                  <span>0 · success</span>
                ) : (
                  <span className={row.health === 'failed' ? 'text-status-failed' : undefined}>
                    <span className="font-semibold">
                      {row.returnValue} {row.returnName}
                    </span>
                    <br />
                    {row.returnText}
                  </span>
                )}
              </Td>
              <Td>
                <DateTime value={row.plannedAt} timeZone={timeZone} />
              </Td>
              <Td>
                <DateTime value={row.finishedAt} timeZone={timeZone} />
              </Td>
              <Td className="text-xs">
                {row.executionTimes.length === 0
                  ? '—'
                  : row.executionTimes.map((t) => (
                      <div key={t.step}>
                        {t.step}: {formatDuration(t.seconds)}
                      </div>
                    ))}
              </Td>
              <Td className="whitespace-nowrap">
                {!mayRestore ? null : row.workflow === 'restore' && heldRestores[row.name] ? (
                  <Link href={`/machines/${uuid}/restore/${heldRestores[row.name]}`} className="font-medium text-status-running hover:underline">
                    Open restore of {heldRestores[row.name]}
                  </Link>
                ) : row.workflow === 'restore' ? (
                  <Link href={`/machines/${uuid}/restore/${row.name}`} className="font-medium text-status-running hover:underline">
                    Open restore
                  </Link>
                ) : row.health === 'finished' ? (
                  <Link href={`/machines/${uuid}/restore/${row.name}`} className="text-brand hover:underline" aria-label={`Restore ${row.name}`}>
                    Restore…
                  </Link>
                ) : null}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
