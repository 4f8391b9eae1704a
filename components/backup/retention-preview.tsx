'use client';

import { retentionPreview, type RetentionIteration } from '@/lib/backup/retention';

export type RetentionMachineView = { uuid: string; name: string; iterations: RetentionIteration[] };

/** The iterations the preview works on: the machines that follow the configuration, and where their iterations were read. */
export type RetentionView = {
  machines: RetentionMachineView[];
  /** Further machines not shown. */
  omitted: number;
  source: 'directory' | 'node' | 'none';
  /** Why the node's folders could not be listed (stoney cloud). */
  problem: string | null;
};

/**
 * What the next run removes with `keep` iterations kept, as the program that prunes does it:
 * fc-brokerd one leaf per finished run (and nothing ever once there are more leaves than kept),
 * the stoney wrapper every folder on the node beyond the newest `keep` at once.
 */
export function RetentionPreview({
  retention: { machines, omitted, source, problem },
  keep,
  current,
  kind,
}: {
  retention: RetentionView;
  keep: number | null;
  current: number | null;
  kind: 'foss-cloud' | 'stoney-cloud';
}) {
  if (keep === null) return <p className="text-xs text-muted">Enter a number of iterations to see what the next run would remove.</p>;
  if (source === 'none') {
    return (
      <p className="text-xs text-muted" data-testid="retention-preview">
        After each run the stoney wrapper keeps the newest {keep} iteration {keep === 1 ? 'folder' : 'folders'} of each machine on its node
        and deletes the rest. Each machine&apos;s page lists its folders.
      </p>
    );
  }
  if (problem)
    return (
      <p className="text-xs text-status-failed" data-testid="retention-preview">
        The folders on the node could not be listed: {problem}
      </p>
    );
  const previews = machines.map((m) => ({ machine: m, preview: retentionPreview(m.iterations, keep, kind) }));
  const stuck = previews.filter((p) => p.preview.stopsForGood);
  const dropping = previews.filter((p) => p.preview.dropped.length > 0);
  const total = dropping.reduce((n, p) => n + p.preview.dropped.length, 0);
  const changed = current !== null && keep !== current;
  const what = source === 'node' ? 'folder' : 'iteration';
  return (
    <div
      data-testid="retention-preview"
      className={changed || stuck.length > 0 ? 'rounded-md border border-status-stale/30 bg-status-stale-bg p-3' : 'p-0'}
    >
      {stuck.length > 0 && (
        <p className="text-sm font-medium text-status-failed" data-testid="retention-stops">
          Keeping {keep}, fc-brokerd never backs up {stuck.length === 1 ? 'this machine' : `${stuck.length} machines`} again:{' '}
          {stuck
            .slice(0, 20)
            .map((p) => `${p.machine.name} (${p.machine.iterations.length} leaves)`)
            .join(', ')}
          . It starts a backup only while there are at most {keep} leaves, and removes old ones only after a run.
        </p>
      )}
      {machines.length === 0 ? (
        <p className="text-xs text-muted">No machine follows this configuration, so the next run removes nothing.</p>
      ) : dropping.length === 0 ? (
        stuck.length === 0 && (
          <p className="text-xs text-muted">
            Keeping {keep}, the next run removes no existing {what}.
          </p>
        )
      ) : (
        <>
          <p className="text-sm font-medium">
            Keeping {keep}, the next run would remove {total} existing {total === 1 ? what : `${what}s`}
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
            {kind === 'foss-cloud'
              ? `The new iteration counts as one of the ${keep}. fc-brokerd removes one leaf after each finished run, the oldest finished one.`
              : `The new iteration counts as one of the ${keep}. The stoney wrapper deletes these folders on the node after its next run.`}
          </p>
        </>
      )}
      {omitted > 0 && <p className="text-xs text-muted">{omitted} further machines are not shown.</p>}
    </div>
  );
}
