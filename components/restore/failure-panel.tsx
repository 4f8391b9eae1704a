'use client';

import type { RestoreView } from '@/lib/restore/view';
import { abortRestoreAction, retryRestoreAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/actions';
import { useRestoreAction } from './use-restore-action';

export function FailurePanel({ uuid, iteration, view }: { uuid: string; iteration: string; view: RestoreView }) {
  const retry = useRestoreAction();
  const abort = useRestoreAction();
  const f = view.failure;
  if (!f) return null;
  return (
    <div role="alert" className="space-y-3 rounded-md border border-status-failed/30 bg-status-failed-bg p-4">
      <p className="font-semibold text-status-failed" data-testid="failure-title">
        The restore stopped while {f.during}: {f.returnValue} {f.returnName}
      </p>
      <p>{f.returnText}</p>
      <p>
        <span className="font-medium">Reason: </span>
        {f.reason}
      </p>
      <p data-testid="machine-state">
        <span className="font-medium">The machine now: </span>
        {f.machineState}
      </p>
      {f.command && (
        <div className="rounded bg-surface p-2 font-mono text-xs">
          <div>$ {f.command}</div>
          {f.exitCode !== undefined && <div>exit code {f.exitCode}</div>}
          {f.stderr && <pre className="mt-1 whitespace-pre-wrap text-status-failed">{f.stderr}</pre>}
        </div>
      )}
      <div className="flex flex-wrap gap-3">
        <button type="button" disabled={retry.pending} onClick={() => retry.run(retryRestoreAction, { uuid, iteration })} className="rounded-md bg-brand px-4 py-2 font-semibold text-brand-ink disabled:opacity-50">
          {retry.pending ? 'Continuing…' : 'Continue from the failed step'}
        </button>
        {view.canAbort && (
          <button type="button" disabled={abort.pending} onClick={() => abort.run(abortRestoreAction, { uuid, iteration })} className="rounded-md border border-status-failed px-4 py-2 text-status-failed">
            Abort the restore (nothing live has changed)
          </button>
        )}
      </div>
      {(retry.error || abort.error) && <p className="text-status-failed">{retry.error ?? abort.error}</p>}
    </div>
  );
}

/** A restore this console did not start: explain, and offer what is safe. */
export function ForeignPanel({ uuid, iteration, mode, canAbort }: { uuid: string; iteration: string; mode: string; canAbort: boolean }) {
  const abort = useRestoreAction();
  return (
    <div role="status" className="space-y-3 rounded-md border border-status-stale/30 bg-status-stale-bg p-4">
      <p className="font-semibold text-status-stale">A restore of this iteration was started outside this console (mode {mode}).</p>
      <p>
        The console keeps a journal of every restore it runs; this one has none, so it was started by the VM-Manager, a node daemon or by hand. The
        console does not continue it. {canAbort ? 'Nothing live has changed in this mode, so it can be called off: the retain folder is removed and the iteration goes back to finished.' : 'In this mode the live machine may already have been changed; check the node before acting.'}
      </p>
      {canAbort && (
        <button type="button" disabled={abort.pending} onClick={() => abort.run(abortRestoreAction, { uuid, iteration })} className="rounded-md border border-status-failed px-4 py-2 text-status-failed">
          Call off this restore
        </button>
      )}
      {abort.error && <p className="text-status-failed">{abort.error}</p>}
    </div>
  );
}
