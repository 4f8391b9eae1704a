import 'server-only';
import { RETURN_CODE } from '@/lib/backup/return-codes';
import { formatIterationName } from '@/lib/backup/iteration';
import { AppError } from '@/lib/errors';
import { ldapChanges } from '@/lib/diff/conflicts';
import { parseLdif } from '@/lib/diff/ldif';
import { invalidateFleetCache } from '@/lib/inventory/cache';
import { appendKept, closeKept, readKept, readKeptText } from '@/lib/ldap/kept';
import {
  applyLdapChanges,
  appendJournal,
  markIterationFailed,
  readIterationStatus,
  readJournal,
  readLiveMachineEntries,
  transitionIteration,
} from '@/lib/ldap/restore';
import { encodeRecord, last } from './journal';
import { checkUndo, decodeKept, keptRecord } from './kept';
import { asideName, currentUndo, keptStatus, leafOfKept, undoTouchedMachine, type KeptRecord, type TimedKeptRecord } from './kept-records';
import * as nodeOps from './node';
import { failedRecord, StepFailure, step } from './steps';

/**
 * Undoing a console-driven restore: the machine goes back exactly as it was before the restore,
 * from what the restore kept (kept.ts). Like the restore, the machine is stopped only for steps
 * whose cost does not depend on the images' size: renames (the restored image aside, the kept
 * image back), the directory entries, the definition, and the start. No image data is copied.
 *
 * The restored iteration is taken with a compare-and-set from `finished` to `restoring` (with a
 * timestamp as state, which no daemon acts on), so no backup or restore of the machine starts
 * meanwhile: the stoney wrapper and the broker leave a machine alone whose iteration is not
 * finished. At the end it goes back to the state and return value it had before the restore, so
 * the machine's subtree is as it was. Every step is journaled in the kept record; a console
 * that dies part-way is followed by one that continues from the journal and from what it finds
 * on the node (each file told by its identity).
 */

export interface UndoOptions {
  shutdownTimeoutMs: number;
  instance: string;
  handedOver?: () => boolean;
  leaseLost?: () => Promise<boolean>;
}

type Kept = Extract<KeptRecord, { step: 'kept' }>;
type Restored = Extract<KeptRecord, { step: 'restored' }>;

interface UndoContext {
  id: string;
  kept: Kept;
  restored: Restored;
  records: TimedKeptRecord[];
}

class HandedOver extends Error {}

async function note(id: string, record: KeptRecord, now = new Date()): Promise<TimedKeptRecord> {
  await appendKept(id, keptRecord(record, now));
  return { ...record, at: now.toISOString() } as TimedKeptRecord;
}

/** The restore's own journal names the undo too, so its page says what happened (when the journal is still there). */
async function noteInRestoreJournal(
  kept: Kept,
  record: { step: 'undo-started' | 'undone' | 'undo-cancelled'; by: string; record: string },
): Promise<void> {
  if (await readJournal(kept.machineUuid, kept.iteration)) await appendJournal(kept.machineUuid, kept.iteration, encodeRecord(record));
}

async function loadUndo(id: string): Promise<UndoContext> {
  const stored = await readKept(id);
  if (!stored) throw new AppError('not-found', 'There is no such kept record.');
  const records = decodeKept(stored.records);
  const kept = last(records, 'kept');
  const restored = last(records, 'restored');
  if (!kept || !restored) throw new AppError('conflict', 'The restore has not finished, so there is nothing to undo.');
  return { id, kept, restored, records };
}

/**
 * Starts an undo after the checks (checkUndo) pass: the journal first, then the iteration is
 * taken. The caller holds the record's lease and drives runUndo.
 */
export async function beginUndo(id: string, by: string): Promise<void> {
  const check = await checkUndo(id);
  if (check.view.status !== 'kept')
    throw new AppError(
      'conflict',
      check.view.status === 'undone'
        ? 'This restore has been undone already.'
        : 'An undo of this restore is already under way; its page shows where it stands.',
    );
  if (check.problems.length > 0) throw new AppError('conflict', `The restore cannot be undone: ${check.problems.join(' ')}`);
  const { kept } = await loadUndo(id);
  await note(id, { step: 'undo-started', by });
  await noteInRestoreJournal(kept, { step: 'undo-started', by, record: id });
}

/** Runs (or continues) an undo to the end, or until a step fails (recorded with the reason). */
export async function runUndo(id: string, options: UndoOptions): Promise<'undone' | 'failed' | 'handed-over'> {
  let ctx: UndoContext | null = null;
  try {
    ctx = await loadUndo(id);
    await undoSteps(ctx, options);
    return 'undone';
  } catch (error) {
    if (error instanceof HandedOver || (await options.leaseLost?.().catch(() => false))) return 'handed-over';
    const failure =
      error instanceof StepFailure
        ? error
        : new StepFailure(
            'undoing the restore',
            1,
            error instanceof Error ? error.message : String(error),
            'See the journal for the steps that completed; the steps not listed there did not run.',
          );
    await note(id, failedRecord(failure)).catch(() => undefined);
    if (ctx && currentUndo(ctx.records).some((r) => r.step === 'iteration-taken')) {
      await markIterationFailed(
        ctx.kept.machineUuid,
        leafOfKept(ctx.kept),
        'restoring',
        failure.returnValue,
        formatIterationName(new Date()),
      ).catch(() => undefined);
      invalidateFleetCache();
    }
    return 'failed';
  }
}

async function undoSteps(ctx: UndoContext, options: UndoOptions): Promise<void> {
  const { kept, restored, id } = ctx;
  const { node, machineUuid: uuid } = kept;
  const undo = () => currentUndo(ctx.records);
  const done = (s: KeptRecord['step']) => undo().some((r) => r.step === s);
  const record = async (r: KeptRecord) => {
    ctx.records.push(await note(id, r));
  };
  const stillDriving = () => {
    if (options.handedOver?.()) throw new HandedOver('another console instance drives this undo now');
  };

  stillDriving();
  if (!done('iteration-taken')) {
    await step('taking the machine (the restored iteration)', RETURN_CODE.CANNOT_LOCK_MACHINE, 'Nothing has changed yet.', () =>
      takeIteration(kept, restored),
    );
    await record({ step: 'iteration-taken' });
    invalidateFleetCache();
  }
  stillDriving();
  if (!done('machine-stopped')) {
    const before = 'Nothing live has changed yet.';
    const state = await step('reading the domain state', RETURN_CODE.CANNOT_RESTORE_MACHINE, before, () => nodeOps.domState(node, uuid));
    const requestedAt = new Date().toISOString();
    let how: 'shutdown' | 'destroy' | 'was-not-running' = 'was-not-running';
    if (state === 'running' || state === 'paused') {
      how = await step(
        'stopping the machine',
        RETURN_CODE.CANNOT_RESTORE_MACHINE,
        'The machine may still be running; nothing else has changed.',
        () => nodeOps.stopDomain(node, uuid, options.shutdownTimeoutMs),
      );
    }
    await record({ step: 'machine-stopped', how, ...(how === 'was-not-running' ? {} : { requestedAt }) });
  }
  stillDriving();
  const stopped = 'The machine is stopped; its images, definition and directory entries are still the restored ones.';
  if (!done('domain-undefined')) {
    const state = await step('reading the domain state', RETURN_CODE.CANNOT_RESTORE_MACHINE, stopped, () => nodeOps.domState(node, uuid));
    if (state !== 'undefined')
      await step('undefining the domain', RETURN_CODE.CANNOT_DEFINE_MACHINE, stopped, () => nodeOps.undefine(node, uuid));
    await record({ step: 'domain-undefined', wasDefined: state !== 'undefined' });
  }
  stillDriving();
  if (!done('images-placed')) {
    const restoredBy = new Map(restored.images.map((i) => [i.target, i]));
    const items = kept.images.flatMap((image) => {
      const after = restoredBy.get(image.target);
      if (!after) return [];
      return [
        {
          target: image.target,
          live: image.live,
          outgoing: asideName(image.live, kept.restoreId),
          currentId: after.id,
          incoming: image.id ? image.kept : null,
          incomingId: image.id,
        },
      ];
    });
    await step(
      'renaming the restored images aside and the kept images back',
      RETURN_CODE.CANNOT_MOVE_DISK_IMAGE_TO_ORIGINAL_LOCATION,
      'The machine is stopped and undefined; its images and directory entries are still the restored ones.',
      () => nodeOps.place(node, kept.virtualizationRoot, items),
    );
    await record({ step: 'images-placed', disks: items.map((i) => i.target) });
  }
  stillDriving();
  const imagesBack =
    'The machine is stopped and undefined; its images are the ones from before the restore again; the restored ones are kept aside.';
  if (!done('directory-restored')) {
    const changes = await step(
      'putting the directory entries back',
      RETURN_CODE.CANNOT_CONNECT_TO_BACKEND,
      `${imagesBack} The directory entries may be partly put back (retrying finishes them).`,
      async () => {
        const text = await readKeptText(id, 'entries');
        if (text === null) throw new AppError('not-found', 'The directory entries from before the restore were not recorded.');
        const list = ldapChanges(await readLiveMachineEntries(uuid), parseLdif(text));
        await applyLdapChanges(list, uuid);
        return list.length;
      },
    );
    await record({ step: 'directory-restored', changes });
  }
  stillDriving();
  const entriesBack = `${imagesBack} The directory entries are as before the restore.`;
  const undoFolder = `${kept.retainFolder}.undo`;
  if (!done('domain-defined') && kept.domain.wasDefined) {
    // virsh defines from a file on the node: the XML goes into a folder of the console's own below the retain directory, removed again below.
    const folders = await step(
      'defining the domain from its XML before the restore',
      RETURN_CODE.CANNOT_DEFINE_MACHINE,
      entriesBack,
      async () => {
        const xml = await readKeptText(id, 'domain-xml');
        if (xml === null) throw new AppError('not-found', 'The domain XML from before the restore was not recorded.');
        const created = await nodeOps.missingFolders(node, undoFolder, kept.retainRoot);
        await nodeOps.makeFolder(node, undoFolder, kept.retainRoot);
        await nodeOps.writeText(node, `${undoFolder}/${uuid}.xml`, xml, kept.retainRoot);
        await nodeOps.define(node, `${undoFolder}/${uuid}.xml`);
        return created;
      },
    );
    await record({ step: 'domain-defined', folders });
  }
  stillDriving();
  if (!done('domain-started')) {
    const defined = `${entriesBack} The domain is defined as before the restore but not running.`;
    const stoppedRecord = last(undo(), 'machine-stopped');
    let how: 'started' | 'left-stopped' | 'left-undefined' = kept.domain.wasDefined ? 'left-stopped' : 'left-undefined';
    if (kept.domain.wasDefined && kept.domain.wasRunning) {
      const state = await step('reading the domain state', RETURN_CODE.CANNOT_RESTORE_MACHINE, defined, () => nodeOps.domState(node, uuid));
      if (state !== 'running')
        await step('starting the machine', RETURN_CODE.CANNOT_START_MACHINE, defined, () => nodeOps.start(node, uuid));
      how = 'started';
    }
    const downtime =
      how === 'started' && stoppedRecord && stoppedRecord.how !== 'was-not-running'
        ? { downtime: { stoppedAt: stoppedRecord.at, seconds: Math.round((Date.now() - new Date(stoppedRecord.at).getTime()) / 10) / 100 } }
        : {};
    await record({ step: 'domain-started', how, ...downtime });
  }
  stillDriving();
  if (!done('restored-images-removed')) {
    // After the start: removing a large file takes the file system a moment, which is not the machine's downtime.
    const files = await step(
      'removing the restored images',
      RETURN_CODE.CANNOT_REMOVE_FILE,
      'The machine is back as it was before the restore; the restored images are still aside.',
      async () => {
        const restoredBy = new Map(restored.images.map((i) => [i.target, i]));
        const aside = kept.images.flatMap((i) => {
          const after = restoredBy.get(i.target);
          return after ? [{ path: asideName(i.live, kept.restoreId), id: after.id }] : [];
        });
        const removed = await nodeOps.removeExactFiles(node, kept.virtualizationRoot, aside);
        await nodeOps.removeUnder(node, undoFolder, kept.retainRoot);
        await nodeOps.removeEmptyRetainFolders(
          node,
          (last(undo(), 'domain-defined')?.folders ?? []).filter((f) => f !== undoFolder),
          kept.retainRoot,
        );
        return removed;
      },
    );
    await record({ step: 'restored-images-removed', files });
  }
  stillDriving();
  await step(
    'putting the iteration back as it was before the restore',
    RETURN_CODE.CANNOT_LOCK_MACHINE,
    'The machine is back as it was before the restore; only its iteration still says it is being restored.',
    () => releaseIteration(kept),
  );
  invalidateFleetCache();
  const by = last(undo(), 'undo-started')?.by ?? 'the console';
  await closeKept(id, keptRecord({ step: 'undone', by }));
  await noteInRestoreJournal(kept, { step: 'undone', by, record: id }).catch((error: unknown) =>
    console.error(`[undo] ${id}: the restore journal could not be told: ${error instanceof Error ? error.message : String(error)}`),
  );
}

/**
 * The lock: finished (as the restore left it) → restoring, by compare-and-set. A console that
 * died after the write and before its journal record finds the iteration already taken.
 */
async function takeIteration(kept: Kept, restored: Restored): Promise<void> {
  const leaf = leafOfKept(kept);
  const status = await readIterationStatus(kept.machineUuid, leaf);
  if (status?.mode.toLowerCase() === 'restoring') return;
  if (status?.mode.toLowerCase() !== 'finished' || status.state !== restored.finishedState) {
    throw new AppError('conflict', `Leaf ${leaf} changed since the restore (mode ${status?.mode ?? 'gone'}): nothing was changed.`);
  }
  await transitionIteration(kept.machineUuid, leaf, {
    from: 'finished',
    to: 'restoring',
    state: formatIterationName(new Date()),
    returnValue: 0,
  });
}

/**
 * Back to the state and return value the leaf had before the restore (for a leaf that held the
 * restore of an iteration without a leaf, its own, as the restore gave it back); done already
 * when it is finished with them.
 */
async function releaseIteration(kept: Kept): Promise<void> {
  const leaf = leafOfKept(kept);
  const status = await readIterationStatus(kept.machineUuid, leaf);
  if (status?.mode.toLowerCase() === 'finished' && status.state === kept.previousState) return;
  await transitionIteration(kept.machineUuid, leaf, {
    from: status?.mode ?? 'restoring',
    to: 'finished',
    state: kept.previousState,
    returnValue: kept.previousReturnValue ?? 0,
  });
}

/** Continuing a failed undo: the iteration's return value back to 0 (still restoring), then the same steps. */
export async function retryUndo(id: string, by: string): Promise<void> {
  const { kept, records } = await loadUndo(id);
  if (keptStatus(records) !== 'undo-failed') throw new AppError('conflict', 'This undo has not failed; there is nothing to retry.');
  await note(id, { step: 'retried', by });
  const status = await readIterationStatus(kept.machineUuid, leafOfKept(kept));
  if (status && status.mode.toLowerCase() === 'restoring' && (status.returnValue ?? 0) !== 0) {
    await transitionIteration(kept.machineUuid, leafOfKept(kept), {
      from: 'restoring',
      to: 'restoring',
      state: formatIterationName(new Date()),
      returnValue: 0,
    });
    invalidateFleetCache();
  }
}

/**
 * Calls an undo off while it has not touched the machine: the iteration goes back to finished as
 * the restore left it, and everything stays kept as before.
 */
export async function cancelUndo(id: string, by: string): Promise<void> {
  const { kept, restored, records } = await loadUndo(id);
  const status = keptStatus(records);
  if (status !== 'undo-failed' && status !== 'undoing') throw new AppError('conflict', 'No undo of this restore is under way.');
  if (undoTouchedMachine(records))
    throw new AppError('conflict', 'The undo has already changed the machine; it can only be retried and finished, not called off.');
  const iteration = await readIterationStatus(kept.machineUuid, leafOfKept(kept));
  if (iteration?.mode.toLowerCase() === 'restoring') {
    await transitionIteration(kept.machineUuid, leafOfKept(kept), {
      from: 'restoring',
      to: 'finished',
      state: restored.finishedState,
      returnValue: 0,
    });
    invalidateFleetCache();
  }
  await closeKept(id, keptRecord({ step: 'undo-cancelled', by }));
  await noteInRestoreJournal(kept, { step: 'undo-cancelled', by, record: id });
}

/** A console instance takes over an undo whose driver stopped (its lease ran out). */
export async function noteResumed(id: string, instance: string): Promise<void> {
  const { records } = await loadUndo(id);
  await note(id, { step: 'resumed', by: instance, after: currentUndo(records).at(-1)?.step ?? 'undo-started' });
}
