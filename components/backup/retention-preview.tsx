'use client';

import { retentionPreview, type RetentionIteration } from '@/lib/backup/retention';

export type RetentionMachineView = { uuid: string; name: string; iterations: RetentionIteration[] };

/** Which existing iterations the next run would remove with `keep` iterations kept. */
export function RetentionPreview({ machines, keep, current, omitted }: { machines: RetentionMachineView[]; keep: number | null; current: number | null; omitted: number }) {
  if (keep === null) return <p className="text-xs text-muted">Enter a number of iterations to see what the next run would remove.</p>;
  const previews = machines.map((m) => ({ machine: m, preview: retentionPreview(m.iterations, keep) }));
  const dropping = previews.filter((p) => p.preview.dropped.length > 0);
  const total = dropping.reduce((n, p) => n + p.preview.dropped.length, 0);
  const changed = current !== null && keep !== current;
  return (
    <div data-testid="retention-preview" className={changed ? 'rounded-md border border-status-stale/30 bg-status-stale-bg p-3' : 'p-0'}>
      {machines.length === 0 ? (
        <p className="text-xs text-muted">No machine follows this configuration, so the next run removes nothing.</p>
      ) : dropping.length === 0 ? (
        <p className="text-xs text-muted">Keeping {keep}, the next run removes no existing iteration.</p>
      ) : (
        <>
          <p className="text-sm font-medium">
            Keeping {keep}, the next run would remove {total} existing {total === 1 ? 'iteration' : 'iterations'}
            {machines.length > 1 ? ` of ${dropping.length} ${dropping.length === 1 ? 'machine' : 'machines'}` : ''}:
          </p>
          <ul className="mt-1 space-y-0.5 text-xs">
            {dropping.slice(0, 20).map(({ machine, preview }) => (
              <li key={machine.uuid}>
                {machines.length > 1 && <span className="font-medium">{machine.name}: </span>}
                <span className="font-mono">{preview.dropped.join(', ')}</span>
                {preview.blockedBy && <span className="text-muted"> (not before {preview.blockedBy} is dealt with)</span>}
              </li>
            ))}
          </ul>
          {dropping.length > 20 && <p className="text-xs text-muted">… and {dropping.length - 20} more machines.</p>}
          <p className="mt-1 text-xs text-muted">
            The new iteration counts as one of the {keep}. The stoney cloud node wrapper removes these folders after the next run; FOSS-Cloud&apos;s
            scheduler removes one iteration per run, oldest first.
          </p>
        </>
      )}
      {omitted > 0 && <p className="text-xs text-muted">{omitted} further machines are not shown.</p>}
    </div>
  );
}
