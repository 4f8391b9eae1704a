import 'server-only';
import { formatIterationName } from '@/lib/backup/iteration';
import { env } from '@/lib/env';
import { AppError, isAppError } from '@/lib/errors';
import { readIterationStatus, readJournal, transitionIteration, type IterationStatus } from '@/lib/ldap/restore';
import { invalidateFleetCache } from '@/lib/inventory/cache';
import {
  commandFor,
  DAEMON_COMMANDS,
  DAEMON_DID_NOT_ANSWER,
  describeDaemonFailure,
  readDaemonAnswer,
  type DaemonCommand,
} from './daemon-protocol';
import { decodeJournal, has, last, type TimedRecord } from './journal';
import * as nodeOps from './node';
import { installResolvedXml, openRestore, removeRetainFolder } from './phase1';
import {
  checkPlan,
  checkStillDriving,
  loadContext,
  planned,
  restoreDirectory,
  settleFailure,
  stopMachine,
  verifyCopies,
  type Context,
  type Phase2Options,
} from './phase2';
import { command, finishJournal, journal, recordFailure, step, StepFailure, type IterationRef } from './steps';
import { CHECKING_RESTORED_IMAGES, CHECKING_RESTORED_MACHINE } from './view';
import { RETURN_CODE } from '@/lib/backup/return-codes';

/**
 * A daemon-driven restore: the node daemon executes the node steps, the console is the control
 * instance (seed 000, restore steps 01–12). The console writes each command with state 0 by
 * compare-and-set and waits for the daemon's answer; it does over SSH only what the daemon does
 * not: it checks the copies, brings the directory entries to the resolved state (no daemon
 * writes the LDIF back, daemons.md fact 1), makes the resolved XML the domain definition, stops
 * the machine before it asks for the restore (the daemon does not; the broker does when it asks
 * itself, fact 2), and checks the result. On FOSS-Cloud the broker moves
 * `unretainedLargeFiles` and `restored` on by itself; the console expects that and follows.
 *
 * The daemon's own modes are written by the daemon (plain replace, fact 1): the console never
 * writes over a mode the daemon holds, except to record a failure once the daemon has answered
 * it (never with state 0) or to withdraw a command it never took.
 */

export type DaemonOutcome = 'finished' | 'failed' | 'handed-over' | 'waiting';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lower = (s: string) => s.toLowerCase();

async function iterationNow(ref: IterationRef): Promise<IterationStatus> {
  const status = await readIterationStatus(ref.machineUuid, ref.iteration);
  if (!status) throw new AppError('not-found', 'The iteration no longer exists.');
  return status;
}

async function records(ref: IterationRef): Promise<TimedRecord[]> {
  const stored = await readJournal(ref.machineUuid, ref.iteration);
  return stored ? decodeJournal(stored.records) : [];
}

/**
 * Records since the daemon's step last started over: after a failure whose retry asks the daemon
 * again (`reissue`). A retry of the console's own step (checking, applying, removing) continues
 * the same attempt: the daemon's answers and the broker's moves before it still count.
 */
function sinceLastAttempt(list: TimedRecord[]): TimedRecord[] {
  let from = 0;
  list.forEach((r, i) => {
    if (r.step === 'failed' && r.reissue) from = i + 1;
  });
  return list.slice(from);
}

const commanded = (list: TimedRecord[], mode: string) => list.some((r) => r.step === 'commanded' && lower(r.mode) === lower(mode));

function machineStateWhile(command: DaemonCommand): string {
  if (command === 'restore')
    return 'The node daemon may have moved disk images over the live ones or started the machine; check the machine and the retain folder on the node before retrying.';
  return 'Nothing live has changed: the node daemon only copies into the retain folder in this step.';
}

/** Runs a daemon-driven restore as far as it can go without a person: to the decisions in phase 1, to the end in phase 2. */
export async function runDaemonDriven(ref: IterationRef, options: Phase2Options): Promise<DaemonOutcome> {
  let mode = '';
  for (;;) {
    try {
      checkStillDriving(options);
      const current = await iterationNow(ref);
      mode = current.mode;
      const list = await records(ref);
      const asked = commandFor(mode);
      if (asked) {
        // Until the daemon's answer to this attempt is journaled: wait for it (and a failure is a failure, whatever the mode).
        const answered = sinceLastAttempt(list).some(
          (r) => r.step === 'daemon-answered' && lower(r.mode) === lower(DAEMON_COMMANDS[asked].done),
        );
        if (!(answered && readDaemonAnswer(asked, current).kind === 'done')) {
          if (asked === 'restore' && has(list, 'confirmed')) await applyDecisions(await loadContext(ref));
          await awaitDaemon(ref, asked, list, options, (m) => (mode = m));
          continue;
        }
        await successAgain(ref, current);
      }
      switch (lower(mode)) {
        case 'unretainedsmallfiles': {
          if (!has(list, 'confirmed')) return 'waiting';
          // Confirmed, but the console that confirmed stopped before it wrote the command.
          if (!has(list, 'xml-installed')) await installResolvedXml(ref, (await openRestore(ref)).layout);
          await command(ref, mode, 'unretainLargeFiles');
          await journal(ref, { step: 'commanded', mode: 'unretainLargeFiles' });
          continue;
        }
        case 'unretainedlargefiles':
          await prepareRestore(await loadContext(ref), options);
          continue;
        case 'restored': {
          await applyDecisions(await loadContext(ref));
          await finishRestore(await loadContext(ref), mode);
          return 'finished';
        }
        case 'finished': {
          // Finished already, or finished by the broker on top of the daemon's `restored` (fact 2)
          // before the console checked the result: the broker may ask for the restore and finish
          // it between two looks of the console, which then sees neither `restore` nor `restored`.
          if (has(list, 'finished') || !has(list, 'confirmed')) return 'finished';
          const attempt = sinceLastAttempt(list);
          if (!commanded(attempt, 'restore') && !has(attempt, 'followed')) await journal(ref, { step: 'followed', mode, by: 'broker' });
          try {
            await applyDecisions(await loadContext(ref));
            await finishRestore(await loadContext(ref), mode);
          } catch (error) {
            // No return value on a finished leaf: the stoney wrapper and the broker read it. The journal says what the check found.
            if (!(error instanceof StepFailure)) throw error;
            await journal(ref, {
              step: 'failed',
              during: error.during,
              returnValue: error.returnValue,
              reason: error.reason,
              machineState: error.machineState,
              by: 'console',
            });
            await finishJournal(ref);
            return 'failed';
          }
          return 'finished';
        }
        default:
          throw new AppError('conflict', `The iteration is in mode ${mode}; a daemon-driven restore has nothing to do there.`);
      }
    } catch (error) {
      if (!(error instanceof StepFailure)) return settleFailure(ref, mode, error, options);
      if (await options.leaseLost?.().catch(() => false)) return 'handed-over';
      try {
        await recordFailure(ref, mode, error);
        return 'failed';
      } catch (recording) {
        // The iteration moved while the failure was being recorded (the daemon took a command it
        // was about to be given up on, or the broker moved on): look again instead of failing.
        if (!(isAppError(recording) && recording.code === 'conflict')) throw recording;
      }
    }
  }
}

/**
 * The iteration's return value back to 0, its mode unchanged (nothing is written when it is 0).
 * An answer with the daemon's 18 or 46 counts as success (see readDaemonAnswer), so that the pages
 * and the broker read the step as the success it was (the stepping-stone daemon may write its 18
 * again later, after the console did this once); a retry of a step of the console's own starts
 * from a clean return value.
 */
async function successAgain(ref: IterationRef, current: IterationStatus): Promise<void> {
  if ((current.returnValue ?? RETURN_CODE.SUCCESS) === RETURN_CODE.SUCCESS) return;
  await transitionIteration(ref.machineUuid, ref.iteration, {
    from: current.mode,
    to: current.mode,
    state: formatIterationName(new Date()),
    returnValue: RETURN_CODE.SUCCESS,
  });
  invalidateFleetCache();
}

/**
 * Waits until the node daemon has answered `command`: its "-ed" mode (journaled), a failure (a
 * StepFailure with its code), or someone moving the iteration elsewhere (returns; the caller
 * looks again). A daemon silent for RESTORE_DAEMON_TIMEOUT_SECONDS is a failure too: no change
 * of the iteration and, while it copies the large files, no growth of the copies.
 */
async function awaitDaemon(
  ref: IterationRef,
  asked: DaemonCommand,
  list: TimedRecord[],
  options: Phase2Options,
  onMode: (mode: string) => void,
): Promise<void> {
  const timeoutMs = options.daemonTimeoutMs ?? env().restore.daemonTimeoutMs;
  const pollMs = options.pollMs ?? 500;
  const { layout } = await openRestore(ref);
  const attempt = sinceLastAttempt(list);
  if (!commanded(attempt, asked) && (asked !== 'restore' || !has(attempt, 'followed'))) {
    if (asked === 'restore') {
      // Nobody here asked for the restore: the broker did (fact 2), and it stopped the machine itself.
      await journal(ref, { step: 'followed', mode: (await iterationNow(ref)).mode, by: 'broker' });
    } else if (lower((await iterationNow(ref)).mode) === lower(asked)) {
      // The lock was written but the console stopped before it made it a command.
      await issue(ref, asked);
    }
  }
  // The plan's copies (recorded with the decisions): the files the daemon copies into the retain folder.
  const progressFiles = asked === 'unretainLargeFiles' ? ((await loadContext(ref).catch(() => null))?.writes?.copies ?? []) : [];
  let lastSign = Date.now();
  let lastModified: number | null | undefined;
  let lastBytes = -1;
  for (;;) {
    checkStillDriving(options);
    const current = await iterationNow(ref);
    onMode(current.mode);
    const answer = readDaemonAnswer(asked, current);
    if (answer.kind === 'done') {
      await journal(ref, { step: 'daemon-answered', mode: current.mode, returnValue: answer.returnValue });
      await successAgain(ref, current);
      return;
    }
    if (answer.kind === 'failed') {
      throw new StepFailure(
        `the node daemon's step ${asked}`,
        answer.returnValue,
        describeDaemonFailure(asked, answer.returnValue, layout.node),
        machineStateWhile(asked),
        undefined,
        {
          by: 'daemon',
          reissue: asked,
        },
      );
    }
    if (answer.kind === 'moved') return;
    const modified = current.modifiedAt?.getTime() ?? null;
    if (lastModified !== undefined && modified !== lastModified) lastSign = Date.now();
    lastModified = modified;
    if (progressFiles.length > 0 && answer.kind === 'working') {
      // The copies growing in the retain folder are the daemon's sign of life while it copies (the pages read the same sizes).
      const sizes = await nodeOps
        .stat(
          layout.node,
          progressFiles.map((name) => `${layout.retainFolder}/${name}`),
        )
        .catch(() => null);
      const bytes = sizes ? [...sizes.values()].reduce<number>((sum, b) => sum + (b ?? 0), 0) : lastBytes;
      if (bytes !== lastBytes) {
        if (lastBytes >= 0) lastSign = Date.now();
        lastBytes = bytes;
      }
    }
    if (Date.now() - lastSign > timeoutMs) {
      const seconds = Math.round(timeoutMs / 1000);
      const taken = answer.kind !== 'pending' && answer.kind !== 'not-issued';
      throw new StepFailure(
        taken ? `waiting for the node daemon to finish ${asked}` : `waiting for the node daemon to take ${asked}`,
        DAEMON_DID_NOT_ANSWER,
        taken
          ? `The node daemon on ${layout.node} took the command ${asked} (mode ${current.mode}) but showed no sign of work for ${seconds} s (RESTORE_DAEMON_TIMEOUT_SECONDS). It may have stopped or hang; check it on the node (syslog tag Backup-KVM).`
          : `The node daemon on ${layout.node} did not take the command ${asked} within ${seconds} s (RESTORE_DAEMON_TIMEOUT_SECONDS): is it running, and watching this directory? The console withdrew the command (its state is a timestamp now, which the daemon ignores). A daemon that only lags behind may still act on the command it already received: check its log on the node (syslog tag Backup-KVM) before you retry or abort.`,
        machineStateWhile(asked),
        undefined,
        { by: 'console', reissue: asked },
      );
    }
    await sleep(pollMs);
  }
}

/** Makes the lock a command the daemon executes (state 0, execution date 0). */
async function issue(ref: IterationRef, to: DaemonCommand): Promise<void> {
  const current = await iterationNow(ref);
  await command(ref, current.mode, to, current.executionDate === '0' ? undefined : '0');
  await journal(ref, { step: 'commanded', mode: to });
}

/**
 * The decisions no daemon applies: the directory entries brought to the resolved LDIF, and the
 * resolved XML made the domain's definition. Each once (journaled), from the console's own copy
 * of the resolved files (layout.resolvedFolder), which the daemon's restore does not remove.
 * They do not conflict with the daemon's restore, so they are applied also when the broker
 * asked for the restore before the console got to them.
 */
async function applyDecisions(ctx: Context): Promise<void> {
  const { ref, layout } = ctx;
  if (!has(ctx.records, 'directory-restored')) {
    await restoreDirectory(
      ctx,
      'The machine runs; its directory entries may be partly restored (retrying finishes them).',
      layout.resolvedFolder,
    );
  }
  if (!has(ctx.records, 'domain-defined')) {
    const before = 'The machine runs with its old definition; its directory entries are restored.';
    // As on the console's path: the resolved XML still gives the plan's disk images before it becomes the definition.
    await checkPlan(
      ctx,
      await planned(ctx, 'reading the plan', RETURN_CODE.CANNOT_DEFINE_MACHINE, before),
      'checking the resolved XML before defining the domain',
      RETURN_CODE.CANNOT_DEFINE_MACHINE,
      before,
      true,
    );
    await step('making the resolved XML the domain definition', RETURN_CODE.CANNOT_DEFINE_MACHINE, before, () =>
      nodeOps.define(layout.node, `${layout.resolvedFolder}/${layout.resolvedXml}`),
    );
    await journal(ref, { step: 'domain-defined' });
  }
}

/**
 * Between `unretainedLargeFiles` and the `restore` command: the console's own steps, each once
 * (journaled), each only while the iteration is still there. Where a broker may run (it asks for
 * the restore and stops the machine within its cycle, fact 2), the decisions are applied first,
 * at once: the daemon checked the copies before it answered. Where none runs, the console checks
 * the copies itself first. If the broker moves on meanwhile, the remaining steps but the
 * decisions are skipped and the console follows.
 */
async function prepareRestore(ctx: Context, options: Phase2Options): Promise<void> {
  const { ref } = ctx;
  const movedOn = async () => lower((await iterationNow(ref)).mode) !== 'unretainedlargefiles';
  const guarded = async (work: () => Promise<void>): Promise<boolean> => {
    if (await movedOn()) return false;
    try {
      await work();
      return true;
    } catch (error) {
      if (await movedOn()) return false;
      throw error;
    }
  };
  const waitMs = options.brokerWaitMs ?? env().restore.brokerWaitMs;
  const verify = async (): Promise<boolean> => {
    if (has(sinceLastAttempt(ctx.records), 'large-files-verified')) return true;
    return guarded(async () => {
      try {
        await verifyCopies(
          ctx,
          await planned(
            ctx,
            'reading the plan',
            RETURN_CODE.MISSING_NECESSARY_FILES,
            'Nothing live has changed: only copies in the retain folder were made.',
          ),
        );
        await journal(ref, { step: 'large-files-verified' });
      } catch (error) {
        // A bad copy is the daemon's to make again: a retry asks it for the large files once more.
        if (!(error instanceof StepFailure)) throw error;
        throw new StepFailure(error.during, error.returnValue, error.reason, error.machineState, error.command, {
          by: 'console',
          reissue: 'unretainLargeFiles',
        });
      }
    });
  };
  checkStillDriving(options);
  if (waitMs === 0 && !(await verify())) return;
  checkStillDriving(options);
  await applyDecisions(ctx);
  checkStillDriving(options);
  if (waitMs > 0 && !(await verify())) return;
  checkStillDriving(options);
  if (!has(ctx.records, 'machine-stopped')) {
    // The broker stops the machine and asks for the restore by itself with a plain replace of
    // what it read: asking as well could land between its read and its write, and its stale
    // `restore` would make the daemon restore twice. So the console leaves it the time, and asks
    // only where no broker did.
    if (waitMs > 0) {
      const since = sinceLastAttempt(ctx.records).find((r) => r.step === 'waiting-for-broker')?.at;
      const start = since ? new Date(since).getTime() : Date.now();
      if (!since) await journal(ref, { step: 'waiting-for-broker', seconds: Math.round(waitMs / 1000) });
      while (Date.now() - start < waitMs) {
        checkStillDriving(options);
        if (await movedOn()) return;
        await sleep(options.pollMs ?? 500);
      }
    }
    const stopped = await guarded(() =>
      stopMachine(
        ctx,
        options,
        'The machine runs with the resolved definition; its directory entries are restored.',
        'The machine may still be running; its definition and directory entries are the resolved ones.',
      ),
    );
    if (!stopped) return;
  }
  checkStillDriving(options);
  try {
    await command(ref, 'unretainedLargeFiles', 'restore');
    await journal(ref, { step: 'commanded', mode: 'restore' });
  } catch (error) {
    // The broker wrote `restore` first: the daemon restores either way.
    if (!(isAppError(error) && error.code === 'conflict')) throw error;
  }
}

/**
 * After the daemon's `restored` (or the broker's `finished` on top of it): checks that the
 * machine runs and every live image has the backup's size, removes what is left of the retain
 * folder and the folders the restore created, and marks the iteration finished.
 */
async function finishRestore(ctx: Context, mode: string): Promise<void> {
  const { ref, layout } = ctx;
  const uuid = layout.machine.uuid;
  const restoredState = 'The node daemon reported the machine restored; see the journal for what the console checked.';
  const state = await step(CHECKING_RESTORED_MACHINE, RETURN_CODE.CANNOT_RESTORE_MACHINE, restoredState, () =>
    nodeOps.domState(layout.node, uuid),
  );
  if (state !== 'running') {
    throw new StepFailure(
      CHECKING_RESTORED_MACHINE,
      RETURN_CODE.CANNOT_RESTORE_MACHINE,
      `The node daemon reported the machine restored, but on ${layout.node} it is ${state}.`,
      restoredState,
    );
  }
  // The plan's image moves: each live image the daemon was to replace has the backup's size now.
  const writes = await planned(ctx, CHECKING_RESTORED_IMAGES, RETURN_CODE.CANNOT_MOVE_DISK_IMAGE_TO_ORIGINAL_LOCATION, restoredState);
  const pairs = writes.moves.map((m) => ({ backup: `${layout.backupFolder}/${m.file}`, live: m.destination }));
  const sizes = await nodeOps.stat(
    layout.node,
    pairs.flatMap((p) => [p.backup, p.live]),
  );
  const wrong = pairs.filter((p) => sizes.get(p.live) !== sizes.get(p.backup));
  if (wrong.length > 0) {
    throw new StepFailure(
      CHECKING_RESTORED_IMAGES,
      RETURN_CODE.CANNOT_MOVE_DISK_IMAGE_TO_ORIGINAL_LOCATION,
      `After the node daemon's restore, ${wrong.map((p) => `${p.live} has ${sizes.get(p.live) ?? 'no'} bytes, the backup ${sizes.get(p.backup) ?? 'no'}`).join('; ')}.`,
      'The machine runs; at least one of its disk images is not the backup’s.',
    );
  }
  await step(
    'removing the retain folder',
    RETURN_CODE.NOT_ALL_FILES_DELETED_FROM_RETAIN_LOCATION,
    'The machine is restored and running; only the retain folder is left.',
    () => removeRetainFolder(layout, last(ctx.records, 'started')?.createdFolders ?? []),
  );
  if (!has(ctx.records, 'domain-started')) await journal(ref, { step: 'domain-started', how: 'by-daemon' });
  if (lower(mode) === 'restored') {
    try {
      await transitionIteration(ref.machineUuid, ref.iteration, {
        from: mode,
        to: 'finished',
        state: formatIterationName(new Date()),
        returnValue: RETURN_CODE.SUCCESS,
      });
      invalidateFleetCache();
    } catch (error) {
      // The broker finished it first (fact 2).
      if (!(isAppError(error) && error.code === 'conflict') || lower((await iterationNow(ref)).mode) !== 'finished') throw error;
    }
  }
  await finishJournal(ref);
}

/**
 * Continuing after a failure. A step the daemon failed or never answered is asked for again (the
 * daemon starts that step over); a step of the console's own continues where it stopped.
 */
export async function retryDaemonDriven(ref: IterationRef, by: string, options: Phase2Options): Promise<DaemonOutcome> {
  const current = await iterationNow(ref);
  if ((current.returnValue ?? RETURN_CODE.SUCCESS) === RETURN_CODE.SUCCESS)
    throw new AppError('conflict', 'The restore has not failed; there is nothing to retry.');
  const failure = last(await records(ref), 'failed');
  await journal(ref, { step: 'retried', by });
  if (failure?.reissue && failure.reissue in DAEMON_COMMANDS) {
    const again = failure.reissue as DaemonCommand;
    await command(ref, current.mode, again, current.executionDate === '0' ? undefined : '0');
    await journal(ref, { step: 'commanded', mode: again });
  } else {
    await successAgain(ref, current);
  }
  return runDaemonDriven(ref, options);
}
