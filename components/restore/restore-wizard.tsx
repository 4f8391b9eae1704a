'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { TimedRecord } from '@/lib/restore/journal';
import type { Preflight } from '@/lib/restore/phase1';
import type { ConflictDto, RestoreStatus } from '@/lib/restore/service';
import type { RestoreStage } from '@/lib/restore/view';
import { Card, Notice } from '../ui/card';
import { cn } from '../ui/cn';
import { DateTime } from '../ui/date-time';
import { formatBytes } from '../ui/format';
import { AbortButton } from './abort-button';
import { ConflictForm } from './conflict-form';
import { FailurePanel, ForeignPanel } from './failure-panel';
import { JournalList } from './journal-list';
import { PlanPanel } from './plan-panel';
import { PreflightPanel } from './preflight-panel';
import { ProgressPanel } from './progress-panel';
import { StepsList } from './steps-list';

/** Stages in which the server works on its own; the page polls while it does. */
const POLL_MS: Partial<Record<RestoreStage, number>> = {
  'copying-small-files': 1500,
  'copying-large-files': 1000,
  restoring: 1000,
  undoing: 2000,
  foreign: 5000,
};

async function fetchStatus(uuid: string, iteration: string): Promise<RestoreStatus> {
  const response = await fetch(`/api/restore/${encodeURIComponent(uuid)}/${encodeURIComponent(iteration)}`, { cache: 'no-store' });
  if (!response.ok) throw new Error((await response.json().catch(() => null))?.error ?? `The console answered ${response.status}.`);
  return (await response.json()) as RestoreStatus;
}

function lastOf<S extends TimedRecord['step']>(records: TimedRecord[], step: S): Extract<TimedRecord, { step: S }> | undefined {
  return [...records].reverse().find((r): r is Extract<TimedRecord, { step: S }> => r.step === step);
}

/** One sentence on where the restore stands and whether anything live has changed. */
function StageBanner({
  stage,
  children,
  tone = 'info',
}: {
  stage: RestoreStage;
  children: ReactNode;
  tone?: 'info' | 'warning' | 'success';
}) {
  return (
    <div
      data-testid="restore-stage"
      data-stage={stage}
      role="status"
      className={cn(
        'rounded-md border px-4 py-3',
        tone === 'warning'
          ? 'border-status-stale/30 bg-status-stale-bg'
          : tone === 'success'
            ? 'border-status-protected/30 bg-status-protected-bg'
            : 'border-status-running/30 bg-status-running-bg',
      )}
    >
      {children}
    </div>
  );
}

/**
 * The restore page. The server renders the current stage with what it needs (pre-flight,
 * differences, plan); while the server works on its own the page polls the status route, shows
 * the copy progress, and re-reads the page when the stage changes. Everything comes from the
 * directory and the node, so a reload or another administrator sees the same.
 */
export function RestoreWizard({
  status: rendered,
  preflight,
  conflicts,
  timeZone,
}: {
  status: RestoreStatus;
  preflight: Preflight | null;
  conflicts: ConflictDto | null;
  timeZone: string;
}) {
  const router = useRouter();
  const { uuid, name, node } = rendered.machine;
  const { iteration } = rendered;
  // Keyed by what the server rendered: after router.refresh() the new server state is the starting point, never an older poll.
  // The restore's start is part of it: a second restore of the iteration passes through the same stage, mode and journal
  // length as the first, whose cached poll (its failure, say) would otherwise be shown for the new one.
  const snapshot = `${rendered.journal[0]?.at ?? ''}|${rendered.view.stage}|${rendered.view.mode}|${rendered.journal.length}`;
  const query = useQuery({
    queryKey: ['restore', uuid, iteration, snapshot],
    queryFn: () => fetchStatus(uuid, iteration),
    initialData: rendered,
    staleTime: 1000,
    refetchInterval: (q) => (q.state.data ? (POLL_MS[q.state.data.view.stage] ?? false) : false),
  });
  const status = query.data;
  const { stage } = status.view;
  useEffect(() => {
    if (stage !== rendered.view.stage) router.refresh();
  }, [stage, rendered.view.stage, router]);
  const [editing, setEditing] = useState(false);
  const [aborted, setAborted] = useState(false);
  const onAborted = () => setAborted(true);
  const finished = lastOf(status.journal, 'finished');
  const startedHow = lastOf(status.journal, 'domain-started');
  const decided = lastOf(status.journal, 'resolved');
  const running = status.view.steps.find((s) => s.status === 'running');
  const daemon = status.view.executor === 'daemon';
  // Console-driven restores of this version copy the images beside the live ones and stop the machine only for renames.
  const staged = decided?.writes?.staging === 'beside-live-image';
  const waitingForDaemon = status.view.waitingForDaemon;

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
      <div className="min-w-0 space-y-6">
        {query.isError && (
          <Notice tone="warning">
            Refreshing failed: {query.error.message} The restore itself runs on the server and is not affected; the page tries again.
          </Notice>
        )}
        {aborted && stage === 'not-a-restore' && (
          <Notice title="The restore was aborted">
            <p data-testid="restore-aborted">
              {status.onlyOnNode
                ? "The retain folder was removed and the machine's leaf that held the restore is back as it was. Nothing live was changed."
                : `The retain folder was removed and iteration ${iteration} is finished again, as before. Nothing live was changed.`}
            </p>
          </Notice>
        )}

        {stage === 'finished' && (
          <StageBanner stage={stage} tone="success">
            <p className="font-semibold text-status-protected">Restore finished</p>
            <p data-testid="restore-finished">
              {name} was restored from iteration <span className="font-mono">{iteration}</span>
              {startedHow
                ? startedHow.how === 'restore-with-state'
                  ? ' and resumed from its saved state'
                  : startedHow.how === 'by-daemon'
                    ? ` by the node daemon on ${node}${status.view.withState ? ', resumed from its saved state' : ''}`
                    : ', defined from the resolved XML and started'
                : ''}
              {finished ? (
                <>
                  {' '}
                  at <DateTime value={finished.at} timeZone={timeZone} />
                </>
              ) : null}
              {finished?.by ? <> (marked as finished by {finished.by})</> : null}. Every iteration is kept.{' '}
              <Link className="text-brand underline" href={`/machines/${uuid}`}>
                Back to {name}
              </Link>
            </p>
            {status.view.downtime && (
              <p className="mt-1 text-sm" data-testid="restore-downtime">
                {name} was stopped for {status.view.downtime.seconds.toFixed(2)} s (from{' '}
                <DateTime value={status.view.downtime.stoppedAt} timeZone={timeZone} /> until it ran again).
              </p>
            )}
            {status.view.undo?.state === 'undone' ? (
              <p className="mt-1 text-sm" data-testid="restore-undone">
                This restore was undone by {status.view.undo.by} at <DateTime value={status.view.undo.at} timeZone={timeZone} />: {name} is
                back as it was before it.{' '}
                <Link className="text-brand underline" href={`/machines/${uuid}/restore/${iteration}/undo`}>
                  The undo’s journal
                </Link>
              </p>
            ) : status.kept?.status === 'kept' ? (
              <p className="mt-1 text-sm" data-testid="restore-kept">
                The disk images, domain XML and directory entries it replaced are kept ({formatBytes(status.kept.heldBytes)} on {node}
                {status.kept.keptUntil ? (
                  <>
                    , until <DateTime value={status.kept.keptUntil} timeZone={timeZone} />
                  </>
                ) : null}
                ).{' '}
                {status.kept.newest ? (
                  <Link className="text-brand underline" href={`/machines/${uuid}/restore/${iteration}/undo`}>
                    Undo this restore…
                  </Link>
                ) : (
                  'A later restore of the machine replaced them again: this one can only be discarded (on the machine page).'
                )}
              </p>
            ) : daemon ? (
              <p className="mt-1 text-sm text-muted" data-testid="restore-not-undoable">
                The node daemon replaced the images and keeps nothing of the previous ones, so this restore cannot be undone.
              </p>
            ) : null}
            {finished?.remains && finished.remains.length > 0 && (
              <div className="mt-2 text-sm" data-testid="restore-remains">
                <p className="font-medium">Left as it was, to deal with by hand:</p>
                <ul className="list-disc pl-5">
                  {finished.remains.map((r) => (
                    <li key={r} className="break-words">
                      {r}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {decided && (decided.plan.overwritten.length > 0 || decided.plan.kept.length > 0) && (
              <ul className="mt-2 list-disc pl-5 text-sm" aria-label="What was decided">
                {decided.plan.overwritten.map((t) => (
                  <li key={`o ${t}`}>From the backup: {t}</li>
                ))}
                {decided.plan.kept.map((t) => (
                  <li key={`k ${t}`}>Kept live: {t}</li>
                ))}
              </ul>
            )}
          </StageBanner>
        )}
        {stage === 'not-a-restore' && preflight && (
          <Card title="Before the restore: pre-flight checks">
            <PreflightPanel uuid={uuid} iteration={iteration} preflight={preflight} />
          </Card>
        )}
        {stage === 'finished' && preflight && (
          <details className="rounded-lg border border-line bg-surface p-4">
            <summary className="cursor-pointer font-medium">Restore this iteration again…</summary>
            <div className="mt-4">
              <PreflightPanel uuid={uuid} iteration={iteration} preflight={preflight} />
            </div>
          </details>
        )}

        {stage === 'copying-small-files' && (
          <StageBanner stage={stage}>
            Phase 1: {daemon ? `the node daemon on ${node} copies` : 'copying'} the domain XML and the LDIF into the retain folder… Nothing
            live changes.
          </StageBanner>
        )}
        {waitingForDaemon && (stage === 'copying-small-files' || stage === 'copying-large-files' || stage === 'restoring') && (
          <Notice title="Waiting for the node daemon">
            <p data-testid="waiting-for-daemon">
              The node daemon on {node} was asked at <DateTime value={waitingForDaemon.since} timeZone={timeZone} /> to{' '}
              {waitingForDaemon.what} (command <span className="font-mono">{waitingForDaemon.command}</span>);{' '}
              {waitingForDaemon.taken ? 'it has taken the command and is working on it.' : 'it has not taken the command yet.'} If it shows
              no sign of work for {status.daemonTimeoutSeconds} s, the console stops waiting and says so here.
            </p>
          </Notice>
        )}

        {stage === 'deciding' && (
          <StageBanner stage={stage}>
            <strong>Phase 1 · decide the differences.</strong> Nothing live has changed yet; you can abort at any time before you confirm
            the plan.
          </StageBanner>
        )}
        {stage === 'confirming' && (
          <StageBanner stage={stage}>
            <strong>Phase 1 · {editing ? 'change your decisions' : 'review the plan'}.</strong> Nothing live has changed yet.{' '}
            {editing ? 'Review the plan again when you are done.' : `Confirming starts phase 2, which changes ${name} as the plan says.`}
          </StageBanner>
        )}
        {(stage === 'deciding' || (stage === 'confirming' && editing)) && conflicts && (
          <Card title="Differences between the backup and the live machine">
            <ConflictForm
              uuid={uuid}
              iteration={iteration}
              data={conflicts}
              onResolved={() => setEditing(false)}
              onCancel={stage === 'confirming' ? () => setEditing(false) : undefined}
              onAborted={onAborted}
            />
          </Card>
        )}
        {stage === 'confirming' && !editing && conflicts && (
          <Card title="The plan">
            <PlanPanel
              uuid={uuid}
              iteration={iteration}
              machineName={name}
              data={conflicts}
              onChange={() => setEditing(true)}
              onAborted={onAborted}
              executor={status.view.executor}
            />
          </Card>
        )}
        {(stage === 'deciding' || stage === 'confirming') && !conflicts && (
          <Card title="Differences between the backup and the live machine">
            <p className="mb-3">
              The differences cannot be shown right now (see above). Reload to try again, or abort the restore: nothing live has changed.
            </p>
            <AbortButton uuid={uuid} iteration={iteration} onAborted={onAborted} />
          </Card>
        )}

        {stage === 'copying-large-files' && (
          <>
            <StageBanner stage={stage}>
              <strong>
                Phase 2 · {daemon ? `the node daemon on ${node} copies` : 'copying'} the saved state{' '}
                {staged ? 'into the retain folder and the disk images beside the live ones' : 'and the disk images into the retain folder'}.
              </strong>{' '}
              Nothing live has changed yet{staged ? `, and ${name} keeps running until the copies are checked and written out to disk` : ''}
              . This runs on the server
              {daemon ? ' and the node' : ''}: you can reload or close this page.
            </StageBanner>
            <Card title="Copy progress">{status.progress ? <ProgressPanel progress={status.progress} /> : <p>Preparing the copy…</p>}</Card>
          </>
        )}
        {status.view.waitingForBroker && stage === 'copying-large-files' && (
          <Notice title="Waiting for the broker">
            <p data-testid="waiting-for-broker">
              The copies are checked, the directory entries restored and the resolved XML is the machine&apos;s definition. Where the
              FOSS-Cloud broker runs, it stops the machine and asks the node daemon for the restore by itself; the console leaves it{' '}
              {status.view.waitingForBroker.seconds} s (since <DateTime value={status.view.waitingForBroker.since} timeZone={timeZone} />)
              and then shuts the machine down and asks itself.
            </p>
          </Notice>
        )}
        {stage === 'restoring' && (
          <StageBanner stage={stage} tone="warning">
            <strong>
              Phase 2 · restoring {name} on {node}
            </strong>
            {running ? <>: {running.label.charAt(0).toLowerCase() + running.label.slice(1)}…</> : '…'} The live machine is being changed: do
            not start or change it by hand meanwhile. This runs on the server: you can reload or close this page.
            {daemon && (
              <span className="mt-1 block text-sm" data-testid="restore-downtime-plan">
                The node daemon moves the copied images over the live ones while {name} is stopped; on ext4 that writes each copy out first,
                so the machine stays stopped longer the larger its disks are.
              </span>
            )}
            {staged && (
              <span className="mt-1 block text-sm" data-testid="restore-downtime-plan">
                While {name} is stopped only renames and steps that do not depend on the size of its disks run (undefine, rename each image
                into place, directory entries, define and {status.view.withState ? 'restore the saved state' : 'start'}): the downtime is
                seconds, whatever the size of the disks.
              </span>
            )}
          </StageBanner>
        )}
        {stage === 'undoing' && (
          <StageBanner stage={stage} tone="warning">
            <strong>This restore is being undone</strong>
            {status.view.undo ? ` (started by ${status.view.undo.by})` : ''}: {name} goes back to its disks, definition and directory
            entries from before it.{' '}
            <Link className="text-brand underline" href={`/machines/${uuid}/restore/${iteration}/undo`}>
              Follow the undo
            </Link>
          </StageBanner>
        )}
        {stage === 'foreign' && (
          <ForeignPanel uuid={uuid} iteration={iteration} mode={status.view.mode} canAbort={status.view.canAbort} onAborted={onAborted} />
        )}
        {stage === 'failed' && (
          <div data-testid="restore-stage" data-stage={stage}>
            <FailurePanel uuid={uuid} iteration={iteration} node={node} view={status.view} onAborted={onAborted} />
          </div>
        )}
      </div>
      <aside className="min-w-0 space-y-6">
        {status.onlyOnNode && (
          <Notice title="Only on the node">
            <p className="text-sm" data-testid="restore-only-on-node">
              Iteration <span className="font-mono">{iteration}</span> has no leaf in the directory: it is restored from its folder on{' '}
              {node}.{' '}
              {status.onlyOnNode.leaf ? (
                <>
                  The machine&apos;s leaf <span className="font-mono">{status.onlyOnNode.leaf}</span> holds this restore&apos;s modes until
                  it ends, so the stoney wrapper skips the machine meanwhile; then the leaf gets its own mode, state and return value back.
                </>
              ) : (
                <>While it is restored, the machine&apos;s one leaf holds the restore&apos;s modes; nothing is added under ou=backup.</>
              )}
            </p>
          </Notice>
        )}
        <Card title="Steps">
          {stage !== 'not-a-restore' && stage !== 'foreign' && (
            <p className="mb-3 text-sm" data-testid="restore-executor" data-executor={status.view.executor}>
              {daemon ? (
                <>
                  <strong>The node daemon on {node}</strong> executes the node steps; this console asks for each one in the directory, waits
                  for the answer, and does the rest (directory entries, checks) itself.
                </>
              ) : (
                <>
                  <strong>This console</strong> executes the node steps on {node} over SSH, writing nothing a node daemon or the broker
                  would act on.
                </>
              )}
              {status.view.executorReason && <span className="block text-xs text-muted">{status.view.executorReason}</span>}
            </p>
          )}
          <StepsList steps={status.view.steps} stage={stage} />
          {status.view.driver && (stage === 'copying-large-files' || stage === 'restoring') && (
            <p className="mt-3 text-xs text-muted">
              Driven by console instance {status.view.driver.instance}
              {status.view.driver.stale ? ' (not heard from recently: another instance will take over)' : ''}.
            </p>
          )}
        </Card>
        {status.journal.length > 0 && (
          <Card title="Journal">
            <JournalList records={status.journal} timeZone={timeZone} />
          </Card>
        )}
      </aside>
    </div>
  );
}
