/**
 * What a console-driven restore keeps so that it can be undone, and the undo's own journal: the
 * records of one kept record in the directory (lib/ldap/kept.ts), and what they say. Pure: no
 * I/O, so the machine page, the Nodes page, the pre-flight and the undo itself read the same.
 *
 * A restore that stages its images beside the live ones (writes.ts) renames each live image it
 * replaces to a kept name in the same folder instead of overwriting it, and records the domain
 * XML and the directory entries as they were. They stay until an administrator undoes the
 * restore (they become live again, byte for byte the same files), discards them, or the
 * retention (RESTORE_KEEP_HOURS) ends.
 */
import type { FileId } from '@/lib/ssh/images';
import { RESTORE_ID } from './writes';

export interface KeptImage {
  /** The disk's `<target dev>`. */
  target: string;
  /** The live image path the restore replaced, and an undo puts back. */
  live: string;
  /** The name the image that was live is kept under, beside it. */
  kept: string;
  /** Its identity (device:inode); null when no image was at `live` before the restore (nothing is kept for this disk). */
  id: FileId | null;
  sizeBytes: number;
  /** The space it takes on the node (allocated blocks), which discarding frees. */
  allocatedBytes: number;
}

/** The restored image at `live` when the restore ended: what an undo expects to find there. */
export interface RestoredImage {
  target: string;
  live: string;
  id: FileId;
  sizeBytes: number;
  mtime: string;
}

export type UndoStep = 'iteration' | 'stop' | 'undefine' | 'images' | 'directory' | 'define' | 'start' | 'cleanup' | 'finish';

export type KeptRecord =
  | {
      step: 'kept';
      machineUuid: string;
      machineName: string;
      node: string;
      iteration: string;
      /** The leaf that held the restore of an iteration that exists only on the node (node-only.ts); an undo takes and gives back this leaf. */
      leaf?: string;
      restoreId: string;
      /** Who started the restore. */
      restoredBy: string;
      /** The iteration's state and return value before the restore, which an undo puts back. */
      previousState: string;
      previousReturnValue: number | null;
      retainRoot: string;
      retainFolder: string;
      virtualizationRoot: string;
      /** The domain before the restore: defined (its XML is the record's text `domain-xml`), and running. */
      domain: { wasDefined: boolean; wasRunning: boolean };
      images: KeptImage[];
    }
  | {
      step: 'restored';
      /** The restored iteration's state when the restore finished: a change since means it was restored (or changed) again. */
      finishedState: string;
      images: RestoredImage[];
      /** sha256 of the domain's persistent XML (`virsh dumpxml --inactive`) as the restore left it. */
      domainXmlDigest: string | null;
      /** The machine's iterations when the restore finished: a new one means it was backed up since. */
      iterations: string[];
    }
  | { step: 'undo-started'; by: string }
  | { step: 'iteration-taken' }
  | { step: 'machine-stopped'; how: 'shutdown' | 'destroy' | 'was-not-running'; requestedAt?: string }
  | { step: 'domain-undefined'; wasDefined: boolean }
  | { step: 'images-placed'; disks: string[] }
  | { step: 'directory-restored'; changes: number }
  /** `folders`: the folders below the retain directory made for the XML file, removed again at the end. */
  | { step: 'domain-defined'; folders?: string[] }
  | { step: 'domain-started'; how: 'started' | 'left-stopped' | 'left-undefined'; downtime?: { stoppedAt: string; seconds: number } }
  | { step: 'restored-images-removed'; files: string[] }
  | { step: 'undone'; by: string }
  | { step: 'undo-cancelled'; by: string }
  | {
      step: 'failed';
      during: string;
      returnValue: number;
      reason: string;
      machineState: string;
      command?: string;
      exitCode?: number;
      stderr?: string;
    }
  | { step: 'retried'; by: string }
  | { step: 'resumed'; by: string; after: string };

export type TimedKeptRecord = KeptRecord & { at: string };

export type KeptStatus =
  /** The restore has not finished: the images are kept, but there is nothing to undo yet. */
  | 'restore-open'
  | 'kept'
  | 'undoing'
  | 'undo-failed'
  /** Nothing is held any more: the images are live again. */
  | 'undone';

/** The leaf whose mode an undo takes: the iteration's own, or the one that held its restore. */
export const leafOfKept = (kept: { iteration: string; leaf?: string }) => kept.leaf ?? kept.iteration;

/** A restored image moved aside by an undo, removed once the machine runs again. */
export const asideName = (live: string, restoreId: string) => `${live}.undone-${restoreId}`;

/** `<machine uuid>_<iteration>_<restore id>`: one kept record per restore. */
export const keptRecordId = (machineUuid: string, iteration: string, restoreId: string) =>
  `${machineUuid.toLowerCase()}_${iteration}_${restoreId}`;

const KEPT_RECORD_ID = new RegExp(`^([0-9a-f-]{36})_(\\d{8}T\\d{6}Z)_(${RESTORE_ID.source})$`, 'i');

/** Newer restores sort later; an id written before milliseconds counts as `.000` of its second. */
export const compareRestoreIds = (a: string, b: string): number => {
  const key = (id: string) => (id.includes('.') ? id : id.replace(/Z$/, '.000Z'));
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
};

export function parseKeptRecordId(id: string): { machineUuid: string; iteration: string; restoreId: string } | null {
  const m = KEPT_RECORD_ID.exec(id);
  return m ? { machineUuid: m[1].toLowerCase(), iteration: m[2], restoreId: m[3] } : null;
}

const lastOf = <S extends KeptRecord['step']>(
  records: TimedKeptRecord[],
  step: S,
  from = 0,
): Extract<TimedKeptRecord, { step: S }> | undefined =>
  records.slice(from).findLast((r): r is Extract<TimedKeptRecord, { step: S }> => r.step === step);

/** The records of the current (or last) undo attempt: everything since its `undo-started`. */
export function currentUndo(records: TimedKeptRecord[]): TimedKeptRecord[] {
  const start = records.findLastIndex((r) => r.step === 'undo-started');
  return start < 0 ? [] : records.slice(start);
}

export function keptStatus(records: TimedKeptRecord[]): KeptStatus {
  const undo = currentUndo(records);
  if (undo.some((r) => r.step === 'undone')) return 'undone';
  if (undo.length > 0 && !undo.some((r) => r.step === 'undo-cancelled')) {
    const failed = undo.findLastIndex((r) => r.step === 'failed');
    const retried = undo.findLastIndex((r) => r.step === 'retried' || r.step === 'resumed');
    return failed > retried ? 'undo-failed' : 'undoing';
  }
  return records.some((r) => r.step === 'restored') ? 'kept' : 'restore-open';
}

/** Whether the undo has changed the live machine yet (before that, it can still be called off). */
export function undoTouchedMachine(records: TimedKeptRecord[]): boolean {
  return currentUndo(records).some((r) =>
    ['machine-stopped', 'domain-undefined', 'images-placed', 'directory-restored', 'domain-defined', 'domain-started'].includes(r.step),
  );
}

const UNDO_STEPS: { key: UndoStep; label: string; done: KeptRecord['step'] }[] = [
  { key: 'iteration', label: 'Take the machine (the restored iteration is marked as being restored)', done: 'iteration-taken' },
  { key: 'stop', label: 'Stop the machine', done: 'machine-stopped' },
  { key: 'undefine', label: 'Undefine the domain', done: 'domain-undefined' },
  { key: 'images', label: 'Rename the restored images aside and the kept images back (no data written)', done: 'images-placed' },
  { key: 'directory', label: 'Put the directory entries back as they were', done: 'directory-restored' },
  { key: 'define', label: 'Define the domain from its XML before the restore', done: 'domain-defined' },
  { key: 'start', label: 'Start the machine (if it ran before the restore)', done: 'domain-started' },
  { key: 'cleanup', label: 'Remove the restored images', done: 'restored-images-removed' },
  { key: 'finish', label: 'Put the iteration back as it was before the restore', done: 'undone' },
];

export interface KeptView {
  id: string;
  machineUuid: string;
  machineName: string;
  node: string;
  iteration: string;
  restoreId: string;
  restoredBy: string;
  /** When the restore ended (its `restored` record), null while it is open. */
  restoredAt: string | null;
  status: KeptStatus;
  images: (KeptImage & { held: boolean })[];
  /** The space the kept images take on the node, freed by an undo or a discard. */
  heldBytes: number;
  /** When the retention ends (null: the restore has not finished, or nothing is kept any more). */
  keptUntil: string | null;
  domain: { wasDefined: boolean; wasRunning: boolean };
  undo: {
    steps: { key: UndoStep; label: string; status: 'done' | 'running' | 'pending' | 'failed' }[];
    failure: Extract<TimedKeptRecord, { step: 'failed' }> | null;
    startedBy: string | null;
    /** Downtime of the undo (machine found stopped → running again), when it started the machine. */
    downtime: { stoppedAt: string; seconds: number } | null;
    canCancel: boolean;
  };
  journal: TimedKeptRecord[];
  driver: { instance: string; expires: string; stale: boolean } | null;
}

/** A kept record as the pages show it, or null when its first record is missing (a record being written). */
export function deriveKeptView(input: {
  id: string;
  records: TimedKeptRecord[];
  lease: { instance: string; expires: Date } | null;
  retentionHours: number;
  now: Date;
}): KeptView | null {
  const { records } = input;
  const kept = lastOf(records, 'kept');
  if (!kept) return null;
  const restored = lastOf(records, 'restored');
  const status = keptStatus(records);
  const held = status !== 'undone';
  const images = kept.images.map((i) => ({ ...i, held: held && i.id !== null }));
  const undo = currentUndo(records);
  const failedIndex = undo.findLastIndex((r) => r.step === 'failed');
  const failure = status === 'undo-failed' ? (undo[failedIndex] as Extract<TimedKeptRecord, { step: 'failed' }>) : null;
  const done = new Set<KeptRecord['step']>(undo.map((r) => r.step));
  // A domain that was not defined before the restore is left undefined: nothing to define.
  if (done.has('domain-started')) done.add('domain-defined');
  const current = UNDO_STEPS.find((s) => !done.has(s.done));
  const steps = UNDO_STEPS.map((s) => ({
    key: s.key,
    label: s.label,
    status: done.has(s.done)
      ? ('done' as const)
      : s === current && status === 'undo-failed'
        ? ('failed' as const)
        : s === current && status === 'undoing'
          ? ('running' as const)
          : ('pending' as const),
  }));
  const started = lastOf(undo, 'domain-started');
  return {
    id: input.id,
    machineUuid: kept.machineUuid,
    machineName: kept.machineName,
    node: kept.node,
    iteration: kept.iteration,
    restoreId: kept.restoreId,
    restoredBy: kept.restoredBy,
    restoredAt: restored?.at ?? null,
    status,
    images,
    heldBytes: images.filter((i) => i.held).reduce((sum, i) => sum + i.allocatedBytes, 0),
    keptUntil: restored && held ? new Date(new Date(restored.at).getTime() + input.retentionHours * 3600_000).toISOString() : null,
    domain: kept.domain,
    undo: {
      steps,
      failure,
      startedBy: lastOf(undo, 'undo-started')?.by ?? null,
      downtime: started?.downtime ?? null,
      canCancel: (status === 'undo-failed' || status === 'undoing') && !undoTouchedMachine(records),
    },
    journal: records.filter((r) => r.step !== 'kept' && r.step !== 'restored'),
    driver: input.lease
      ? {
          instance: input.lease.instance,
          expires: input.lease.expires.toISOString(),
          stale: input.lease.expires.getTime() < input.now.getTime(),
        }
      : null,
  };
}

/** Whether the retention of a kept record has ended: only a finished restore's or undo's, never while an undo runs or failed, nor while the restore is open. */
export function retentionEnded(view: Pick<KeptView, 'status' | 'restoredAt'>, retentionHours: number, now: Date): boolean {
  if ((view.status !== 'kept' && view.status !== 'undone') || !view.restoredAt) return false;
  return new Date(view.restoredAt).getTime() + retentionHours * 3600_000 <= now.getTime();
}
