'use client';

import type { RestoreView } from '@/lib/restore/view';
import { finishRestoreAction, retryRestoreAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/actions';
import { AbortButton } from './abort-button';
import { useRestoreAction } from './use-restore-action';
import { ActionError } from '../ui/action-message';
import { Button } from '../ui/field';

/** A failed step: what failed, the command with its exit code and stderr, the state the machine is in, and what can be done. */
export function FailurePanel({
  uuid,
  iteration,
  node,
  view,
  onAborted,
}: {
  uuid: string;
  iteration: string;
  node: string;
  view: RestoreView;
  onAborted?: () => void;
}) {
  const retry = useRestoreAction();
  const finish = useRestoreAction();
  const f = view.failure;
  const offer = view.finishByHand;
  const busy = retry.pending || finish.pending;
  if (!f) return null;
  return (
    <div role="alert" className="space-y-4 rounded-md border border-status-failed/30 bg-status-failed-bg p-4">
      <div>
        <p className="text-lg font-semibold text-status-failed" data-testid="failure-title">
          The restore stopped while {f.during}
        </p>
        <p>
          Return value <span className="font-mono font-semibold">{f.returnValue}</span> <span className="font-mono">{f.returnName}</span>:{' '}
          {f.returnText}
          {f.by === 'daemon' && <span data-testid="failure-by-daemon"> (answered by the node daemon on {node})</span>}
        </p>
      </div>
      <div>
        <h3 className="font-semibold">What went wrong</h3>
        <p className="break-words" data-testid="failure-reason">
          {f.reason}
        </p>
      </div>
      {f.command && (
        <div>
          <h3 className="font-semibold">The command on {node}</h3>
          <div className="mt-1 space-y-1 rounded bg-surface p-2 font-mono text-xs" data-testid="failure-command">
            <div className="break-all">$ {f.command}</div>
            <div>exit code {f.exitCode ?? 'unknown (no exit status: the connection or the command was cut off)'}</div>
            {f.stderr ? (
              <pre className="whitespace-pre-wrap break-words text-status-failed" aria-label="Standard error">
                {f.stderr}
              </pre>
            ) : (
              <div className="text-muted">(nothing on standard error)</div>
            )}
          </div>
        </div>
      )}
      <div>
        <h3 className="font-semibold">The machine now</h3>
        <p data-testid="machine-state">{f.machineState}</p>
      </div>
      <div>
        <h3 className="font-semibold">What you can do</h3>
        <p className="text-sm">
          {f.reissue
            ? `Fix the cause, then retry: the console asks the node daemon for this step again (${f.reissue}), and the daemon starts that step over.`
            : 'Fix the cause, then retry: the restore continues from the step that failed, checking the node first, and never repeats a step that completed.'}
          {view.canAbort
            ? ' Or abort: nothing live has changed yet, so the retain folder is removed and the iteration goes back to finished.'
            : ` It cannot be aborted: ${view.abortBlocked ?? 'the live machine has already been changed.'}`}
          {view.canRetryWithoutState
            ? ' libvirt refused the saved state (usually because the restored domain differs from the one that was saved): a retry without it defines the machine from the resolved XML and starts it cold.'
            : ''}
        </p>
        {view.finishByHandBlocked && (
          <p className="mt-2 text-sm" data-testid="finish-by-hand-blocked">
            {view.finishByHandBlocked}
          </p>
        )}
        {offer && (
          <div className="mt-2 text-sm" data-testid="finish-by-hand">
            <p>
              The machine itself is restored, so you may also mark the restore as finished and deal with what is left by hand. Nothing on
              the node is changed; the iteration becomes finished and no longer blocks the machine&apos;s backups. What stays as it is:
            </p>
            <ul className="list-disc pl-5" aria-label="What remains">
              {offer.remains.map((r) => (
                <li key={r} className="break-words">
                  {r}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
      <ActionError error={retry.error} />
      <ActionError error={finish.error} />
      <div className="flex flex-wrap items-start gap-3">
        <Button
          type="button"
          disabled={busy}
          pending={retry.pending}
          pendingLabel="Retrying…"
          onClick={() => retry.run(retryRestoreAction, { uuid, iteration })}
        >
          Retry from the failed step
        </Button>
        {view.canRetryWithoutState && (
          <Button
            type="button"
            tone="secondary"
            disabled={busy}
            onClick={() => retry.run(retryRestoreAction, { uuid, iteration, withoutState: true })}
          >
            Retry without the saved state (define and start)
          </Button>
        )}
        {offer && (
          <Button
            type="button"
            tone="secondary"
            disabled={busy}
            pending={finish.pending}
            pendingLabel="Marking as finished…"
            onClick={() => finish.run(finishRestoreAction, { uuid, iteration })}
          >
            Mark as finished
          </Button>
        )}
        {view.canAbort && (
          <AbortButton uuid={uuid} iteration={iteration} onAborted={onAborted} label="Abort the restore (nothing live has changed)" />
        )}
      </div>
    </div>
  );
}

/** A restore this console did not start: explain, and offer what is safe. */
export function ForeignPanel({
  uuid,
  iteration,
  mode,
  canAbort,
  onAborted,
}: {
  uuid: string;
  iteration: string;
  mode: string;
  canAbort: boolean;
  onAborted?: () => void;
}) {
  return (
    <div role="status" className="space-y-3 rounded-md border border-status-stale/30 bg-status-stale-bg p-4">
      <p className="font-semibold text-status-stale">A restore of this iteration was started outside this console (mode {mode}).</p>
      <p>
        The console keeps a journal of every restore it runs; this one has none, so it was started by the VM-Manager, a node daemon or by
        hand. The console does not continue it.{' '}
        {canAbort
          ? 'Nothing live has changed in this mode, so it can be called off: the retain folder is removed and the iteration goes back to finished.'
          : 'In this mode the live machine may already have been changed; check the node before acting.'}
      </p>
      {canAbort && <AbortButton uuid={uuid} iteration={iteration} onAborted={onAborted} label="Call off this restore" />}
    </div>
  );
}
