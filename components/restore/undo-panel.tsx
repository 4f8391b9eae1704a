'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { cancelUndoAction, retryUndoAction, undoRestoreAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/undo/actions';
import type { KeptView, TimedKeptRecord } from '@/lib/restore/kept-records';
import type { UndoPageData } from '@/lib/restore/undo-service';
import { Card, Notice } from '../ui/card';
import { cn } from '../ui/cn';
import { DateTime } from '../ui/date-time';
import { formatBytes } from '../ui/format';
import { DiscardKeptButton } from './discard-kept-button';
import { useRestoreAction } from './use-restore-action';
import { ActionError } from '../ui/action-message';
import { Button } from '../ui/field';

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

async function fetchUndo(uuid: string, iteration: string): Promise<KeptView> {
  const response = await fetch(`/api/restore/${encodeURIComponent(uuid)}/${encodeURIComponent(iteration)}/undo`, { cache: 'no-store' });
  if (!response.ok) throw new Error((await response.json().catch(() => null))?.error ?? `The console answered ${response.status}.`);
  return (await response.json()) as KeptView;
}

function describe(r: TimedKeptRecord): string {
  switch (r.step) {
    case 'undo-started':
      return `Undo started by ${r.by}.`;
    case 'iteration-taken':
      return 'The restored iteration is marked as being restored: no backup or restore of the machine starts meanwhile.';
    case 'machine-stopped':
      return r.how === 'was-not-running'
        ? 'The machine was not running.'
        : r.how === 'destroy'
          ? 'The machine did not shut down in time and was destroyed.'
          : 'The machine was shut down.';
    case 'domain-undefined':
      return r.wasDefined ? 'The domain was undefined.' : 'The domain was not defined.';
    case 'images-placed':
      return `Disks ${r.disks.join(', ')}: the restored images renamed aside, the kept images renamed back (no data written).`;
    case 'directory-restored':
      return `Directory entries put back (${r.changes} ${r.changes === 1 ? 'change' : 'changes'}).`;
    case 'domain-defined':
      return 'The domain was defined from its XML before the restore.';
    case 'domain-started':
      return r.how === 'started'
        ? `The machine was started${r.downtime ? `; it was stopped for ${r.downtime.seconds.toFixed(2)} s` : ''}.`
        : r.how === 'left-stopped'
          ? 'The machine was not running before the restore, so it was left shut off.'
          : 'The domain was not defined before the restore, so it was left undefined.';
    case 'restored-images-removed':
      return `The restored images were removed (${r.files.length} ${r.files.length === 1 ? 'file' : 'files'}).`;
    case 'undone':
      return `Undone: the machine is back as it was before the restore.`;
    case 'undo-cancelled':
      return `Called off by ${r.by} before it changed the machine.`;
    case 'failed':
      return `Failed while ${r.during} (return value ${r.returnValue}${r.exitCode !== undefined ? `, exit code ${r.exitCode}` : ''}).`;
    case 'retried':
      return `Retried by ${r.by}.`;
    case 'resumed':
      return `Continued by console ${r.by} after a restart (last step: ${r.after}).`;
    default:
      return r.step;
  }
}

/**
 * The undo of a restore: what it will do (and what the machine's downtime consists of), why it
 * cannot be done when something changed since, its own confirmation, then its progress and
 * journal. While it runs the page polls; everything comes from the directory, so a reload or
 * another administrator sees the same.
 */
export function UndoPanel({ data, timeZone }: { data: UndoPageData; timeZone: string }) {
  const router = useRouter();
  const { machineUuid: uuid, iteration, machineName: name, node } = data.view;
  const query = useQuery({
    queryKey: ['undo', uuid, iteration, data.view.status, data.view.journal.length],
    queryFn: () => fetchUndo(uuid, iteration),
    initialData: data.view,
    staleTime: 1000,
    refetchInterval: (q) => (q.state.data?.status === 'undoing' ? 1000 : false),
  });
  const view = query.data;
  useEffect(() => {
    if (view.status !== data.view.status) router.refresh();
  }, [view.status, data.view.status, router]);
  const [understood, setUnderstood] = useState(false);
  const undo = useRestoreAction();
  const retry = useRestoreAction();
  const cancel = useRestoreAction();
  const problems = data.check?.problems ?? [];
  const notes = data.check?.notes ?? [];
  const held = view.images.filter((i) => i.held);
  const running = view.undo.steps.find((s) => s.status === 'running');

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
      <div className="min-w-0 space-y-6">
        {query.isError && (
          <Notice tone="warning">Refreshing failed: {query.error.message} The undo itself runs on the server and is not affected.</Notice>
        )}
        <div data-testid="undo-status" data-status={view.status} className="sr-only">
          {view.status}
        </div>
        {view.status === 'undone' && (
          <Notice title="The restore was undone">
            <p data-testid="undo-done">
              {name} is back as it was before the restore of <span className="font-mono">{iteration}</span>: its disk images (the same
              files), domain XML and directory entries
              {view.undo.downtime ? `; it was stopped for ${view.undo.downtime.seconds.toFixed(2)} s` : ''}. The restored images were
              removed.{' '}
              <Link className="text-brand underline" href={`/machines/${uuid}`}>
                Back to {name}
              </Link>
            </p>
          </Notice>
        )}
        {view.status === 'undoing' && (
          <Notice title={`Undoing the restore of ${name} on ${node}`}>
            <p data-testid="undo-running">
              {running ? `${running.label}…` : 'Working…'} The machine is being changed: do not start or change it by hand meanwhile. This
              runs on the server: you can reload or close this page.
            </p>
          </Notice>
        )}
        {view.status === 'undo-failed' && view.undo.failure && (
          <div role="alert" className="space-y-3 rounded-md border border-status-failed/30 bg-status-failed-bg p-4">
            <p className="text-lg font-semibold text-status-failed" data-testid="undo-failure">
              The undo stopped while {view.undo.failure.during}
            </p>
            <p className="break-words">{view.undo.failure.reason}</p>
            {view.undo.failure.command && (
              <div className="rounded bg-surface p-2 font-mono text-xs">
                <div className="break-all">$ {view.undo.failure.command}</div>
                <div>exit code {view.undo.failure.exitCode ?? 'unknown'}</div>
                {view.undo.failure.stderr && (
                  <pre className="whitespace-pre-wrap break-words text-status-failed">{view.undo.failure.stderr}</pre>
                )}
              </div>
            )}
            <p>
              <span className="font-semibold">The machine now: </span>
              {view.undo.failure.machineState} The restored iteration stays marked as being restored, so no backup or restore starts until
              the undo is finished
              {view.undo.canCancel ? ' or called off' : ''}.
            </p>
            <ActionError error={retry.error ?? cancel.error} />
            <div className="flex flex-wrap gap-3">
              <Button
                type="button"
                pending={retry.pending}
                pendingLabel="Retrying…"
                onClick={() => retry.run(retryUndoAction, { uuid, record: view.id })}
                className="px-4 py-2"
              >
                Retry the undo
              </Button>
              {view.undo.canCancel && (
                <Button
                  type="button"
                  tone="secondary"
                  pending={cancel.pending}
                  pendingLabel="Calling off…"
                  onClick={() => cancel.run(cancelUndoAction, { uuid, record: view.id })}
                  className="px-4 py-2"
                >
                  Call the undo off (nothing has changed yet)
                </Button>
              )}
            </div>
          </div>
        )}

        {view.status === 'kept' && (
          <Card title="What the undo does">
            <div className="space-y-4" aria-label="Undo plan">
              {data.newerRestore && (
                <Notice tone="warning">
                  {name} was restored again afterwards (iteration <span className="font-mono">{data.newerRestore.iteration}</span>); only
                  that restore can be undone.
                </Notice>
              )}
              <p>
                Puts {name} back exactly as it was before it was restored from <span className="font-mono">{iteration}</span>
                {view.restoredAt ? (
                  <>
                    {' '}
                    at <DateTime value={view.restoredAt} timeZone={timeZone} /> by {view.restoredBy}
                  </>
                ) : null}
                : the disk images that were live then (kept on {node}, the same files, not copies), its domain XML and its directory
                entries. What the machine wrote to its disks since the restore is discarded with the restored images.
              </p>
              <ol className="list-decimal space-y-1 pl-5" data-testid="undo-steps">
                <li>The restored iteration is marked as being restored, so no backup or restore of {name} starts meanwhile.</li>
                <li>
                  {data.view.domain.wasRunning
                    ? `${name} is shut down (virsh shutdown), and destroyed if it has not stopped after ${data.shutdownTimeoutSeconds} s.`
                    : `${name} is shut down if it runs.`}{' '}
                  <strong>While it is stopped</strong> only these steps run, none of which depends on the size of the disks:
                  <ul className="list-disc pl-5" data-testid="undo-downtime">
                    <li>the domain is undefined;</li>
                    <li>
                      per disk, two renames within its folder (no data is written):
                      <ul className="list-disc pl-5">
                        {view.images.map((i) => (
                          <li key={i.target} data-testid="undo-image">
                            <span className="font-medium">{i.target}</span> <span className="break-all font-mono text-xs">{i.live}</span>:{' '}
                            {i.held ? (
                              <>
                                the restored image goes aside, <span className="break-all font-mono text-xs">{base(i.kept)}</span> (
                                {formatBytes(i.allocatedBytes)}) becomes live again
                              </>
                            ) : (
                              'there was no image here before the restore: the restored one goes aside'
                            )}
                          </li>
                        ))}
                      </ul>
                    </li>
                    <li>the directory entries are put back as they were;</li>
                    <li>
                      {data.view.domain.wasDefined
                        ? 'the domain is defined from its XML as it was'
                        : 'the domain stays undefined, as it was'}
                      ;
                    </li>
                    <li>
                      {data.view.domain.wasRunning
                        ? `${name} is started again.`
                        : `${name} is left shut off, as it was before the restore.`}
                    </li>
                  </ul>
                </li>
                <li>Once it runs, the restored images are removed and the iteration is put back as it was before the restore.</li>
              </ol>
              {notes.length > 0 && (
                <ul className="list-disc pl-5 text-sm" data-testid="undo-notes">
                  {notes.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                </ul>
              )}
              {problems.length > 0 ? (
                <div
                  role="alert"
                  className="rounded-md border border-status-failed/30 bg-status-failed-bg px-3 py-2"
                  data-testid="undo-refused"
                >
                  <p className="font-semibold text-status-failed">This restore cannot be undone now:</p>
                  <ul className="list-disc pl-5">
                    {problems.map((p) => (
                      <li key={p} className="break-words">
                        {p}
                      </li>
                    ))}
                  </ul>
                  <p className="mt-1 text-sm">Nothing was changed. The kept disks stay until you discard them or the retention ends.</p>
                </div>
              ) : (
                <div className="space-y-3">
                  <label className="flex items-start gap-2">
                    <input type="checkbox" className="mt-1" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />
                    <span>I understand that {name} is stopped, and that what it wrote since the restore is discarded.</span>
                  </label>
                  <ActionError error={undo.error} />
                  <Button
                    type="button"
                    tone="destructive"
                    disabled={!understood}
                    pending={undo.pending}
                    pendingLabel="Starting the undo…"
                    onClick={() => undo.run(undoRestoreAction, { uuid, record: view.id })}
                    className="px-4 py-2"
                  >
                    Undo the restore of {name}
                  </Button>
                </div>
              )}
            </div>
          </Card>
        )}
        {view.status === 'kept' && (
          <Card title="Kept disks">
            <p className="mb-3 text-sm">
              {held.length === 0
                ? 'No disk image is kept (there was none where the restore put its images).'
                : `${formatBytes(view.heldBytes)} on ${node}`}
              {view.keptUntil ? (
                <>
                  {' '}
                  · kept until <DateTime value={view.keptUntil} timeZone={timeZone} /> (RESTORE_KEEP_HOURS={data.keepHours})
                </>
              ) : null}
              .
            </p>
            <DiscardKeptButton uuid={uuid} view={view} />
          </Card>
        )}
      </div>
      <aside className="min-w-0 space-y-6">
        {view.undo.startedBy !== null && (
          <Card title="Undo steps">
            <ol className="space-y-1.5" aria-label="Undo steps">
              {view.undo.steps.map((s, i) => (
                <li key={s.key} className="flex items-start gap-2" data-status={s.status}>
                  <span
                    aria-hidden
                    className={cn(
                      'mt-0.5 flex h-5 w-5 shrink-0 items-center justify-center rounded-full text-xs font-semibold',
                      s.status === 'done'
                        ? 'bg-status-protected text-white'
                        : s.status === 'failed'
                          ? 'bg-status-failed text-white'
                          : s.status === 'running'
                            ? 'animate-pulse bg-status-running text-white'
                            : 'border border-line text-muted',
                    )}
                  >
                    {s.status === 'done' ? '✓' : s.status === 'failed' ? '✕' : i + 1}
                  </span>
                  <span className={cn(s.status === 'pending' && 'text-muted', s.status === 'failed' && 'font-semibold text-status-failed')}>
                    {s.label}
                  </span>
                  <span className="sr-only">({s.status})</span>
                </li>
              ))}
            </ol>
            {view.driver && view.status === 'undoing' && (
              <p className="mt-3 text-xs text-muted">
                Driven by console instance {view.driver.instance}
                {view.driver.stale ? ' (not heard from recently: another instance will take over)' : ''}.
              </p>
            )}
          </Card>
        )}
        {view.journal.length > 0 && (
          <Card title="Undo journal">
            <ol className="space-y-1 text-sm" aria-label="Undo journal">
              {view.journal.map((r, i) => (
                <li key={`${r.at}-${i}`} className="flex gap-3" data-step={r.step}>
                  <span className="shrink-0 text-muted">
                    <DateTime value={r.at} timeZone={timeZone} />
                  </span>
                  <span
                    className={cn('min-w-0 wrap-anywhere', r.step === 'failed' && 'text-status-failed')}
                    title={r.step === 'failed' ? r.reason : undefined}
                  >
                    {describe(r)}
                  </span>
                </li>
              ))}
            </ol>
          </Card>
        )}
      </aside>
    </div>
  );
}
