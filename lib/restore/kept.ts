import 'server-only';
import { createHash } from 'node:crypto';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { ldapChanges } from '@/lib/diff/conflicts';
import { rdnsOf } from '@/lib/diff/dn';
import { isBackupHistory } from '@/lib/diff/entries';
import { parseLdif, serializeLdif, type LdifEntry } from '@/lib/diff/ldif';
import { appendKept, createKept, deleteKept, findKept, readKept, readKeptText, swapKeptLease, writeKeptTexts } from '@/lib/ldap/kept';
import { readIterationModes, readIterationStatus, readJournal, readLiveMachineEntries } from '@/lib/ldap/restore';
import { decodeJournal, decodeLease, decodeRecords, encodeLease, encodeRecord, journalEnded, last, type TimedRecord } from './journal';
import {
  asideName,
  compareRestoreIds,
  deriveKeptView,
  keptRecordId,
  leafOfKept,
  parseKeptRecordId,
  retentionEnded,
  type KeptImage,
  type KeptRecord,
  type KeptView,
  type RestoredImage,
  type TimedKeptRecord,
} from './kept-records';
import type { RestoreLayout } from './layout';
import * as nodeOps from './node';
import type { IterationRef } from './steps';
import { restoreIdOf, type RestoreWrites } from './writes';

/**
 * The console's side of kept records (kept-records.ts): what a console-driven restore records
 * before it changes anything live and when it ends, the list the pages show, discarding, the
 * retention, and what must still hold for an undo. Every file is told by its identity
 * (device:inode): an image that is not the one recorded is never renamed or removed.
 */

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The machine's entries as a restore reads and writes them: without its backup history. */
const withoutHistory = (entries: LdifEntry[]) => entries.filter((e) => !isBackupHistory(rdnsOf(e.dn)));

export function decodeKept(values: string[]): TimedKeptRecord[] {
  return decodeRecords<TimedKeptRecord>(values);
}

export const keptRecord = (record: KeptRecord, now?: Date) => encodeRecord(record, now);

/**
 * Restore, with the machine stopped and before anything else live changes: records the domain's
 * persistent XML, the directory entries and each live image the plan replaces (its identity and
 * size), so that an undo can put exactly these back. Returns the record's id. A record left by a
 * console that died right after writing it (the journal does not name it) is written again:
 * nothing live changed since.
 */
export async function captureBefore(input: {
  ref: IterationRef;
  layout: RestoreLayout;
  records: TimedRecord[];
  writes: RestoreWrites;
  wasRunning: boolean;
}): Promise<string> {
  const { ref, layout, writes } = input;
  const started = last(input.records, 'started');
  if (!started) throw new AppError('conflict', 'The restore journal has no start record.');
  const restoreId = restoreIdOf(started.at);
  const id = keptRecordId(ref.machineUuid, ref.iteration, restoreId);
  const uuid = layout.machine.uuid;
  const [xml, entries, found] = await Promise.all([
    nodeOps.liveDomainXml(layout.node, uuid),
    readLiveMachineEntries(uuid),
    nodeOps.identify(
      layout.node,
      writes.moves.map((m) => m.destination),
    ),
  ]);
  const images: KeptImage[] = writes.moves.map((m, i) => {
    const f = found[i];
    return {
      target: m.target,
      live: m.destination,
      kept: m.kept ?? '',
      id: f.exists ? f.id : null,
      sizeBytes: f.exists ? f.sizeBytes : 0,
      allocatedBytes: f.exists ? f.allocatedBytes : 0,
    };
  });
  const record = keptRecord({
    step: 'kept',
    machineUuid: uuid,
    machineName: layout.machine.name,
    node: layout.node,
    iteration: ref.iteration,
    ...(ref.leaf && ref.leaf !== ref.iteration ? { leaf: ref.leaf } : {}),
    restoreId,
    restoredBy: started.by,
    previousState: started.previousState,
    previousReturnValue: started.previousReturnValue,
    retainRoot: layout.retainRoot,
    retainFolder: layout.retainFolder,
    virtualizationRoot: layout.virtualizationRoot,
    domain: { wasDefined: xml !== null, wasRunning: input.wasRunning },
    images,
  });
  const texts = { ...(xml !== null ? { 'domain-xml': xml } : {}), entries: serializeLdif(withoutHistory(entries)) };
  if (!(await createKept(id, uuid, [record], texts))) {
    await deleteKept(id);
    if (!(await createKept(id, uuid, [record], texts))) throw new AppError('conflict', `The kept record ${id} could not be written again.`);
  }
  return id;
}

/**
 * Restore, once the machine runs again: what the restore left (each restored image's identity,
 * the domain XML's digest, the entries, the machine's iterations and the iteration's finished
 * state), which an undo compares with what it finds. Written again by a console that resumes.
 */
export async function recordRestored(input: {
  keptId: string;
  layout: RestoreLayout;
  writes: RestoreWrites;
  finishedState: string;
}): Promise<void> {
  const { layout, writes } = input;
  const uuid = layout.machine.uuid;
  const [found, xml, entries, iterations] = await Promise.all([
    nodeOps.identify(
      layout.node,
      writes.moves.map((m) => m.destination),
    ),
    nodeOps.liveDomainXml(layout.node, uuid),
    readLiveMachineEntries(uuid),
    readIterationModes(uuid),
  ]);
  const images: RestoredImage[] = writes.moves.flatMap((m, i) => {
    const f = found[i];
    return f.exists ? [{ target: m.target, live: m.destination, id: f.id, sizeBytes: f.sizeBytes, mtime: f.mtime.toISOString() }] : [];
  });
  await writeKeptTexts(input.keptId, { 'restored-entries': serializeLdif(withoutHistory(entries)) });
  await appendKept(
    input.keptId,
    keptRecord({
      step: 'restored',
      finishedState: input.finishedState,
      images,
      domainXmlDigest: xml === null ? null : sha256(xml),
      iterations: iterations.map((i) => i.name).sort(),
    }),
  );
}

const retentionHours = () => env().restore.keepHours;

function viewOf(stored: { id: string; records: string[]; lease: string | null }, now = new Date()): KeptView | null {
  return deriveKeptView({
    id: stored.id,
    records: decodeKept(stored.records),
    lease: decodeLease(stored.lease),
    retentionHours: retentionHours(),
    now,
  });
}

/** Every kept record (or a machine's), newest restore first; no node is asked. */
export async function listKept(machineUuid?: string): Promise<KeptView[]> {
  const now = new Date();
  return (await findKept(machineUuid))
    .map((k) => viewOf(k, now))
    .filter((v): v is KeptView => v !== null)
    .sort((a, b) => compareRestoreIds(b.restoreId, a.restoreId));
}

export async function readKeptView(id: string): Promise<KeptView | null> {
  const stored = await readKept(id);
  return stored ? viewOf(stored) : null;
}

/** The space kept images hold per node (lower-case node name), from the records; `machines`: only these machines' (lower-case UUIDs). */
export async function keptSpaceByNode(machines?: Set<string>): Promise<Map<string, { bytes: number; restores: number }>> {
  const out = new Map<string, { bytes: number; restores: number }>();
  for (const view of await listKept()) {
    if (view.heldBytes === 0 || (machines && !machines.has(view.machineUuid))) continue;
    const key = view.node.toLowerCase();
    const sum = out.get(key) ?? { bytes: 0, restores: 0 };
    out.set(key, { bytes: sum.bytes + view.heldBytes, restores: sum.restores + 1 });
  }
  return out;
}

/** Takes the record's lease for `instance` if it is free or expired; false when another live instance holds it. */
export async function takeKeptLease(id: string, instance: string, leaseMs: number): Promise<boolean> {
  const stored = await readKept(id);
  if (!stored) return false;
  const lease = decodeLease(stored.lease);
  if (lease && lease.instance !== instance && lease.expires.getTime() > Date.now()) return false;
  return swapKeptLease(id, stored.lease, encodeLease(instance, new Date(Date.now() + leaseMs)));
}

/**
 * Removes the kept images (each only if it is still the file recorded) and the record. Refused
 * while the restore is open (it may still rename a live image to its kept name) and while an
 * undo runs or failed (its images may be half placed). Returns the files removed and the space.
 */
export async function discardKept(
  id: string,
  instance: string,
  leaseMs: number,
): Promise<{ files: string[]; bytes: number; view: KeptView }> {
  const stored = await readKept(id);
  const view = stored ? viewOf(stored) : null;
  if (!stored || !view) throw new AppError('not-found', 'There is no such kept record; it may have been discarded already.');
  if (view.status === 'undoing' || view.status === 'undo-failed')
    throw new AppError('conflict', 'An undo of this restore has started; finish or cancel it first (its page says where it stands).');
  if (view.status === 'restore-open') {
    const journal = await readJournal(view.machineUuid, view.iteration);
    if (journal && !journalEnded(decodeJournal(journal.records))) {
      throw new AppError(
        'conflict',
        'The restore that kept these disks has not finished yet; it may still rename a live image to its kept name. Finish or retry it first.',
      );
    }
  }
  if (!(await takeKeptLease(id, instance, leaseMs)))
    throw new AppError('conflict', 'Another console instance is working on this kept record right now; reload to see where it stands.');
  const kept = decodeKept(stored.records).find((r): r is Extract<TimedKeptRecord, { step: 'kept' }> => r.step === 'kept');
  const files = view.status === 'undone' || !kept ? [] : kept.images.flatMap((i) => (i.id ? [{ path: i.kept, id: i.id }] : []));
  try {
    const removed = kept ? await nodeOps.removeExactFiles(kept.node, kept.virtualizationRoot, files) : [];
    await deleteKept(id);
    return { files: removed, bytes: view.heldBytes, view };
  } catch (error) {
    // Nothing was removed (a refusal comes before any removal): the record stays, free for the next attempt.
    const now = await readKept(id);
    const lease = decodeLease(now?.lease ?? null);
    if (now?.lease && lease?.instance === instance)
      await swapKeptLease(id, now.lease, encodeLease(instance, new Date())).catch(() => undefined);
    throw error;
  }
}

/** The retention (RESTORE_KEEP_HOURS): discards every record whose time is up. Each failure is logged and tried again at the next sweep. */
export async function discardExpired(instance: string, leaseMs: number, now = new Date()): Promise<string[]> {
  const discarded: string[] = [];
  for (const view of await listKept()) {
    if (!retentionEnded(view, retentionHours(), now)) continue;
    try {
      await discardKept(view.id, instance, leaseMs);
      discarded.push(view.id);
    } catch (error) {
      console.error(`[restore] could not discard the kept disks of ${view.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return discarded;
}

export interface UndoCheck {
  view: KeptView;
  /** Why the undo would lose something or cannot be done; empty when it can. */
  problems: string[];
  /** What the undo will discard that is expected (the machine's writes since the restore). */
  notes: string[];
}

/**
 * Whether undoing the restore puts the machine back exactly as before without losing anything
 * that changed since: the restored iteration is still the restore's, no backup or restore of the
 * machine came after it, each restored image is still the one the restore placed (the machine's
 * own writes to it are what an undo discards), each kept image is still the one kept, and the
 * domain XML and the directory entries are as the restore left them.
 */
export async function checkUndo(id: string): Promise<UndoCheck> {
  const stored = await readKept(id);
  const view = stored ? viewOf(stored) : null;
  if (!stored || !view) throw new AppError('not-found', 'There is no such kept record: the restore kept nothing, or it was discarded.');
  const records = decodeKept(stored.records);
  const kept = last(records, 'kept');
  const restored = last(records, 'restored');
  const problems: string[] = [];
  const notes: string[] = [];
  if (!kept) throw new AppError('not-found', 'The kept record is incomplete.');
  if (view.status === 'undone') return { view, problems: ['This restore has been undone already.'], notes };
  if (!restored || view.status === 'restore-open')
    return {
      view,
      problems: ['The restore has not finished, so there is nothing to undo yet: finish (or retry) the restore first.'],
      notes,
    };
  const leaf = leafOfKept(kept);
  const [status, iterations, others, stepsNow] = await Promise.all([
    readIterationStatus(kept.machineUuid, leaf),
    readIterationModes(kept.machineUuid),
    findKept(kept.machineUuid),
    readJournal(kept.machineUuid, kept.iteration),
  ]);
  const undoing = view.status === 'undoing' || view.status === 'undo-failed';
  const named = leaf === kept.iteration ? `Iteration ${kept.iteration}` : `Leaf ${leaf}, which held the restore of ${kept.iteration},`;
  if (!status)
    problems.push(
      `${named} no longer exists${leaf === kept.iteration ? '' : ' (the stoney wrapper replaced it: the machine was backed up since)'}.`,
    );
  else if (!undoing && (status.mode.toLowerCase() !== 'finished' || status.state !== restored.finishedState)) {
    problems.push(
      `${named} changed since the restore (now mode ${status.mode}, state ${status.state}; the restore left it finished at ${restored.finishedState}): it was restored again or changed by hand.`,
    );
  }
  if (stepsNow && !undoing && !journalEnded(decodeJournal(stepsNow.records)))
    problems.push(`A restore of iteration ${kept.iteration} is open.`);
  const before = new Set(restored.iterations);
  const newer = iterations.filter((i) => !before.has(i.name)).map((i) => i.name);
  if (newer.length > 0)
    problems.push(
      `The machine was backed up since the restore (iteration ${newer.join(', ')}): that backup holds the restored disks, and undoing would leave it describing a machine that no longer exists.`,
    );
  const busy = iterations.filter((i) => i.name !== leaf && i.mode.toLowerCase() !== 'finished');
  if (busy.length > 0)
    problems.push(
      `Iteration ${busy.map((b) => `${b.name} is in mode ${b.mode}`).join(', ')}: one backup or restore per machine at a time.`,
    );
  const later = others
    .map((o) => o.id)
    .filter((o) => o !== id && compareRestoreIds(parseKeptRecordId(o)?.restoreId ?? '', kept.restoreId) > 0);
  if (later.length > 0) problems.push('The machine was restored again after this restore: undo that restore first, or discard this one.');
  try {
    await checkNode(kept, restored, undoing, problems, notes);
  } catch (error) {
    problems.push(`The node could not be checked: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { view, problems, notes };
}

type Kept = Extract<KeptRecord, { step: 'kept' }>;
type Restored = Extract<KeptRecord, { step: 'restored' }>;

async function checkNode(kept: Kept, restored: Restored, undoing: boolean, problems: string[], notes: string[]): Promise<void> {
  const restoredBy = new Map(restored.images.map((i) => [i.target, i]));
  const paths = kept.images.flatMap((i) => [i.live, i.kept, asideName(i.live, kept.restoreId)]);
  const [found, xml, entries, restoredText] = await Promise.all([
    nodeOps.identify(kept.node, paths),
    nodeOps.liveDomainXml(kept.node, kept.machineUuid),
    readLiveMachineEntries(kept.machineUuid),
    readKeptText(keptRecordId(kept.machineUuid, kept.iteration, kept.restoreId), 'restored-entries'),
  ]);
  const at = new Map(found.map((f) => [f.path, f]));
  for (const image of kept.images) {
    const after = restoredBy.get(image.target);
    const live = at.get(image.live);
    const keptNow = at.get(image.kept);
    const aside = at.get(asideName(image.live, kept.restoreId));
    // Part-way through an undo the files are where the undo put them; its own steps check them.
    if (undoing) continue;
    if (!after) problems.push(`The restore left no image for ${image.target}; there is nothing to put back.`);
    else if (!live?.exists) problems.push(`The restored image of ${image.target}, ${image.live}, is not there any more.`);
    else if (live.id !== after.id)
      problems.push(
        `The image of ${image.target}, ${image.live}, was replaced since the restore (it is another file now): undoing would lose it.`,
      );
    else if (live.sizeBytes !== after.sizeBytes || live.mtime.toISOString() !== after.mtime) {
      notes.push(
        `${image.target}: the machine has written to ${image.live} since the restore (last change ${live.mtime.toISOString()}); the undo discards those writes with the restored image.`,
      );
    }
    if (image.id !== null && (!keptNow?.exists || keptNow.id !== image.id || keptNow.sizeBytes !== image.sizeBytes)) {
      problems.push(
        `The kept image of ${image.target}, ${image.kept}, is ${keptNow?.exists ? 'not the file that was kept (it changed)' : 'missing'}.`,
      );
    }
    if (aside?.exists || (aside && aside.reason !== 'missing'))
      problems.push(`${aside.path} exists; the undo moves the restored image there and does not overwrite anything.`);
  }
  if (undoing) return;
  if ((xml === null ? null : sha256(xml)) !== restored.domainXmlDigest) {
    problems.push(
      xml === null
        ? 'The domain is not defined on the node any more.'
        : 'The domain definition (virsh dumpxml --inactive) changed since the restore: undoing would lose that change.',
    );
  }
  if (restoredText === null) problems.push('The directory entries as the restore left them were not recorded.');
  else {
    const changed = ldapChanges(parseLdif(restoredText), withoutHistory(entries));
    if (changed.length > 0) {
      const named = changed
        .slice(0, 5)
        .map((c) =>
          c.type === 'modify'
            ? `${c.dn} (${c.modifications.map((m) => m.attribute).join(', ')})`
            : `${c.dn} (${c.type === 'add' ? 'added' : 'removed'})`,
        );
      problems.push(
        `The directory entries changed since the restore: ${named.join('; ')}${changed.length > 5 ? ` and ${changed.length - 5} more` : ''}. Undoing would lose that.`,
      );
    }
  }
}
