/**
 * The restore journal: what has been done, in order, written to the directory before and after
 * every step so that any console instance, after any restart, can tell where a restore stands
 * and whether continuing is safe. Pure: encoding and decoding only.
 */

import type { Executor } from './daemon-protocol';
import type { RestoreWrites } from './writes';

export type JournalRecord =
  | {
      step: 'started';
      by: string;
      node: string;
      previousState: string;
      previousReturnValue: number | null;
      retainFolder: string;
      backupFolder: string;
      createdFolders?: string[];
      /** The roots the folders were checked against; phase 2 keeps using them even if the configuration changes meanwhile. */
      retainRoot?: string;
      backupRoot?: string;
      /** Who executes the node steps; a journal without it (older consoles) is console-driven. */
      executor?: Executor;
      /** Why: NODE_DAEMON or what the console found on the node. */
      executorReason?: string;
      /** sstProvisioningExecutionDate before a daemon-driven restore set it to 0, when it was something else. */
      previousExecutionDate?: string;
      /**
       * The iteration exists only on the node: the machine's one leaf that holds the restore's
       * modes (previousState and previousReturnValue are that leaf's, given back when it ends).
       */
      leaf?: string;
    }
  | { step: 'small-files-copied' }
  | {
      step: 'resolved';
      by: string;
      decisions: Record<string, { choice: 'live' | 'backup' | 'value'; value?: string }>;
      plan: { overwritten: string[]; kept: string[]; entriesAdded: string[]; entriesRemoved: string[]; savedStateRisks?: string[] };
      withState: boolean;
      /** Exactly the files phase 2 writes (absent in journals of older console versions). */
      writes?: RestoreWrites;
    }
  | { step: 'confirmed'; by: string }
  /** Daemon-driven: the resolved XML written over the unretained copy the node daemon restores from (daemons.md fact 1). */
  | { step: 'xml-installed'; path: string }
  /** Daemon-driven: the console wrote a command for the node daemon (state 0). */
  | { step: 'commanded'; mode: string }
  /** Daemon-driven: the node daemon ended a step with this mode and return value. */
  | { step: 'daemon-answered'; mode: string; returnValue: number }
  /** Daemon-driven: someone else (the broker, fact 2) moved the iteration on; the console follows. */
  | { step: 'followed'; mode: string; by: 'broker' | 'someone else' }
  /** Daemon-driven: the console leaves the broker this long to stop the machine and ask for the restore itself (fact 2) before it does. */
  | { step: 'waiting-for-broker'; seconds: number }
  | { step: 'large-file-copied'; file: string; bytes: number }
  | {
      step: 'large-files-verified';
      /** Staged beside the live images: each copy's checksum (cksum) matched the backup's, and each image copy was written out to disk. */
      checked?: { file: string; checksum: string; bytes: number }[];
      /** The identity (device:inode) of each disk's copy, which phase 2 renames into place. */
      staged?: { disk: string; id: string }[];
    }
  /** `at` is when the machine was found stopped; `requestedAt` when the console asked it to stop. */
  | { step: 'machine-stopped'; how: 'shutdown' | 'destroy' | 'was-not-running' | 'by-broker'; requestedAt?: string }
  /** What the restore replaces was recorded in the console's kept record `record` (kept.ts) before anything live changed. */
  | { step: 'before-kept'; record: string }
  | { step: 'domain-undefined'; wasDefined: boolean }
  /** The resolved XML became the domain's persistent definition (console-driven: before its saved state is restored; daemon-driven: before the daemon restores it). */
  | { step: 'domain-defined' }
  /** `kept`: staged beside the live image, the live image was renamed to this name (absent: there was none, or the image was moved from the retain folder). */
  | { step: 'image-moved'; disk: string; from: string; to: string; kept?: string | null }
  | { step: 'directory-restored'; changes: number }
  /** `downtime`: from the machine found stopped to running again (absent where the console did not stop it). */
  | {
      step: 'domain-started';
      how: 'restore-with-state' | 'define-and-start' | 'by-daemon';
      downtime?: { stoppedAt: string; seconds: number };
    }
  /** An administrator started to undo this finished restore (its own journal is the kept record `record`). */
  | { step: 'undo-started'; by: string; record: string }
  | { step: 'undone'; by: string; record: string }
  | { step: 'undo-cancelled'; by: string; record: string }
  | {
      step: 'failed';
      during: string;
      returnValue: number;
      reason: string;
      command?: string;
      exitCode?: number;
      stderr?: string;
      machineState: string;
      /** Who reported it: the node daemon's own return value, or the console. */
      by?: 'daemon' | 'console';
      /** Daemon-driven: the command a retry writes again (the daemon's step starts over). */
      reissue?: string;
    }
  | { step: 'retried'; by: string; withoutState?: boolean }
  | { step: 'resumed'; by: string; after: string }
  | { step: 'aborted'; by: string }
  /** `by` and `remains` when an administrator marked a failed restore as finished: what was left as it was. */
  | { step: 'finished'; by?: string; remains?: string[] };

export type TimedRecord = JournalRecord & { at: string };

/** A sortable prefix: directory values of a multi-valued attribute come back in no fixed order. */
export function encodeRecord<R extends { step: string }>(record: R, now: Date = new Date()): string {
  const key = `${now.getTime().toString().padStart(15, '0')}-${Math.random().toString(36).slice(2, 8)}`;
  return `${key} ${JSON.stringify({ ...record, at: now.toISOString() })}`;
}

/** The records of a journal (the restore's, or a kept record's, see kept.ts), in order; values that do not parse are left out. */
export function decodeRecords<R extends { step: string; at: string }>(values: string[]): R[] {
  return [...values].sort().flatMap((value) => {
    const space = value.indexOf(' ');
    try {
      const parsed = JSON.parse(value.slice(space + 1)) as unknown;
      return typeof parsed === 'object' && parsed !== null && 'step' in parsed ? [parsed as R] : [];
    } catch {
      return [];
    }
  });
}

export const decodeJournal = (values: string[]): TimedRecord[] => decodeRecords<TimedRecord>(values);

export function last<R extends { step: string }, S extends R['step']>(records: R[], step: S): Extract<R, { step: S }> | undefined {
  for (let i = records.length - 1; i >= 0; i -= 1) {
    if (records[i].step === step) return records[i] as Extract<R, { step: S }>;
  }
  return undefined;
}

export function has<R extends { step: string }>(records: R[], step: R['step']): boolean {
  return records.some((r) => r.step === step);
}

/** A restore's journal that ended: finished (and perhaps undone since). Anything else is an open restore. */
export function journalEnded(records: TimedRecord[]): boolean {
  const end = records.findLast((r) => !['undo-started', 'undone', 'undo-cancelled'].includes(r.step));
  return end?.step === 'finished' && !isUndoing(records);
}

/** An undo of this restore has started and not ended (see undo.ts). */
export function isUndoing(records: TimedRecord[]): boolean {
  const start = records.findLastIndex((r) => r.step === 'undo-started');
  return start >= 0 && !records.slice(start).some((r) => r.step === 'undone' || r.step === 'undo-cancelled');
}

/** Who executes this restore's node steps; journals of older consoles have no executor and were console-driven. */
export function executorOf(records: TimedRecord[]): Executor {
  return last(records, 'started')?.executor ?? 'console';
}

// --- Lease ---------------------------------------------------------------------------------

/** "<instance> <expires ISO>": the console instance driving phase 2, renewed while it works. */
export function encodeLease(instance: string, expires: Date): string {
  return `${instance} ${expires.toISOString()}`;
}

export function decodeLease(value: string | null): { instance: string; expires: Date } | null {
  if (!value) return null;
  const [instance, iso] = value.split(' ');
  const expires = new Date(iso ?? '');
  return instance && !Number.isNaN(expires.getTime()) ? { instance, expires } : null;
}
