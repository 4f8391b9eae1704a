'use client';

import type { ConflictDto } from '@/lib/restore/service';
import { confirmRestoreAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/actions';
import { Notice } from '../ui/card';
import { AbortButton } from './abort-button';
import { useRestoreAction } from './use-restore-action';
import { ActionError } from '../ui/action-message';
import { Button } from '../ui/field';

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

function List({ title, items, empty, testId }: { title: string; items: string[]; empty: string; testId: string }) {
  return (
    <div data-testid={testId}>
      <h3 className="font-semibold">{title}</h3>
      {items.length === 0 ? (
        <p className="text-muted">{empty}</p>
      ) : (
        <ul className="list-disc pl-5">
          {items.map((i) => (
            <li key={i} className="break-words">
              {i}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The last stop before anything live changes: what the decisions change, and what phase 2 will do to the machine, in order. */
export function PlanPanel({
  uuid,
  iteration,
  machineName,
  data,
  onChange,
  onAborted,
  executor = 'console',
}: {
  uuid: string;
  iteration: string;
  machineName: string;
  data: ConflictDto;
  onChange: () => void;
  onAborted?: () => void;
  /** Who executes the node steps (the wizard knows it from the journal). */
  executor?: 'console' | 'daemon';
}) {
  const confirm = useRestoreAction();
  const plan = data.plan ?? { overwritten: [], kept: [], entriesAdded: [], entriesRemoved: [] };
  const risks = plan.savedStateRisks ?? [];
  const running = data.domainState === 'running' || data.domainState === 'paused';
  const undefinedNow = data.domainState === 'undefined';
  const staged = data.writes?.staging === true;
  const daemon = executor === 'daemon';
  return (
    <div className="space-y-5" aria-label="Restore plan">
      <div className="grid gap-4 md:grid-cols-2">
        <List
          testId="plan-overwritten"
          title="Taken from the backup"
          items={plan.overwritten}
          empty="Nothing: no difference was decided for the backup."
        />
        <List
          testId="plan-kept"
          title="Kept as it is live"
          items={plan.kept}
          empty="Nothing: no difference was decided for the live machine."
        />
        {(plan.entriesAdded.length > 0 || plan.entriesRemoved.length > 0) && (
          <>
            <List testId="plan-added" title="Directory entries added back" items={plan.entriesAdded} empty="None." />
            <List testId="plan-removed" title="Directory entries removed" items={plan.entriesRemoved} empty="None." />
          </>
        )}
      </div>
      {risks.length > 0 && data.withState && (
        <Notice tone="warning" title="The saved state may be refused">
          <p>
            These decisions change parts of the domain that libvirt compares when it restores a saved state. If <code>virsh restore</code>{' '}
            refuses, the restore stops at its last step: images and directory entries restored, the domain defined but not running. To avoid
            that, take these settings from the backup, or set &ldquo;Restore without state&rdquo; in the machine&apos;s backup configuration
            and decide again.
          </p>
          <ul className="mt-1 list-disc pl-5">
            {risks.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </Notice>
      )}
      <div>
        <h3 className="font-semibold">What happens to {machineName} when you confirm</h3>
        <ol className="mt-1 list-decimal space-y-1 pl-5" data-testid="plan-steps">
          {staged ? (
            <li>
              While {machineName} still runs: the saved state is copied into the retain folder
              {data.writes ? <span className="break-all font-mono text-xs"> {data.writes.retainFolder}</span> : null}, and each disk image
              beside the live image it replaces. Each copy is checked against the backup (size and checksum, <code>qemu-img check</code>)
              and written out to disk. This is the part that takes longer the larger the disks are; nothing live changes during it.
            </li>
          ) : (
            <li>
              The saved state and the disk images{data.writes ? ` (${data.writes.copies.length} files)` : ''} are copied into the retain
              folder
              {data.writes ? <span className="break-all font-mono text-xs"> {data.writes.retainFolder}</span> : null} and checked (size,{' '}
              <code>qemu-img check</code>). Nothing live changes during the copy.
            </li>
          )}
          <li>
            {running
              ? `${machineName} is running now: it is shut down (virsh shutdown), and destroyed if it has not stopped after ${data.shutdownTimeoutSeconds} s.`
              : undefinedNow
                ? `${machineName} is not defined on the node now; nothing has to be stopped.`
                : `${machineName} is not running now (${data.domainState}); nothing has to be stopped.`}
          </li>
          {staged && (
            <li data-testid="plan-downtime">
              <strong>While {machineName} is stopped</strong> only steps whose cost does not depend on the size of its disks run: what the
              restore replaces is recorded, the domain is undefined, each disk image is put in place with two renames in its folder (no data
              is written), the directory entries are written, and the domain is defined and{' '}
              {data.withState ? 'restored from the saved state' : 'started'}. Expected downtime: a few seconds plus the time libvirt takes
              to {data.withState ? 'restore the saved state' : 'start the machine'}, the same for small and large disks. The journal records
              the real one.
            </li>
          )}
          {!staged && <li>The domain is undefined (its disk images stay).</li>}
          <li data-testid="plan-images">
            {!data.writes || data.writes.moves.length === 0 ? (
              'No live disk image is replaced: the resolved domain has none of the backup’s disk images.'
            ) : staged ? (
              <>
                {data.writes.moves.length === 1
                  ? 'This live disk image is replaced'
                  : `These ${data.writes.moves.length} live disk images are replaced`}{' '}
                by the backup&apos;s checked copy, and kept under another name beside it (not copied), so that the restore can be undone
                until the kept disks are discarded:
                <ul className="list-disc pl-5">
                  {data.writes.moves.map((m) => (
                    <li key={m.target} data-testid="plan-image">
                      <span className="font-medium">{m.target}</span> <span className="break-all font-mono text-xs">{m.destination}</span>{' '}
                      <span className="text-muted">
                        (from {m.file}; kept as {m.kept ? base(m.kept) : 'nothing'})
                      </span>
                    </li>
                  ))}
                </ul>
                No other file outside the retain folder is written.
              </>
            ) : (
              <>
                {data.writes.moves.length === 1
                  ? 'This live disk image is replaced'
                  : `These ${data.writes.moves.length} live disk images are replaced`}{' '}
                by the backup&apos;s copy (one rename each), and no other file outside the retain folder is written:
                <ul className="list-disc pl-5">
                  {data.writes.moves.map((m) => (
                    <li key={m.target} data-testid="plan-image">
                      <span className="font-medium">{m.target}</span> <span className="break-all font-mono text-xs">{m.destination}</span>{' '}
                      <span className="text-muted">(from {m.file})</span>
                    </li>
                  ))}
                </ul>
                {daemon
                  ? 'The node daemon moves them over the live images while the machine is stopped; it does not keep the images it replaces, so this restore cannot be undone. Where the images are on ext4, moving a freshly copied image over another makes the file system write the copy out first, so the machine stays stopped longer the larger the disks are.'
                  : 'They are moved while the machine is stopped; the images they replace are not kept.'}
              </>
            )}
          </li>
          <li>The directory entries are written as decided above.</li>
          <li data-testid="restore-kind">
            {data.withState
              ? `${machineName} is restored from the saved state (virsh restore): it resumes where it was when the backup was taken.`
              : `${machineName} is defined from the resolved XML and started (no saved state).`}
          </li>
          <li>The iteration is marked finished and the retain folder removed. Every iteration of the machine is kept.</li>
        </ol>
      </div>
      <p className="text-muted">
        After you confirm, the restore runs on the server without further questions; you can reload or close this page and come back. It can
        no longer be aborted once the machine has been stopped.
      </p>
      <ActionError error={confirm.error} />
      <div className="flex flex-wrap items-start gap-3">
        <Button
          type="button"
          tone="destructive"
          pending={confirm.pending}
          pendingLabel="Starting phase 2…"
          onClick={() => confirm.run(confirmRestoreAction, { uuid, iteration })}
        >
          Confirm and restore {machineName}
        </Button>
        <Button type="button" tone="secondary" onClick={onChange}>
          Change decisions
        </Button>
        <AbortButton uuid={uuid} iteration={iteration} onAborted={onAborted} />
      </div>
    </div>
  );
}
