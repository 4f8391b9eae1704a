import { describeReturnCode } from '@/lib/backup/return-codes';
import { commandFor, DAEMON_COMMANDS, type Executor } from './daemon-protocol';
import { decodeLease, executorOf, has, isUndoing, last, type TimedRecord } from './journal';
import { resolvedFolderOf } from './writes';
import { RETURN_CODE } from '@/lib/backup/return-codes';

/**
 * Where a restore stands, derived only from what the directory holds (the iteration's mode,
 * state and return value, and the journal), so every console instance shows the same thing.
 */

export type RestoreStage =
  | 'copying-small-files'
  | 'deciding'
  | 'confirming'
  | 'copying-large-files'
  | 'restoring'
  | 'finished'
  | 'failed'
  /** The finished restore is being undone (undo.ts); its own page shows how far. */
  | 'undoing'
  /** In a restore mode but without a journal: started outside this console (VM-Manager, by hand). */
  | 'foreign'
  | 'not-a-restore';

export type StepStatus = 'done' | 'running' | 'pending' | 'failed' | 'skipped';

export interface RestoreStep {
  key: string;
  label: string;
  status: StepStatus;
}

export interface RestoreView {
  stage: RestoreStage;
  phase: 1 | 2 | null;
  mode: string;
  /** Who executes the node steps: the node daemon or this console (from the journal). */
  executor: Executor;
  executorReason: string | null;
  steps: RestoreStep[];
  failure: (Extract<TimedRecord, { step: 'failed' }> & { returnName: string; returnText: string }) | null;
  /** Daemon-driven: the command the console waits for the node daemon to answer, and since when. */
  waitingForDaemon: { command: string; what: string; since: string; taken: boolean } | null;
  /** Daemon-driven: the broker moved the iteration on by itself (fact 2), at this mode. */
  followedBroker: boolean;
  /** Daemon-driven: the console leaves the broker time to ask for the restore itself, since and for how long. */
  waitingForBroker: { since: string; seconds: number } | null;
  /** Nothing live has changed yet and nothing else can still act on the iteration, so the restore can still be called off. */
  canAbort: boolean;
  /** Why it cannot, in words (null when it can, or when there is no restore to abort). */
  abortBlocked: string | null;
  canRetry: boolean;
  /** libvirt refused the saved state: the retry may define and start the machine without it instead. */
  canRetryWithoutState: boolean;
  /**
   * The live machine is restored as far as it matters (images and directory entries restored,
   * domain defined from the resolved XML), so an administrator may mark the restore finished
   * and deal by hand with what `remains` names. Null when that would not be safe.
   */
  finishByHand: { remains: string[]; domainMustBeDefined: boolean } | null;
  /** Why a failed restore cannot be marked as finished, in words (null when it can, or when nothing failed). */
  finishByHandBlocked: string | null;
  canDecide: boolean;
  canConfirm: boolean;
  driver: { instance: string; expires: string; stale: boolean } | null;
  startedBy: string | null;
  withState: boolean | null;
  /** The last undo of this restore (started, done or called off), with its kept record, when there was one. */
  undo: { record: string; state: 'undoing' | 'undone' | 'undo-cancelled'; by: string; at: string } | null;
  /** Downtime of the restore (machine found stopped → running again), when it stopped a running machine. */
  downtime: { stoppedAt: string; seconds: number } | null;
}

export const PHASE1_MODES = ['unretainSmallFiles', 'unretainingSmallFiles', 'unretainedSmallFiles'] as const;
export const COPY_MODES = ['unretainLargeFiles', 'unretainingLargeFiles', 'unretainedLargeFiles'] as const;
export const RESTORE_MODES = ['restore', 'restoring', 'restored'] as const;
export const PHASE2_MODES = [...COPY_MODES, ...RESTORE_MODES] as const;
export const ALL_RESTORE_MODES = [...PHASE1_MODES, ...PHASE2_MODES] as const;

const CONSOLE_STEPS: { key: string; label: string }[] = [
  { key: 'small-files', label: 'Unretain the small files (domain XML and LDIF)' },
  { key: 'decide', label: 'Resolve the conflicts between backup and live machine' },
  { key: 'confirm', label: 'Confirm the plan' },
  { key: 'large-files', label: 'Unretain the large files (saved state and disk images)' },
  { key: 'verify', label: 'Verify the copies (size, qemu-img check)' },
  { key: 'stop', label: 'Stop the machine' },
  { key: 'undefine', label: 'Undefine the domain' },
  { key: 'move', label: 'Move the disk images over the live ones' },
  { key: 'directory', label: 'Bring the directory entries to the resolved state' },
  { key: 'start', label: 'Start the machine from the resolved XML' },
  { key: 'finish', label: 'Mark the iteration finished and remove the retain folder' },
];

/**
 * Console-driven with the images staged beside the live ones (writes.ts): everything that grows
 * with the images before the machine is stopped; while it is stopped, only renames and steps
 * whose cost does not depend on the images' size.
 */
const STAGED_STEPS: { key: string; label: string }[] = [
  ...CONSOLE_STEPS.slice(0, 3),
  { key: 'large-files', label: 'Copy the saved state into the retain folder and each disk image beside its live image (the machine runs)' },
  { key: 'verify', label: 'Check the copies against the backup (size, checksum, qemu-img check) and write them out to disk' },
  { key: 'stop', label: 'Stop the machine (the downtime starts)' },
  { key: 'undefine', label: 'Record what the restore replaces (kept for an undo) and undefine the domain' },
  { key: 'move', label: 'Rename each live image to its kept name and the checked copy into its place (no data is written)' },
  { key: 'directory', label: 'Bring the directory entries to the resolved state' },
  { key: 'start', label: 'Start the machine from the resolved XML (the downtime ends)' },
  { key: 'finish', label: 'Mark the iteration finished and remove the retain folder' },
];

/** Daemon-driven: the node daemon's steps are named as its; the rest is the console's. */
const DAEMON_STEPS: { key: string; label: string }[] = [
  { key: 'small-files', label: 'Node daemon: unretain the small files (domain XML and LDIF)' },
  { key: 'decide', label: 'Resolve the conflicts between backup and live machine' },
  { key: 'confirm', label: 'Confirm the plan (the resolved XML goes where the node daemon reads it)' },
  { key: 'large-files', label: 'Node daemon: unretain the large files (saved state and disk images, checked)' },
  { key: 'verify', label: 'Check the copies (size, qemu-img check)' },
  { key: 'directory', label: 'Bring the directory entries to the resolved state' },
  { key: 'define', label: 'Make the resolved XML the domain definition' },
  { key: 'stop', label: 'Stop the machine' },
  { key: 'restore', label: 'Node daemon: move the images over the live ones, restore the machine, remove the retain folder' },
  { key: 'finish', label: 'Check the result and mark the iteration finished' },
];

const isOneOf = (modes: readonly string[], mode: string) => modes.some((m) => m.toLowerCase() === mode.toLowerCase());

const answered = (records: TimedRecord[], mode: string) =>
  records.some((r) => r.step === 'daemon-answered' && r.mode.toLowerCase() === mode.toLowerCase());

function doneSteps(records: TimedRecord[], mode: string, executor: Executor): { done: Set<string>; skipped: Set<string> } {
  const done = new Set<string>();
  const skipped = new Set<string>();
  const lower = mode.toLowerCase();
  const phase2 = isOneOf(PHASE2_MODES, lower);
  // The mode tells it too: a restore started elsewhere (VM-Manager, by hand) has no journal, yet
  // once it is past copying the small files, that step is done.
  if (has(records, 'small-files-copied') || answered(records, 'unretainedSmallFiles') || lower === 'unretainedsmallfiles')
    done.add('small-files');
  if (has(records, 'resolved')) done.add('decide');
  if (has(records, 'confirmed')) done.add('confirm');
  // Phase 2 comes only after phase 1, whatever of it the journal holds (older consoles, a daemon's answer no console saw).
  if (phase2 || done.has('confirm')) ['small-files', 'decide', 'confirm'].forEach((k) => done.add(k));
  if (has(records, 'large-files-verified')) {
    done.add('large-files');
    done.add('verify');
  }
  if (has(records, 'machine-stopped')) done.add('stop');
  if (has(records, 'directory-restored')) done.add('directory');
  if (executor === 'console') {
    if (has(records, 'domain-undefined')) done.add('undefine');
    if (has(records, 'directory-restored')) done.add('move');
    if (has(records, 'domain-started') || has(records, 'finished') || lower === 'restored') done.add('start');
  } else {
    if (answered(records, 'unretainedLargeFiles')) done.add('large-files');
    if (has(records, 'domain-defined')) done.add('define');
    if (answered(records, 'restored') || has(records, 'domain-started') || has(records, 'finished')) done.add('restore');
    // The broker asked for the restore and stopped the machine itself: the console did not.
    if (has(records, 'followed')) {
      if (!done.has('stop')) skipped.add('stop');
      if (!has(records, 'large-files-verified')) skipped.add('verify');
    }
  }
  if (has(records, 'finished')) done.add('finish');
  return { done, skipped };
}

/**
 * Whether a restore can still be called off, and why not. Never once anything live changed;
 * never while a command waits for the node daemon or the daemon works on one (it writes its
 * modes without compare-and-set, so it would overwrite the aborted iteration); never on
 * `unretainedLargeFiles` with return value 0 in a daemon-driven restore (the broker moves that
 * on by itself and stops the machine, fact 2).
 */
export function abortRule(input: {
  mode: string;
  state: string;
  returnValue: number | null;
  records: TimedRecord[];
}): { ok: true } | { ok: false; reason: string } {
  const { mode, records } = input;
  const rv = input.returnValue ?? RETURN_CODE.SUCCESS;
  const started = has(records, 'started');
  if (
    records.some((r) =>
      ['machine-stopped', 'domain-undefined', 'image-moved', 'directory-restored', 'domain-defined', 'followed'].includes(r.step),
    ) ||
    answered(records, 'restored')
  ) {
    return { ok: false, reason: 'The restore has already changed the live machine; it can only be continued, not aborted.' };
  }
  if (!started) {
    // A restore this console did not start: only where nothing live can have changed yet.
    return isOneOf([...PHASE1_MODES, 'unretainLargeFiles', 'unretainedLargeFiles'], mode)
      ? { ok: true }
      : {
          ok: false,
          reason: `A restore started outside this console is in mode ${mode}; the console does not know enough about it to abort it safely.`,
        };
  }
  if (executorOf(records) === 'console') {
    if (isOneOf([...PHASE1_MODES, ...COPY_MODES, 'restore'], mode)) return { ok: true };
    if (mode.toLowerCase() === 'restoring' && rv !== RETURN_CODE.SUCCESS) return { ok: true };
    return { ok: false, reason: `The iteration is in mode ${mode}; it can no longer be aborted.` };
  }
  const command = commandFor(mode);
  const inScope = isOneOf([...PHASE1_MODES, ...COPY_MODES], mode);
  if (!inScope) return { ok: false, reason: `The iteration is in mode ${mode}; it can no longer be aborted.` };
  if (command && mode.toLowerCase() === command.toLowerCase() && input.state.trim() === '0') {
    return {
      ok: false,
      reason: `The node daemon has been asked to ${DAEMON_COMMANDS[command].what} and may be doing it now. Wait for its answer (or for the console to give up on it), then abort.`,
    };
  }
  if (rv === RETURN_CODE.SUCCESS && command && mode.toLowerCase() === DAEMON_COMMANDS[command].working.toLowerCase()) {
    return { ok: false, reason: `The node daemon is working on this restore (mode ${mode}); abort once it has answered.` };
  }
  if ((rv === RETURN_CODE.SUCCESS || rv === RETURN_CODE.WRONG_STATE_INFORMATION) && mode.toLowerCase() === 'unretainedlargefiles') {
    return {
      ok: false,
      reason:
        'The large files are unretained: the broker moves such a restore on by itself and stops the machine, so it can no longer be called off safely.',
    };
  }
  return { ok: true };
}

/** The phase-2 step that restores the saved state (its failure is where a retry without the state helps). */
export const RESTORING_SAVED_STATE = 'restoring the saved state';

/** Daemon-driven: the console's checks after the node daemon's `restored` (their failures decide whether marking finished is safe). */
export const CHECKING_RESTORED_MACHINE = 'checking the restored machine';
export const CHECKING_RESTORED_IMAGES = 'checking the restored disk images';

/**
 * The failed restore's way out without a retry, where one is safe (see RestoreView.finishByHand),
 * or why not. Console-driven, the console knows each step it took: the images are moved before
 * the directory entries are restored, and the domain is defined from the resolved XML after both.
 * Daemon-driven, the console applies the directory decisions and the definition before the node
 * daemon's restore, whose own steps it cannot see: only after the daemon answered `restored`
 * (images moved, machine restored) is the machine restored as far as it matters, and not when the
 * console's check found a live image that is not the backup's.
 */
function finishByHandOffer(
  records: TimedRecord[],
  mode: string,
  executor: Executor,
): { offer: RestoreView['finishByHand']; blocked: string | null } {
  const started = last(records, 'started');
  if (!started) return { offer: null, blocked: null };
  const lower = mode.toLowerCase();
  const none = { offer: null, blocked: null };
  if (executor === 'daemon') {
    const failure = last(records, 'failed');
    if (lower === 'restoring' || lower === 'restore') {
      return {
        offer: null,
        blocked:
          'The node daemon executes this restore and the console cannot see how far its restore step got (which images it moved, whether it restored the machine), so it cannot be marked as finished; nor can it be retried without the saved state, which the daemon decides by itself. Check the node, then retry: the daemon starts its restore over.',
      };
    }
    if (lower !== 'restored') return none;
    if (failure?.during === CHECKING_RESTORED_IMAGES) {
      return {
        offer: null,
        blocked:
          'A live disk image is not the backup’s after the node daemon’s restore, so the restore cannot be marked as finished: check the images on the node, then retry the check.',
      };
    }
    if (!has(records, 'directory-restored') || !has(records, 'domain-defined')) {
      return {
        offer: null,
        blocked:
          'The directory entries or the domain definition are not the resolved ones yet, so the restore cannot be marked as finished: retry (the console applies them).',
      };
    }
    const left = `Whatever is left of the retain folder ${started.retainFolder} and the console’s copy of the resolved files ${resolvedFolderOf(started.retainFolder)} stays on node ${started.node}: remove it by hand once it is no longer needed.`;
    if (failure?.during === CHECKING_RESTORED_MACHINE) {
      return {
        offer: {
          remains: ['The domain is defined from the resolved XML but not running: start it (virsh start) when you are ready.', left],
          domainMustBeDefined: true,
        },
        blocked: null,
      };
    }
    return { offer: { remains: [left], domainMustBeDefined: false }, blocked: null };
  }
  const retain = `The retain folder ${started.retainFolder} stays on node ${started.node}: remove it by hand once it is no longer needed.`;
  if (lower === 'restored') return { offer: { remains: [retain], domainMustBeDefined: false }, blocked: null };
  if (lower !== 'restoring' || !has(records, 'directory-restored')) return none;
  if (has(records, 'domain-started')) return { offer: { remains: [retain], domainMustBeDefined: false }, blocked: null };
  if (!has(records, 'domain-defined')) return none;
  return {
    offer: {
      remains: ['The domain is defined from the resolved XML but not running: start it (virsh start) when you are ready.', retain],
      domainMustBeDefined: true,
    },
    blocked: null,
  };
}

export function deriveRestoreView(input: {
  mode: string;
  /** sstProvisioningState: `0` marks a command waiting for the node daemon. */
  state?: string;
  returnValue: number | null;
  records: TimedRecord[];
  lease: string | null;
  now: Date;
}): RestoreView {
  const { mode, records } = input;
  const lower = mode.toLowerCase();
  const executor = executorOf(records);
  const inPhase1 = isOneOf(PHASE1_MODES, lower);
  const inCopy = isOneOf(COPY_MODES, lower);
  const inRestore = isOneOf(RESTORE_MODES, lower);
  const failedRecord = last(records, 'failed');
  const lastRetry = Math.max(
    records.lastIndexOf(last(records, 'retried') as TimedRecord),
    records.lastIndexOf(last(records, 'resumed') as TimedRecord),
  );
  const undoing = isUndoing(records);
  const failed =
    !undoing &&
    (input.returnValue ?? RETURN_CODE.SUCCESS) !== RETURN_CODE.SUCCESS &&
    failedRecord !== undefined &&
    records.lastIndexOf(failedRecord) > lastRetry;
  const resolved = has(records, 'resolved');
  let stage: RestoreStage = 'not-a-restore';
  // A console that died between writing `finished` and its journal record still finished the restore (and the broker finishes a daemon's `restored` by itself).
  if (lower === 'finished' && (has(records, 'finished') || has(records, 'domain-started') || answered(records, 'restored')))
    stage = 'finished';
  else if (inPhase1) stage = lower === 'unretainedsmallfiles' ? (resolved ? 'confirming' : 'deciding') : 'copying-small-files';
  else if (inCopy) stage = 'copying-large-files';
  else if (inRestore) stage = 'restoring';
  if (failed) stage = 'failed';
  if ((inPhase1 || inCopy || inRestore) && !has(records, 'started')) stage = 'foreign';
  if (undoing) stage = 'undoing';

  const { done, skipped } = doneSteps(records, mode, executor);
  const definitions =
    executor === 'daemon'
      ? DAEMON_STEPS
      : last(records, 'resolved')?.writes?.staging || (!has(records, 'resolved') && has(records, 'started'))
        ? STAGED_STEPS
        : CONSOLE_STEPS;
  const current = definitions.find((s) => !done.has(s.key) && !skipped.has(s.key));
  // Only a step someone is carrying out is running; the others wait for the administrator (or, when foreign, for whoever started it).
  const waiting = stage === 'deciding' || stage === 'confirming' || stage === 'not-a-restore' || stage === 'foreign';
  const steps = definitions.map((s): RestoreStep => {
    if (done.has(s.key) || stage === 'finished') return { ...s, status: skipped.has(s.key) && !done.has(s.key) ? 'skipped' : 'done' };
    if (skipped.has(s.key)) return { ...s, status: 'skipped' };
    if (s === current) return { ...s, status: failed ? 'failed' : waiting ? 'pending' : 'running' };
    return { ...s, status: 'pending' };
  });

  let waitingForDaemon: RestoreView['waitingForDaemon'] = null;
  const daemonCommand = commandFor(mode);
  if (
    executor === 'daemon' &&
    daemonCommand &&
    !failed &&
    stage !== 'foreign' &&
    lower !== DAEMON_COMMANDS[daemonCommand].done.toLowerCase()
  ) {
    const asked = [...records]
      .reverse()
      .find(
        (r): r is Extract<TimedRecord, { step: 'commanded' }> =>
          r.step === 'commanded' && r.mode.toLowerCase() === daemonCommand.toLowerCase(),
      );
    const since = asked?.at ?? last(records, 'followed')?.at ?? null;
    if (since)
      waitingForDaemon = {
        command: daemonCommand,
        what: DAEMON_COMMANDS[daemonCommand].what,
        since,
        taken: lower !== daemonCommand.toLowerCase(),
      };
  }

  let waitingForBroker: RestoreView['waitingForBroker'] = null;
  const brokerWait = last(records, 'waiting-for-broker');
  if (
    executor === 'daemon' &&
    lower === 'unretainedlargefiles' &&
    !failed &&
    brokerWait &&
    records.lastIndexOf(brokerWait) > records.lastIndexOf(last(records, 'machine-stopped') as TimedRecord)
  ) {
    waitingForBroker = { since: brokerWait.at, seconds: brokerWait.seconds };
  }

  const lease = decodeLease(input.lease);
  const code = failedRecord ? describeReturnCode(failedRecord.returnValue) : null;
  const inRestoreOrFinished = stage !== 'not-a-restore' && stage !== 'finished';
  const byHand = failed && stage !== 'foreign' ? finishByHandOffer(records, mode, executor) : null;
  const rule =
    inRestoreOrFinished && !undoing ? abortRule({ mode, state: input.state ?? '', returnValue: input.returnValue, records }) : null;
  const lastUndo = records.findLast(
    (r): r is Extract<TimedRecord, { step: 'undo-started' | 'undone' | 'undo-cancelled' }> =>
      r.step === 'undo-started' || r.step === 'undone' || r.step === 'undo-cancelled',
  );
  return {
    stage,
    phase: inPhase1 ? 1 : inCopy || inRestore ? 2 : null,
    mode,
    executor,
    executorReason: last(records, 'started')?.executorReason ?? null,
    steps,
    failure: failed && failedRecord && code ? { ...failedRecord, returnName: code.name, returnText: code.text } : null,
    waitingForDaemon,
    followedBroker: has(records, 'followed'),
    waitingForBroker,
    canAbort: rule?.ok === true,
    abortBlocked: rule && !rule.ok ? rule.reason : null,
    canRetry: failed && stage !== 'foreign',
    canRetryWithoutState: failed && stage !== 'foreign' && executor === 'console' && failedRecord?.during === RESTORING_SAVED_STATE,
    finishByHand: byHand?.offer ?? null,
    finishByHandBlocked: byHand?.blocked ?? null,
    canDecide: stage === 'deciding' || stage === 'confirming',
    canConfirm: stage === 'confirming',
    driver: lease
      ? { instance: lease.instance, expires: lease.expires.toISOString(), stale: lease.expires.getTime() < input.now.getTime() }
      : null,
    startedBy: last(records, 'started')?.by ?? null,
    withState: last(records, 'resolved')?.withState ?? null,
    undo: lastUndo
      ? { record: lastUndo.record, state: lastUndo.step === 'undo-started' ? 'undoing' : lastUndo.step, by: lastUndo.by, at: lastUndo.at }
      : null,
    downtime: last(records, 'domain-started')?.downtime ?? null,
  };
}
