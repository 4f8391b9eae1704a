import 'server-only';
import { AppError } from '@/lib/errors';
import { ldapChanges } from '@/lib/diff/conflicts';
import { parseLdif } from '@/lib/diff/ldif';
import { readDomainSettings } from '@/lib/diff/domain-xml';
import { readIterationModes, readJournal, readLiveMachineEntries, applyLdapChanges } from '@/lib/ldap/restore';
import { formatIterationName } from '@/lib/backup/iteration';
import { transitionIteration } from '@/lib/ldap/restore';
import { decodeJournal, has, last, type TimedRecord } from './journal';
import { readRestoreLayout, type RestoreLayout, imageDisks } from './layout';
import * as nodeOps from './node';
import { removeRetainFolder } from './phase1';
import { done, finishJournal, journal, recordFailure, step, StepFailure, working, type IterationRef } from './steps';

/**
 * Phase 2: no further interaction. Each step reads where the iteration stands (mode and
 * journal) and what the node really looks like before acting, so running this again after a
 * crash, a dropped connection or on another console instance continues from the last completed
 * step and never repeats a destructive one blindly.
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
  withState: boolean;
}

async function currentMode(ref: IterationRef): Promise<{ mode: string; returnValue: number | null }> {
  const modes = await readIterationModes(ref.machineUuid);
  const current = modes.find((m) => m.name === ref.iteration);
  if (!current) throw new AppError('not-found', 'The iteration no longer exists.');
  return current;
}

export async function loadContext(ref: IterationRef): Promise<Context> {
  const layout = await readRestoreLayout(ref.machineUuid, ref.iteration);
  const stored = await readJournal(ref.machineUuid, ref.iteration);
  const records = stored ? decodeJournal(stored.records) : [];
  const resolved = last(records, 'resolved');
  if (!resolved || !has(records, 'confirmed')) throw new AppError('conflict', 'This restore was never confirmed; phase 2 does not start without the administrator’s confirmation.');
  return { ref, layout, records, withState: resolved.withState };
}

export const readResolvedXml = (ctx: Context) => nodeOps.readText(ctx.layout.node, `${ctx.layout.retainFolder}/${ctx.layout.resolvedXml}`, 16 * 1024 * 1024);

export type Phase2Outcome = 'finished' | 'failed' | 'handed-over';

/** Runs a console-driven phase 2 to the end, or until a step fails (recorded as a non-zero return value and a reason). */
export async function runPhase2(ref: IterationRef, options: Phase2Options): Promise<Phase2Outcome> {
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
        case 'restored':
          if (mode.toLowerCase() === 'restoring') await restore(ctx, options);
          // The retain folder goes before the iteration is finished, so a console that dies in
          // between removes it on resume instead of leaving it behind for good.
          await step('removing the retain folder', 46, 'The machine is restored and running; only the retain folder is left.', () =>
            removeRetainFolder(ctx.layout, last(ctx.records, 'started')?.createdFolders ?? []),
          );
          await done(ref, mode, 'finished');
          // The journal stays as the record of this restore until the iteration is restored again.
          await finishJournal(ref);
          return 'finished';
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
export async function settleFailure(ref: IterationRef, mode: string, error: unknown, options: Phase2Options): Promise<'failed' | 'handed-over'> {
  if (error instanceof HandedOver || (await options.leaseLost?.().catch(() => false))) return 'handed-over';
  if (error instanceof StepFailure) {
    await recordFailure(ref, mode, error);
    return 'failed';
  }
  const failure = new StepFailure(`phase 2 (${mode})`, 1, error instanceof Error ? error.message : String(error), describeMachineState(mode));
  await recordFailure(ref, mode, failure).catch(() => undefined);
  return 'failed';
}

function describeMachineState(mode: string): string {
  const lower = mode.toLowerCase();
  if (lower.startsWith('unretain')) return 'Nothing live has changed: only copies in the retain folder were made.';
  return 'See the journal for which restore steps completed; the steps not listed there did not run.';
}

/** The large files are named after the disks of the backup's own XML (the one in the backup folder, as the node daemon reads it). */
export async function largeFileNames(ctx: Context): Promise<{ name: string; kind: 'state' | 'disk'; target?: string }[]> {
  const backupXml = await nodeOps.readText(ctx.layout.node, `${ctx.layout.backupFolder}/${ctx.layout.xmlName}`, 16 * 1024 * 1024);
  const disks = imageDisks(readDomainSettings(backupXml).disks);
  return [
    { name: ctx.layout.stateName, kind: 'state' },
    ...disks.map((d) => ({ name: `${(d.source ?? '').slice((d.source ?? '').lastIndexOf('/') + 1)}.${ctx.ref.iteration}`, kind: 'disk' as const, target: d.target })),
  ];
}

/** Step 7: copy the state file and every image into the retain folder, then check each copy. */
async function unretainLargeFiles(ctx: Context, options: Phase2Options): Promise<void> {
  const { node, backupFolder, retainFolder } = ctx.layout;
  const nothing = 'Nothing live has changed: only copies in the retain folder were made.';
  const files = await largeFileNames(ctx);
  const copied = new Set(ctx.records.filter((r): r is Extract<TimedRecord, { step: 'large-file-copied' }> => r.step === 'large-file-copied').map((r) => r.file));
  for (const file of files) {
    if (copied.has(file.name)) continue;
    checkStillDriving(options);
    const code = file.kind === 'state' ? 24 : 8;
    const bytes = await step(`copying ${file.name}`, code, nothing, () =>
      nodeOps.copy(node, `${backupFolder}/${file.name}`, `${retainFolder}/${file.name}`, (c, t) => options.onProgress?.(file.name, c, t)),
    );
    await journal(ctx.ref, { step: 'large-file-copied', file: file.name, bytes });
  }
  await verifyLargeFiles(ctx, files);
}

/** Each copy in the retain folder has the backup's size, and every image passes `qemu-img check`. */
export async function verifyLargeFiles(ctx: Context, files?: Awaited<ReturnType<typeof largeFileNames>>): Promise<void> {
  const { node, backupFolder, retainFolder } = ctx.layout;
  const nothing = 'Nothing live has changed: only copies in the retain folder were made.';
  files ??= await largeFileNames(ctx);
  const sizes = await nodeOps.stat(node, files.flatMap((f) => [`${backupFolder}/${f.name}`, `${retainFolder}/${f.name}`]));
  for (const file of files) {
    const original = sizes.get(`${backupFolder}/${file.name}`);
    const copy = sizes.get(`${retainFolder}/${file.name}`);
    if (copy === null || copy === undefined || copy !== original) {
      throw new StepFailure(`verifying ${file.name}`, 37, `The copy of ${file.name} has ${copy ?? 'no'} bytes, the backup ${original ?? 'no'} bytes.`, nothing);
    }
    if (file.kind === 'disk') {
      await step(`checking ${file.name} with qemu-img`, 38, nothing, () => nodeOps.imageCheck(node, `${retainFolder}/${file.name}`));
    }
  }
  await journal(ctx.ref, { step: 'large-files-verified' });
}

/** Step 8: the only destructive part. Every sub-step checks the node's real state first. */
async function restore(ctx: Context, options: Phase2Options): Promise<void> {
  const { node, retainFolder } = ctx.layout;
  const uuid = ctx.layout.machine.uuid;
  const journaled = (s: TimedRecord['step']) => ctx.records.some((r) => r.step === s);

  checkStillDriving(options);
  if (!journaled('machine-stopped')) await stopMachine(ctx, options, 'Nothing live has changed yet.', 'The machine may still be running; nothing else has changed.');
  checkStillDriving(options);
  if (!journaled('domain-undefined')) {
    const state = await step('reading the domain state', 21, 'The machine is stopped; its images and directory entries are unchanged.', () => nodeOps.domState(node, uuid));
    if (state !== 'undefined') {
      await step('undefining the domain', 41, 'The machine is stopped; its images and directory entries are unchanged.', () => nodeOps.undefine(node, uuid));
    }
    await journal(ctx.ref, { step: 'domain-undefined', wasDefined: state !== 'undefined' });
  }
  const resolved = readDomainSettings(await readResolvedXml(ctx));
  const files = await largeFileNames(ctx);
  const moved = new Set(ctx.records.filter((r): r is Extract<TimedRecord, { step: 'image-moved' }> => r.step === 'image-moved').map((r) => r.disk));
  for (const file of files.filter((f) => f.kind === 'disk')) {
    if (!file.target || moved.has(file.target)) continue;
    checkStillDriving(options);
    const destination = resolved.disks.find((d) => d.target === file.target)?.source;
    if (!destination) continue;
    const source = `${retainFolder}/${file.name}`;
    const stateNow = `The machine is stopped and undefined; disks already replaced: ${[...moved].join(', ') || 'none'}; directory entries unchanged.`;
    const present = (await nodeOps.stat(node, [source])).get(source);
    // mv within one file system is a rename: if the source is gone, this move already happened before a crash.
    if (present !== null && present !== undefined) {
      await step(`moving ${file.name} over ${destination}`, 40, stateNow, () => nodeOps.move(node, source, destination));
    }
    await journal(ctx.ref, { step: 'image-moved', disk: file.target, from: source, to: destination });
    moved.add(file.target);
  }
  checkStillDriving(options);
  if (!journaled('directory-restored')) {
    await restoreDirectory(ctx, 'The machine is stopped and undefined; its disk images are the restored ones; the directory entries may be partly restored (retrying finishes them).');
  }
  checkStillDriving(options);
  if (!journaled('domain-started')) {
    const stateNow = 'Images and directory entries are restored; the domain is not running yet.';
    const xmlPath = `${retainFolder}/${ctx.layout.resolvedXml}`;
    const state = await step('reading the domain state', 21, stateNow, () => nodeOps.domState(node, uuid));
    let how: 'restore-with-state' | 'define-and-start' = ctx.withState ? 'restore-with-state' : 'define-and-start';
    if (state !== 'running') {
      if (ctx.withState) {
        // Defining first keeps the domain persistent (as it was before the restore) once restored.
        await step('defining the domain', 41, stateNow, () => nodeOps.define(node, xmlPath));
        const defined = 'The domain is defined from the resolved XML but not running.';
        try {
          await step('restoring the saved state', 21, defined, () => nodeOps.restoreDomain(node, `${retainFolder}/${ctx.layout.stateName}`, xmlPath));
        } catch (error) {
          // sstVirtualizationVirtualMachineForceStart: a machine that must run is started cold rather than left off.
          if (!(error instanceof StepFailure) || ctx.layout.effective.values.forceStart.value !== true) throw error;
          how = 'define-and-start';
          await step('starting the machine', 42, defined, () => nodeOps.start(node, uuid));
        }
      } else {
        how = 'define-and-start';
        await step('defining the domain', 41, stateNow, () => nodeOps.define(node, xmlPath));
        await step('starting the machine', 42, 'The domain is defined from the resolved XML but not running.', () => nodeOps.start(node, uuid));
      }
    }
    await journal(ctx.ref, { step: 'domain-started', how });
  }
}

/** Shuts the machine down (destroy after the bounded wait) unless it is not running; journaled. */
export async function stopMachine(ctx: Context, options: Phase2Options, before: string, during: string): Promise<void> {
  const { node } = ctx.layout;
  const uuid = ctx.layout.machine.uuid;
  const state = await step('reading the domain state', 21, before, () => nodeOps.domState(node, uuid));
  let how: 'shutdown' | 'destroy' | 'was-not-running' = 'was-not-running';
  if (state === 'running' || state === 'paused') {
    how = await step('stopping the machine', 21, during, () => nodeOps.stopDomain(node, uuid, options.shutdownTimeoutMs));
  }
  await journal(ctx.ref, { step: 'machine-stopped', how });
}

/**
 * Brings the live directory entries to the resolved LDIF (no daemon does this); recomputed from
 * the live entries each time, so a retry finishes it. `folder`: where the resolved LDIF is
 * (default the retain folder).
 */
export async function restoreDirectory(ctx: Context, stateNow: string, folder = ctx.layout.retainFolder): Promise<void> {
  const uuid = ctx.layout.machine.uuid;
  const ldifText = await nodeOps.readText(ctx.layout.node, `${folder}/${ctx.layout.resolvedLdif}`, 16 * 1024 * 1024);
  const changes = await step('restoring the directory entries', 17, stateNow, async () => {
    const target = parseLdif(ldifText);
    const live = await readLiveMachineEntries(uuid);
    const list = ldapChanges(live, target);
    await applyLdapChanges(list, uuid);
    return list.length;
  });
  await journal(ctx.ref, { step: 'directory-restored', changes });
}

/** Continuing a console-driven restore after a failure: the same mode with return value 0 again, then the same loop. */
export async function retryPhase2(ref: IterationRef, by: string, options: Phase2Options): Promise<Phase2Outcome> {
  const { mode, returnValue } = await currentMode(ref);
  if ((returnValue ?? 0) === 0) throw new AppError('conflict', 'The restore has not failed; there is nothing to retry.');
  await journal(ref, { step: 'retried', by });
  await transitionIteration(ref.machineUuid, ref.iteration, { from: mode, to: mode, state: formatIterationName(new Date()), returnValue: 0 });
  return runPhase2(ref, options);
}
