'use client';

import { useQuery } from '@tanstack/react-query';
import type { IterationRow } from '@/lib/inventory/iteration-rows';
import { DateTime } from '../ui/date-time';
import { formatDuration } from '../ui/format';
import { Facts } from '../ui/card';
import { StatusBadge, healthTone } from '../ui/status-badge';

async function fetchIteration(uuid: string, name: string): Promise<IterationRow> {
  const response = await fetch(`/api/machines/${encodeURIComponent(uuid)}/iterations/${encodeURIComponent(name)}`, { cache: 'no-store' });
  if (!response.ok) throw new Error((await response.json().catch(() => null))?.error ?? `The console answered ${response.status}.`);
  return ((await response.json()) as { iteration: IterationRow }).iteration;
}

/** The iteration's state in words; refreshes while the iteration is running. */
export function IterationState({ uuid, initial, timeZone }: { uuid: string; initial: IterationRow; timeZone: string }) {
  const query = useQuery({
    queryKey: ['iteration', uuid, initial.name],
    queryFn: () => fetchIteration(uuid, initial.name),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && (q.state.data.health === 'running' || q.state.data.health === 'pending') ? 3000 : false),
  });
  const it = query.data;
  return (
    <div className="space-y-4">
      {query.isError && <p role="alert" className="text-status-failed">Refreshing failed: {query.error.message}</p>}
      <div className="flex flex-wrap items-center gap-3">
        <StatusBadge tone={healthTone(it.health)}>{it.modeLabel}</StatusBadge>
        <span className="font-mono text-xs text-muted">sstProvisioningMode: {it.mode}</span>
      </div>
      <div>
        <p className="font-medium" data-testid="mode-meaning">{it.modeMeaning}</p>
        <p className="text-muted" data-testid="next-actor">
          Who acts next: {it.nextActor}
        </p>
      </div>
      <Facts
        items={[
          {
            label: 'Result',
            value:
              it.returnValue === null ? '—' : it.returnValue === 0 ? '0 · success' : (
                <span className={it.health === 'failed' ? 'text-status-failed' : undefined} data-testid="return-text">
                  <strong>
                    {it.returnValue} {it.returnName}
                  </strong>{' '}
                  — {it.returnText}
                </span>
              ),
          },
          { label: 'Planned', value: <DateTime value={it.plannedAt} timeZone={timeZone} /> },
          { label: 'Finished', value: it.finishedAt ? <DateTime value={it.finishedAt} timeZone={timeZone} /> : <span className="text-muted">not finished</span> },
          { label: 'Last step ended', value: <DateTime value={it.lastStepAt} timeZone={timeZone} /> },
          { label: 'State attribute', value: <span className="font-mono text-xs">{it.state === '0' ? '0 (a step is asked for)' : it.state}</span> },
          {
            label: 'Step durations',
            value: it.executionTimes.length === 0 ? '—' : it.executionTimes.map((t) => `${t.step}: ${formatDuration(t.seconds)}`).join(' · '),
          },
        ]}
      />
    </div>
  );
}
