import 'server-only';
import { formatIterationName } from '@/lib/backup/iteration';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { ldapChanges } from '@/lib/diff/conflicts';
import { parseLdif } from '@/lib/diff/ldif';
import { invalidateFleetCache } from '@/lib/inventory/cache';
import { readIterationModes, readJournal, readLiveMachineEntries, applyLdapChanges, transitionIteration } from '@/lib/ldap/restore';
import { decodeJournal, has, last, type JournalRecord, type TimedRecord } from './journal';
import type { RestoreLayout } from './layout';
import * as nodeOps from './node';
import { currentWrites, openRestore, removeRetainFolder } from './phase1';
import { done, finishJournal, journal, leafOf, recordFailure, step, StepFailure, working, type IterationRef } from './steps';
import { restoreRef } from './restore-ref';
import { deriveRestoreView, RESTORING_SAVED_STATE } from './view';
import { RETURN_CODE } from '@/lib/backup/return-codes';
import { captureBefore, discardKept, readKeptView, recordRestored } from './kept';
import type { Checksum } from '@/lib/ssh';
import { copyJobs, sameWrites, writesDifference, type RestoreWrites } from './writes';

/**
 * Phase 2: no further interaction. Each step reads where the iteration stands (mode and
 * journal) and what the node really looks like before acting, so running this again after a
 * crash, a dropped connection or on another console instance continues from the last completed
 * step and never repeats a destructive one blindly. It writes only what the confirmed plan
 * lists (the journal's `writes`), in the folders the restore started with.
 *
 * This file is the console-driven restore (the console executes the node steps over SSH) and
 * the node steps themselves; daemon.ts drives a restore the node daemon executes and reuses
 * the node steps the daemon does not do (checking copies, the directory, stopping the machine).
 *
 * Console-driven, the iteration goes unretainingLargeFiles → restoring → finished, each written
 * with a timestamp as state: no command mode with state 0 (the node daemon would execute it)
 * and neither unretainedLargeFiles nor restored with return value 0 (the broker moves those on
 * by itself and stops the machine, daemons.md fact 2). Where the restore stands stays visible
 * in the mode. Modes of restores started by older consoles (unretainLargeFiles,
 * unretainedLargeFiles, restore, restored) are continued the same way.
 */

export interface Phase2Options {
  /** How long `virsh shutdown` may take before the machine is destroyed. */
  shutdownTimeoutMs: number;
  onProgress?: (file: string, copied: number, total: number) => void;
  /** True once another console instance drives this restore: stop before the next step, record nothing. */
  handedOver?: () => boolean;
  /** Asks the directory whether another instance holds the lease now (before a failure is recorded). */
  leaseLost?: () => Promise<boolean>;
  /** Daemon-driven: how long the node daemon may stay silent before its step counts as failed. */
  daemonTimeoutMs?: number;
  /** Daemon-driven: how often the directory and the copies are looked at while waiting (default 500 ms). */
  pollMs?: number;
  /** Daemon-driven: how long the broker may take to ask for the restore itself before the console does. */
  brokerWaitMs?: number;
}

/** Thrown between steps when another instance took the restore over; not a failure of the restore. */
export class HandedOver extends Error {}

export function checkStillDriving(options: Phase2Options): void {
  if (options.handedOver?.()) throw new HandedOver('another console instance drives this restore now');
}

export interface Context {
  ref: IterationRef;
  layout: RestoreLayout;
  records: TimedRecord[];
  /** The confirmed plan's files; null in a journal written by an older console version. */
  writes: RestoreWrites | null;
  withState: boolean;
  /** The kept record (kept.ts) of what this restore replaces, once written. */
  keptId: string | null;
}

async function currentMode(ref: IterationRef): Promise<{ mode: string; returnValue: number | null }> {
  const modes = await readIterationModes(ref.machineUuid);
  const current = modes.find((m) => m.name === leafOf(ref));
  if (!current)
    throw new AppError(
      'not-found',
      ref.leaf ? `Leaf ${ref.leaf}, which holds this restore, is no longer in the directory.` : 'The iteration no longer exists.',
    );
  return current;
}

/**
 * The restore has ended: the iteration is finished, stamped now. A leaf that held the restore of
 * an iteration without a leaf gets its own state and return value back instead (node-only.ts):
 * it is the machine's last backup again, and the stoney wrapper replaces it at its next run.
 */
async function markFinished(ref: IterationRef, from: string, records: TimedRecord[], now = new Date()): Promise<void> {
  const started = last(records, 'started');
  if (!ref.leaf || !started?.leaf) {
    await done(ref, from, 'finished', now);
    return;
  }
  await transitionIteration(ref.machineUuid, ref.leaf, {
    from,
    to: 'finished',
    state: started.previousState,
    returnValue: started.previousReturnValue ?? 0,
  });
  invalidateFleetCache();
}

/** The state markFinished writes at `now` (what an undo finds on the leaf when nothing happened since). */
function finishedStateOf(ref: IterationRef, records: TimedRecord[], now: Date): string {
  const started = last(records, 'started');
  return ref.leaf && started?.leaf ? started.previousState : formatIterationName(now);
}

/** Only what the journal and the directory say: no file is read here, so a restore whose files are gone can still be finished. */
export async function loadContext(ref: IterationRef): Promise<Context> {
  const { layout, records } = await openRestore(ref);
  const resolved = last(records, 'resolved');
  if (!resolved || !has(records, 'confirmed'))
    throw new AppError('conflict', 'This restore was never confirmed; phase 2 does not start without the administrator’s confirmation.');
  // A retry after libvirt refused the saved state may ask to define and start the machine instead.
  const withoutState = records.some((r) => r.step === 'retried' && r.withoutState === true);
  return {
    ref,
    layout,
    records,
    writes: resolved.writes ?? null,
    withState: resolved.withState && !withoutState,
    keptId: last(records, 'before-kept')?.record ?? null,
  };
}

/**
 * The files phase 2 writes (console-driven) or expects the node daemon to write (daemon-driven):
 * the confirmed plan's. A journal from before plans listed them gets them from the files, with
 * the same checks.
 */
export async function planned(ctx: Context, during: string, code: number, machineState: string): Promise<RestoreWrites> {
  if (ctx.writes) return ctx.writes;
  const now = await step(during, code, machineState, () => currentWrites(ctx.layout, ctx.ref.iteration, { records: ctx.records }));
  if (now.problems.length > 0) throw new StepFailure(during, code, now.problems.map((p) => p.problem).join(' '), machineState);
  return now.writes;
}

/**
 * The resolved XML (see xmlFiles) still gives the confirmed plan's writes and, unless
 * `onlyTheFiles`, every destination is still allowed on the node (each move checks its own again).
 */
export async function checkPlan(
  ctx: Context,
  writes: RestoreWrites,
  during: string,
  code: number,
  machineState: string,
  onlyTheFiles = false,
): Promise<void> {
  const now = await step(during, code, machineState, () =>
    currentWrites(ctx.layout, ctx.ref.iteration, { onlyTheFiles, records: ctx.records }),
  );
  const problems = now.problems.map((p) => p.problem);
  if (problems.length === 0 && !sameWrites(writes, now.writes)) problems.push(writesDifference(writes, now.writes));
  if (problems.length > 0)
    throw new StepFailure(during, code, `${problems.join(' ')} Phase 2 writes only what the confirmed plan lists.`, machineState);
}

export type Phase2Outcome = 'finished' | 'failed' | 'handed-over';

/** Runs a console-driven phase 2 to the end, or until a step fails (recorded as a non-zero return value and a reason). */
export async function runPhase2(target: IterationRef, options: Phase2Options): Promise<Phase2Outcome> {
  const ref = await restoreRef(target);
  let mode = (await currentMode(ref)).mode;
  try {
    const ctx = await loadContext(ref);
    for (;;) {
      checkStillDriving(options);
      switch (mode.toLowerCase()) {
        case 'unretainlargefiles':
          await working(ref, mode, 'unretainingLargeFiles');
          mode = 'unretainingLargeFiles';
          break;
        case 'unretaininglargefiles':
          await unretainLargeFiles(ctx, options);
          // Straight on: unretainedLargeFiles with return value 0 is what the broker answers with `restore` and a stopped machine.
          await working(ref, mode, 'restoring');
          mode = 'restoring';
          break;
        case 'unretainedlargefiles':
        case 'restore':
          await working(ref, mode, 'restoring');
          mode = 'restoring';
          break;
        case 'restoring':
        case 'restored': {
          if (mode.toLowerCase() === 'restoring') await restore(ctx, options);
          const finishedAt = new Date();
          // What the restore left, for an undo to compare with: before the iteration is finished, so a console that dies in between records it on resume.
          await recordTheResult(ctx, finishedStateOf(ref, ctx.records, finishedAt));
          // The retain folder goes before the iteration is finished, so a console that dies in
          // between removes it on resume instead of leaving it behind for good.
          await step(
            'removing the retain folder',
            RETURN_CODE.NOT_ALL_FILES_DELETED_FROM_RETAIN_LOCATION,
            `The machine is restored; only the retain folder ${ctx.layout.retainFolder} is left.`,
            () => removeRetainFolder(ctx.layout, last(ctx.records, 'started')?.createdFolders ?? []),
          );
          await markFinished(ref, mode, ctx.records, finishedAt);
          // The journal stays as the record of this restore until the iteration is restored again.
          await finishJournal(ref);
          await discardUnlessKept(ctx);
          return 'finished';
        }
        default:
          throw new AppError('conflict', `The iteration is in mode ${mode}; phase 2 has nothing to do.`);
      }
    }
  } catch (error) {
    return settleFailure(ref, mode, error, options);
  }
}

/**
 * A console that stood still past its lease finds its step undone by the one that took over:
 * that is not a failure of the restore, and the other instance's record must stand. Anything
 * else is recorded as the failure of the step at `mode`.
 */
export async function settleFailure(
  ref: IterationRef,
  mode: string,
  error: unknown,
  options: Phase2Options,
): Promise<'failed' | 'handed-over'> {
  if (error instanceof HandedOver || (await options.leaseLost?.().catch(() => false))) return 'handed-over';
  if (error instanceof StepFailure) {
    await recordFailure(ref, mode, error);
    return 'failed';
  }
  const failure = new StepFailure(
    `phase 2 (${mode})`,
    RETURN_CODE.UNDEFINED_ERROR,
    error instanceof Error ? error.message : String(error),
    describeMachineState(mode),
  );
  await recordFailure(ref, mode, failure).catch(() => undefined);
  return 'failed';
}

function describeMachineState(mode: string): string {
  const lower = mode.toLowerCase();
  if (lower.startsWith('unretain')) return 'Nothing live has changed: only copies in the retain folder were made.';
  return 'See the journal for which restore steps completed; the steps not listed there did not run.';
}

/**
 * Step 7: copy the state file into the retain folder and every image into the retain folder or,
 * staged, beside its live image; then check each copy and the plan. All of it while the machine
 * runs: whatever grows with the images happens here, so the machine is stopped only for renames.
 */
async function unretainLargeFiles(ctx: Context, options: Phase2Options): Promise<void> {
  const { node, backupFolder, backupRoot, retainFolder, retainRoot, stateName, virtualizationRoot } = ctx.layout;
  const nothing = 'Nothing live has changed: only copies in the retain folder were made.';
  const writes = await planned(ctx, 'reading the plan', RETURN_CODE.MISSING_NECESSARY_FILES, nothing);
  const jobs = copyJobs(writes).map((j) => ({
    ...j,
    to: j.staged ?? `${retainFolder}/${j.name}`,
    root: j.staged ? virtualizationRoot : retainRoot,
  }));
  const sizeOf = async () =>
    nodeOps.stat(
      node,
      jobs.flatMap((j) => [`${backupFolder}/${j.name}`, j.to]),
    );
  // A copy counts as made when the journal says so and it still has the backup's size; anything else
  // (a copy cut short, or one a failed size check found wrong) is copied again.
  const journaled = ctx.records
    .filter((r): r is Extract<TimedRecord, { step: 'large-file-copied' }> => r.step === 'large-file-copied')
    .map((r) => r.file);
  const before =
    journaled.length > 0
      ? await step('checking the copies', RETURN_CODE.MISSING_NECESSARY_FILES, nothing, sizeOf)
      : new Map<string, number | null>();
  const copied = new Set(
    jobs
      .filter((j) => journaled.includes(j.name))
      .filter((j) => {
        const copy = before.get(j.to);
        return copy !== null && copy !== undefined && copy === before.get(`${backupFolder}/${j.name}`);
      })
      .map((j) => j.name),
  );
  // Staged: the backup's checksum is taken beside each copy, reading the file as the copy does, so it is read from disk once.
  const sourceSums = new Map<string, Checksum>();
  for (const job of jobs) {
    if (copied.has(job.name)) continue;
    checkStillDriving(options);
    const code = job.name === stateName ? 24 : 8;
    const source = { path: `${backupFolder}/${job.name}`, root: backupRoot };
    const copy = () => nodeOps.copy(node, source, { path: job.to, root: job.root }, (c, t) => options.onProgress?.(job.name, c, t));
    if (!writes.staging) {
      const bytes = await step(`copying ${job.name}`, code, nothing, copy);
      await journal(ctx.ref, { step: 'large-file-copied', file: job.name, bytes });
      continue;
    }
    const summing = new AbortController();
    const sum = nodeOps.checksum(node, [source], summing.signal);
    sum.catch(() => undefined);
    let bytes: number;
    try {
      bytes = await step(`copying ${job.name}`, code, nothing, copy);
    } catch (error) {
      summing.abort();
      throw error;
    }
    const [taken] = await step(`checksumming ${job.name} in the backup folder`, RETURN_CODE.MISSING_NECESSARY_FILES, nothing, () => sum);
    sourceSums.set(job.name, taken);
    await journal(ctx.ref, { step: 'large-file-copied', file: job.name, bytes });
  }
  if (writes.staging) {
    const checked = await sealStagedCopies(ctx, writes, jobs, sourceSums);
    await checkPlan(ctx, writes, 'checking the plan against the resolved XML', 33, nothing);
    await remember(ctx, { step: 'large-files-verified', ...checked });
    return;
  }
  await verifyCopies(ctx, writes);
  // The last moment before anything live changes: the plan still stands.
  await checkPlan(ctx, writes, 'checking the plan against the resolved XML', RETURN_CODE.BACKEND_XML_UNCONSISTENCY, nothing);
  await journal(ctx.ref, { step: 'large-files-verified' });
}

/**
 * Staged: every copy must have the backup's size and checksum, read back on the node, and every
 * image copy passes `qemu-img check` and is written out to disk (with its folder) before the
 * machine is stopped: the renames while it is stopped then write no data, and a node that
 * crashes after them finds complete images under the live names.
 */
async function sealStagedCopies(
  ctx: Context,
  writes: RestoreWrites,
  jobs: { name: string; staged: string | null; to: string; root: string }[],
  sourceSums: Map<string, Checksum>,
): Promise<{ checked: { file: string; checksum: string; bytes: number }[]; staged: { disk: string; id: string }[] }> {
  const { node, backupFolder, backupRoot } = ctx.layout;
  const nothing = 'Nothing live has changed: only copies in the retain folder and beside the live images were made.';
  const sealed = await step(
    'checking the copies against the backup (checksums) and writing them out to disk',
    RETURN_CODE.MISSING_NECESSARY_FILES,
    nothing,
    () =>
      nodeOps.seal(
        node,
        jobs.map((j) => ({
          source: `${backupFolder}/${j.name}`,
          sourceRoot: backupRoot,
          copy: j.to,
          copyRoot: j.root,
          durable: j.staged !== null,
          checksums: sourceSums.has(j.name) ? 'copy' : 'both',
        })),
      ),
  );
  sealed.forEach((r, i) => {
    const { name } = jobs[i];
    // A copy an earlier run made had its backup checksummed in the seal; the others while they were copied.
    const source = r.source ?? sourceSums.get(name);
    if (!source || r.copy.sizeBytes !== source.sizeBytes || r.copy.checksum !== source.checksum) {
      throw new StepFailure(
        `verifying ${name}`,
        RETURN_CODE.MISSING_NECESSARY_FILES,
        `The copy of ${name} (${r.copy.sizeBytes} bytes, checksum ${r.copy.checksum}) differs from the backup (${source?.sizeBytes ?? 'no'} bytes, checksum ${source?.checksum ?? 'none'}).`,
        nothing,
      );
    }
  });
  for (const job of jobs) {
    if (job.staged)
      await step(`checking ${job.name} with qemu-img`, RETURN_CODE.CORRUPT_DISK_IMAGE_FOUND, nothing, () =>
        nodeOps.imageCheck(node, job.to),
      );
  }
  const byFile = new Map(jobs.map((j, i) => [j.name, sealed[i]]));
  return {
    checked: jobs.map((j, i) => ({ file: j.name, checksum: sealed[i].copy.checksum, bytes: sealed[i].copy.sizeBytes })),
    staged: writes.moves.flatMap((m) => {
      const r = byFile.get(m.file);
      return r ? [{ disk: m.target, id: r.copy.id }] : [];
    }),
  };
}

/** Each copy the plan lists has the backup's size in the retain folder, and every image passes `qemu-img check`. */
export async function verifyCopies(ctx: Context, writes: RestoreWrites): Promise<void> {
  const { node, backupFolder, retainFolder, stateName } = ctx.layout;
  const nothing = 'Nothing live has changed: only copies in the retain folder were made.';
  const sizes = await step('checking the copies', RETURN_CODE.MISSING_NECESSARY_FILES, nothing, () =>
    nodeOps.stat(
      node,
      writes.copies.flatMap((name) => [`${backupFolder}/${name}`, `${retainFolder}/${name}`]),
    ),
  );
  for (const name of writes.copies) {
    const original = sizes.get(`${backupFolder}/${name}`);
    const copy = sizes.get(`${retainFolder}/${name}`);
    if (copy === null || copy === undefined || copy !== original) {
      throw new StepFailure(
        `verifying ${name}`,
        RETURN_CODE.MISSING_NECESSARY_FILES,
        `The copy of ${name} has ${copy ?? 'no'} bytes, the backup ${original ?? 'no'} bytes.`,
        nothing,
      );
    }
    if (name !== stateName) {
      await step(`checking ${name} with qemu-img`, RETURN_CODE.CORRUPT_DISK_IMAGE_FOUND, nothing, () =>
        nodeOps.imageCheck(node, `${retainFolder}/${name}`),
      );
    }
  }
}

/** Step 8: the only destructive part. Every sub-step checks the node's real state first. */
async function restore(ctx: Context, options: Phase2Options): Promise<void> {
  const { node, retainFolder, retainRoot } = ctx.layout;
  const uuid = ctx.layout.machine.uuid;
  const journaled = (s: TimedRecord['step']) => ctx.records.some((r) => r.step === s);

  checkStillDriving(options);
  if (!journaled('machine-stopped'))
    await stopMachine(ctx, options, 'Nothing live has changed yet.', 'The machine may still be running; nothing else has changed.');
  const writesNow = await planned(
    ctx,
    'reading the plan',
    RETURN_CODE.CANNOT_MOVE_DISK_IMAGE_TO_ORIGINAL_LOCATION,
    'The machine is stopped; its images, definition and directory entries are unchanged.',
  );
  if (writesNow.staging && !ctx.keptId) {
    checkStillDriving(options);
    // Recorded with the machine stopped and before anything else changes, so it is exactly what an undo must put back.
    const stopped = last(ctx.records, 'machine-stopped');
    ctx.keptId = await step(
      'recording the domain XML, directory entries and images the restore replaces',
      RETURN_CODE.CANNOT_SAVE_BACKEND_ENTRY,
      'The machine is stopped; its images, definition and directory entries are unchanged.',
      () =>
        captureBefore({
          ref: ctx.ref,
          layout: ctx.layout,
          records: ctx.records,
          writes: writesNow,
          wasRunning: stopped?.how !== 'was-not-running',
        }),
    );
    await journal(ctx.ref, { step: 'before-kept', record: ctx.keptId });
  }
  checkStillDriving(options);
  if (!journaled('domain-undefined')) {
    const state = await step(
      'reading the domain state',
      RETURN_CODE.CANNOT_RESTORE_MACHINE,
      'The machine is stopped; its images and directory entries are unchanged.',
      () => nodeOps.domState(node, uuid),
    );
    if (state !== 'undefined') {
      await step(
        'undefining the domain',
        RETURN_CODE.CANNOT_DEFINE_MACHINE,
        'The machine is stopped; its images and directory entries are unchanged.',
        () => nodeOps.undefine(node, uuid),
      );
    }
    await journal(ctx.ref, { step: 'domain-undefined', wasDefined: state !== 'undefined' });
  }
  const writes = writesNow;
  const moved = new Set(
    ctx.records.filter((r): r is Extract<TimedRecord, { step: 'image-moved' }> => r.step === 'image-moved').map((r) => r.disk),
  );
  if (writes.staging) await placeStagedImages(ctx, writes, moved, options);
  for (const move of writes.staging ? [] : writes.moves) {
    if (moved.has(move.target)) continue;
    checkStillDriving(options);
    const source = `${retainFolder}/${move.file}`;
    const stateNow = `The machine is stopped and undefined; disks already replaced: ${[...moved].join(', ') || 'none'}; directory entries unchanged.`;
    const present = (await nodeOps.stat(node, [source])).get(source);
    // mv within one file system is a rename: if the source is gone, this move already happened before a crash.
    if (present !== null && present !== undefined) {
      await step(`moving ${move.file} over ${move.destination}`, RETURN_CODE.CANNOT_MOVE_DISK_IMAGE_TO_ORIGINAL_LOCATION, stateNow, () =>
        nodeOps.move(node, { path: source, root: retainRoot }, { path: move.destination, root: ctx.layout.virtualizationRoot }),
      );
    }
    await journal(ctx.ref, { step: 'image-moved', disk: move.target, from: source, to: move.destination });
    moved.add(move.target);
  }
  checkStillDriving(options);
  if (!journaled('directory-restored')) {
    await restoreDirectory(
      ctx,
      'The machine is stopped and undefined; its disk images are the restored ones; the directory entries may be partly restored (retrying finishes them).',
    );
  }
  checkStillDriving(options);
  if (!journaled('domain-started')) {
    const stateNow = 'Images and directory entries are restored; the domain is not running yet.';
    const xmlPath = `${retainFolder}/${ctx.layout.resolvedXml}`;
    const state = await step('reading the domain state', RETURN_CODE.CANNOT_RESTORE_MACHINE, stateNow, () => nodeOps.domState(node, uuid));
    let how: 'restore-with-state' | 'define-and-start' = ctx.withState ? 'restore-with-state' : 'define-and-start';
    if (state !== 'running') {
      const defined = 'The domain is defined from the resolved XML but not running.';
      if (state === 'undefined' || !journaled('domain-defined')) {
        // Defining first keeps the domain persistent (as it was before the restore) once restored.
        await checkPlan(
          ctx,
          writes,
          'checking the resolved XML before defining the domain',
          RETURN_CODE.CANNOT_DEFINE_MACHINE,
          stateNow,
          true,
        );
        await step('defining the domain', RETURN_CODE.CANNOT_DEFINE_MACHINE, stateNow, () => nodeOps.define(node, xmlPath));
        await journal(ctx.ref, { step: 'domain-defined' });
      }
      if (ctx.withState) {
        try {
          await step(RESTORING_SAVED_STATE, RETURN_CODE.CANNOT_RESTORE_MACHINE, defined, () =>
            nodeOps.restoreDomain(node, `${retainFolder}/${ctx.layout.stateName}`, xmlPath),
          );
        } catch (error) {
          // sstVirtualizationVirtualMachineForceStart: a machine that must run is started cold rather than left off.
          if (!(error instanceof StepFailure) || ctx.layout.effective.values.forceStart.value !== true) throw error;
          how = 'define-and-start';
          await step('starting the machine', RETURN_CODE.CANNOT_START_MACHINE, defined, () => nodeOps.start(node, uuid));
        }
      } else {
        how = 'define-and-start';
        await step('starting the machine', RETURN_CODE.CANNOT_START_MACHINE, defined, () => nodeOps.start(node, uuid));
      }
    }
    await journal(ctx.ref, { step: 'domain-started', how, ...downtimeOf(ctx) });
  }
}

/** From the machine found stopped to running again, for the journal (only where this restore stopped a running machine). */
function downtimeOf(ctx: Context): { downtime?: { stoppedAt: string; seconds: number } } {
  const stopped = last(ctx.records, 'machine-stopped');
  if (!stopped || stopped.how === 'was-not-running' || stopped.how === 'by-broker') return {};
  return { downtime: { stoppedAt: stopped.at, seconds: Math.round((Date.now() - new Date(stopped.at).getTime()) / 10) / 100 } };
}

/**
 * Staged: every image the plan replaces is put in place with renames within its folder (the live
 * image to its kept name, the checked copy to the live name), in one command, each disk only when
 * its files are the ones recorded (identities). Safe to repeat after a crash at any point: a disk
 * already done is reported as such; one whose files are not what the journal and the kept record
 * say is refused with what was found, and nothing of it is renamed.
 */
async function placeStagedImages(ctx: Context, writes: RestoreWrites, moved: Set<string>, options: Phase2Options): Promise<void> {
  const { node, virtualizationRoot } = ctx.layout;
  const notYetMoved = writes.moves.filter((m) => !moved.has(m.target));
  if (notYetMoved.length === 0) return;
  checkStillDriving(options);
  const stateNow = `The machine is stopped and undefined; disks already replaced: ${[...moved].join(', ') || 'none'}; directory entries unchanged.`;
  const staged = new Map((last(ctx.records, 'large-files-verified')?.staged ?? []).map((s) => [s.disk, s.id]));
  const kept = ctx.keptId ? await readKeptView(ctx.keptId) : null;
  if (!kept)
    throw new StepFailure(
      'renaming the images into place',
      RETURN_CODE.CANNOT_MOVE_DISK_IMAGE_TO_ORIGINAL_LOCATION,
      'The record of the images this restore keeps is missing, so no live image is renamed.',
      stateNow,
    );
  const keptBy = new Map(kept.images.map((i) => [i.target, i]));
  const items = notYetMoved.map((m) => {
    const incomingId = staged.get(m.target);
    const image = keptBy.get(m.target);
    if (!incomingId || !image || !m.staged || !m.kept)
      throw new StepFailure(
        'renaming the images into place',
        RETURN_CODE.CANNOT_MOVE_DISK_IMAGE_TO_ORIGINAL_LOCATION,
        `The checked copy or the kept image of ${m.target} is not recorded, so it is not renamed.`,
        stateNow,
      );
    return { live: m.destination, outgoing: m.kept, currentId: image.id, incoming: m.staged, incomingId };
  });
  await step('renaming the images into place', RETURN_CODE.CANNOT_MOVE_DISK_IMAGE_TO_ORIGINAL_LOCATION, stateNow, () =>
    nodeOps.place(node, virtualizationRoot, items),
  );
  for (const m of notYetMoved) {
    await journal(ctx.ref, {
      step: 'image-moved',
      disk: m.target,
      from: m.staged ?? '',
      to: m.destination,
      kept: keptBy.get(m.target)?.id ? (m.kept ?? null) : null,
    });
    moved.add(m.target);
  }
}

/** Staged: what the restore left, in its kept record (an undo compares it with what it finds). */
async function recordTheResult(ctx: Context, finishedState: string): Promise<void> {
  if (!ctx.keptId || !ctx.writes?.staging) return;
  const { keptId, writes } = ctx;
  await step(
    'recording what the restore left (for an undo)',
    RETURN_CODE.CANNOT_SAVE_BACKEND_ENTRY,
    'The machine is restored and runs; only the retain folder is left.',
    () => recordRestored({ keptId, layout: ctx.layout, writes, finishedState }),
  );
}

/** RESTORE_KEEP_HOURS=0: the replaced images go as soon as the restore has finished (nothing to undo with). */
async function discardUnlessKept(ctx: Context): Promise<void> {
  if (!ctx.keptId || env().restore.keepHours > 0) return;
  await discardKept(ctx.keptId, `restore-${ctx.ref.iteration}`, env().restore.leaseMs).catch((error: unknown) =>
    console.error(`[restore] could not remove the images kept by ${ctx.keptId}: ${error instanceof Error ? error.message : String(error)}`),
  );
}

/** Journals a record and adds it to the context, for the steps of this run that read it. */
async function remember(ctx: Context, record: JournalRecord): Promise<void> {
  const now = new Date();
  await journal(ctx.ref, record, now);
  ctx.records = [...ctx.records, { ...record, at: now.toISOString() } as TimedRecord];
}

/** Shuts the machine down (destroy after the bounded wait) unless it is not running; journaled. */
export async function stopMachine(ctx: Context, options: Phase2Options, before: string, during: string): Promise<void> {
  const { node } = ctx.layout;
  const uuid = ctx.layout.machine.uuid;
  const state = await step('reading the domain state', RETURN_CODE.CANNOT_RESTORE_MACHINE, before, () => nodeOps.domState(node, uuid));
  let how: 'shutdown' | 'destroy' | 'was-not-running' = 'was-not-running';
  const requestedAt = new Date().toISOString();
  if (state === 'running' || state === 'paused') {
    how = await step('stopping the machine', RETURN_CODE.CANNOT_RESTORE_MACHINE, during, () =>
      nodeOps.stopDomain(node, uuid, options.shutdownTimeoutMs),
    );
  }
  // Kept in the context too: the downtime the journal records starts here.
  await remember(ctx, { step: 'machine-stopped', how, ...(how === 'was-not-running' ? {} : { requestedAt }) });
}

/**
 * Brings the live directory entries to the resolved LDIF (no daemon does this); recomputed from
 * the live entries each time, so a retry finishes it. `folder`: where the resolved LDIF is
 * (default the retain folder; daemon-driven, the console's copy beside it), below the retain root.
 * Read as bytes: the LDIF reader unfolds lines before it decodes them.
 */
export async function restoreDirectory(ctx: Context, stateNow: string, folder = ctx.layout.retainFolder): Promise<void> {
  const { node, retainRoot, resolvedLdif } = ctx.layout;
  const uuid = ctx.layout.machine.uuid;
  const changes = await step('restoring the directory entries', RETURN_CODE.CANNOT_CONNECT_TO_BACKEND, stateNow, async () => {
    const target = parseLdif(await nodeOps.readBytes(node, `${folder}/${resolvedLdif}`, 16 * 1024 * 1024, retainRoot));
    const live = await readLiveMachineEntries(uuid);
    const list = ldapChanges(live, target);
    await applyLdapChanges(list, uuid);
    return list.length;
  });
  await journal(ctx.ref, { step: 'directory-restored', changes });
}

/**
 * Continuing a console-driven restore after a failure: the same mode with return value 0 again
 * (and a timestamp as state, never 0), then the same loop.
 * `withoutState` (offered when libvirt refused the saved state) defines and starts the machine instead.
 */
export async function retryPhase2(
  target: IterationRef,
  by: string,
  options: Phase2Options,
  retry: { withoutState?: boolean } = {},
): Promise<Phase2Outcome> {
  const ref = await restoreRef(target);
  const { mode, returnValue } = await currentMode(ref);
  if ((returnValue ?? RETURN_CODE.SUCCESS) === RETURN_CODE.SUCCESS)
    throw new AppError('conflict', 'The restore has not failed; there is nothing to retry.');
  await journal(ref, { step: 'retried', by, ...(retry.withoutState ? { withoutState: true } : {}) });
  await transitionIteration(ref.machineUuid, leafOf(ref), {
    from: mode,
    to: mode,
    state: formatIterationName(new Date()),
    returnValue: RETURN_CODE.SUCCESS,
  });
  return runPhase2(ref, options);
}

/**
 * An administrator's way out of a failed restore whose live machine is restored as far as it
 * matters (see RestoreView.finishByHand; on either path, daemon-driven only after the node
 * daemon's `restored`): the iteration becomes finished, and the journal, closed, names what was
 * left for them to deal with. Nothing on the node is changed.
 */
export async function finishByHand(target: IterationRef, by: string): Promise<{ remains: string[] }> {
  const ref = await restoreRef(target);
  const [{ mode, returnValue }, stored] = await Promise.all([currentMode(ref), readJournal(ref.machineUuid, ref.iteration)]);
  const records = stored ? decodeJournal(stored.records) : [];
  const view = deriveRestoreView({ mode, returnValue, records, lease: stored?.lease ?? null, now: new Date() });
  const offer = view.finishByHand;
  if (!offer) {
    throw new AppError(
      'conflict',
      view.stage === 'failed'
        ? (view.finishByHandBlocked ??
            'This restore cannot be marked as finished: the machine is not restored far enough (its images, directory entries and domain definition must be in place). Retry it instead.')
        : 'Only a failed restore can be marked as finished.',
    );
  }
  const started = last(records, 'started');
  if (offer.domainMustBeDefined && started) {
    const state = await nodeOps.domState(started.node, ref.machineUuid);
    if (state === 'undefined')
      throw new AppError('conflict', 'The domain is not defined on the node any more, so the restore is not finished: retry it instead.');
  }
  const finishedAt = new Date();
  // Staged: what the restore left is recorded as at the end of any restore, so that it can still be undone.
  const keptId = last(records, 'before-kept')?.record;
  if (keptId) {
    // Marking finished does not depend on the node: without this record the kept disks can only be discarded, not used for an undo.
    await loadContext(ref)
      .then((ctx) =>
        ctx.writes?.staging
          ? recordRestored({ keptId, layout: ctx.layout, writes: ctx.writes, finishedState: finishedStateOf(ref, records, finishedAt) })
          : undefined,
      )
      .catch((error: unknown) =>
        console.error(
          `[restore] ${ref.machineUuid}/${ref.iteration}: what the restore left could not be recorded, so it cannot be undone: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
  }
  await markFinished(ref, mode, records, finishedAt);
  await finishJournal(ref, { by, remains: offer.remains });
  invalidateFleetCache();
  return { remains: offer.remains };
}
