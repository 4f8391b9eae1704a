/**
 * The words an iteration's mode takes. The directory is the job queue: a
 * control instance (the scheduler, or the console for restores) writes a
 * command with state '0', the node daemon answers with the "-ing" word while
 * it works (its lock) and the "-ed" word when done, and the control instance
 * writes the next command.
 *
 * "The scheduler" is fc-brokerd on FOSS-Cloud and the node's backup wrapper on
 * stoney cloud; "the node daemon" is prov-backup-kvm, or the console itself
 * where it runs the node steps over SSH.
 */

export type ModeWorkflow = 'backup' | 'prune' | 'restore' | 'export' | 'done' | 'unknown';
/** command: a step is asked for; working: someone holds it; done: a step ended; finished: nothing left to do. */
export type ModeKind = 'command' | 'working' | 'done' | 'finished';

export type ModeInfo = {
  mode: string;
  known: boolean;
  workflow: ModeWorkflow;
  kind: ModeKind;
  /** Short, e.g. 'Merging'. */
  label: string;
  /** One sentence: what this means. */
  meaning: string;
  /** Who acts next and what they do. */
  nextActor: string;
};

type Definition = Omit<ModeInfo, 'mode' | 'known'>;

const DEFINITIONS: Readonly<Record<string, Definition>> = {
  // The wiki's step 01 writes 'initialize' with a timestamp; fc-brokerd only holds it in memory.
  initialize: {
    workflow: 'backup',
    kind: 'working',
    label: 'Initializing',
    meaning: 'The scheduler is creating this iteration.',
    nextActor: 'The scheduler marks it initialized and asks for a snapshot.',
  },
  initialized: {
    workflow: 'backup',
    kind: 'done',
    label: 'Initialized',
    meaning: 'The iteration was created and the backup is about to start.',
    nextActor: 'The scheduler asks the node daemon for a snapshot.',
  },
  snapshot: {
    workflow: 'backup',
    kind: 'command',
    label: 'Snapshot requested',
    meaning: 'A snapshot of the machine has been asked for.',
    nextActor: 'The node daemon picks up the command and starts the snapshot.',
  },
  snapshotting: {
    workflow: 'backup',
    kind: 'working',
    label: 'Snapshotting',
    meaning: "The node daemon is saving the machine's state and moving its disk images aside.",
    nextActor: 'The node daemon finishes the snapshot and marks it snapshotted.',
  },
  snapshotted: {
    workflow: 'backup',
    kind: 'done',
    label: 'Snapshotted',
    meaning: 'The snapshot is taken; the machine runs on new overlay images.',
    nextActor: 'The scheduler asks for the merge.',
  },
  merge: {
    workflow: 'backup',
    kind: 'command',
    label: 'Merge requested',
    meaning: 'Merging the snapshot into the live disk images has been asked for.',
    nextActor: 'The node daemon picks up the command and starts the merge.',
  },
  merging: {
    workflow: 'backup',
    kind: 'working',
    label: 'Merging',
    meaning: 'The node daemon is merging the disk images (block pull).',
    nextActor: 'The node daemon finishes the merge and marks it merged.',
  },
  merged: {
    workflow: 'backup',
    kind: 'done',
    label: 'Merged',
    meaning: 'The live disk images no longer depend on the snapshot.',
    nextActor: 'The scheduler asks for the retain step.',
  },
  retain: {
    workflow: 'backup',
    kind: 'command',
    label: 'Retain requested',
    meaning: 'Copying the snapshot files to the backup directory has been asked for.',
    nextActor: 'The node daemon picks up the command and starts copying.',
  },
  retaining: {
    workflow: 'backup',
    kind: 'working',
    label: 'Retaining',
    meaning: 'The node daemon is copying the snapshot files to the backup directory.',
    nextActor: 'The node daemon finishes copying and marks it retained.',
  },
  retained: {
    workflow: 'backup',
    kind: 'done',
    label: 'Retained',
    meaning: 'The backup files are in the backup directory.',
    nextActor: 'The scheduler marks the iteration finished and prunes old iterations.',
  },
  finished: {
    workflow: 'done',
    kind: 'finished',
    label: 'Finished',
    meaning: 'The backup, or a restore from it, is complete.',
    nextActor: 'No one: the iteration is complete and can be restored.',
  },

  delete: {
    workflow: 'prune',
    kind: 'command',
    label: 'Deletion requested',
    meaning: "Deleting this old iteration's files has been asked for.",
    nextActor: 'The node daemon picks up the command and deletes the files.',
  },
  deleting: {
    workflow: 'prune',
    kind: 'working',
    label: 'Deleting',
    meaning: "The node daemon is deleting this iteration's files from the backup directory.",
    nextActor: 'The node daemon finishes and marks it deleted.',
  },
  deleted: {
    workflow: 'prune',
    kind: 'done',
    label: 'Deleted',
    meaning: "The iteration's files are deleted (its disk image copies may remain on the node).",
    nextActor: 'The scheduler removes the iteration entry.',
  },

  // The newest wiki revision's design; no public daemon implements it.
  export: {
    workflow: 'export',
    kind: 'command',
    label: 'Export requested',
    meaning: 'Copying the read-only disk images to the backup directory has been asked for.',
    nextActor: 'The node daemon picks up the command and starts the export.',
  },
  exporting: {
    workflow: 'export',
    kind: 'working',
    label: 'Exporting',
    meaning: 'The node daemon is copying the disk images to the backup directory.',
    nextActor: 'The node daemon finishes the export and marks it exported.',
  },
  exported: {
    workflow: 'export',
    kind: 'done',
    label: 'Exported',
    meaning: 'The disk images are in the backup directory.',
    nextActor: 'The scheduler asks for the commit.',
  },
  commit: {
    workflow: 'export',
    kind: 'command',
    label: 'Commit requested',
    meaning: 'Committing the overlay back into the disk images has been asked for.',
    nextActor: 'The node daemon picks up the command and starts the commit.',
  },
  committing: {
    workflow: 'export',
    kind: 'working',
    label: 'Committing',
    meaning: 'The node daemon is committing the overlay back into the disk images.',
    nextActor: 'The node daemon finishes the commit and marks it committed.',
  },
  committed: {
    workflow: 'export',
    kind: 'done',
    label: 'Committed',
    meaning: 'The overlay is committed and the disk images are writable again.',
    nextActor: 'The scheduler marks the iteration finished.',
  },

  unretainSmallFiles: {
    workflow: 'restore',
    kind: 'command',
    label: 'Small files requested',
    meaning: "Copying this iteration's XML and LDIF to the retain folder has been asked for.",
    nextActor: 'The node daemon copies them (the console writes this command only where the node daemon runs).',
  },
  unretainingSmallFiles: {
    workflow: 'restore',
    kind: 'working',
    label: 'Copying small files',
    meaning: 'The XML and LDIF are being copied to the retain folder.',
    nextActor: 'The node daemon or the console copies them; when done, the mode becomes unretainedSmallFiles.',
  },
  unretainedSmallFiles: {
    workflow: 'restore',
    kind: 'done',
    label: 'Waiting for the user',
    meaning: 'The XML and LDIF are in the retain folder; the restore waits for a decision.',
    nextActor: 'The user resolves the differences, then confirms the restore or aborts it.',
  },
  unretainLargeFiles: {
    workflow: 'restore',
    kind: 'command',
    label: 'Large files requested',
    meaning: 'The user confirmed; copying the state file and disk images to the retain folder has been asked for.',
    nextActor: 'The node daemon copies and checks them (the console writes this command only where the node daemon runs).',
  },
  unretainingLargeFiles: {
    workflow: 'restore',
    kind: 'working',
    label: 'Copying large files',
    meaning: 'The state file and disk images are being copied to the retain folder and checked.',
    nextActor: 'When every copy is checked, the node daemon marks it unretainedLargeFiles, or the console restores the machine at once.',
  },
  unretainedLargeFiles: {
    workflow: 'restore',
    kind: 'done',
    label: 'Large files copied',
    meaning: 'All files are in the retain folder and checked; nothing live has changed yet.',
    nextActor: 'The broker (FOSS-Cloud), or else the console, stops the machine and asks the node daemon for the restore.',
  },
  restore: {
    workflow: 'restore',
    kind: 'command',
    label: 'Restore requested',
    meaning: 'Replacing the live machine with this backup has been asked for.',
    nextActor: 'The node daemon moves the images into place and restores the machine.',
  },
  restoring: {
    workflow: 'restore',
    kind: 'working',
    label: 'Restoring',
    meaning: "The live disk images and the machine's configuration are being replaced from the backup.",
    nextActor: 'When the machine is back, the node daemon marks it restored, or the console marks it finished.',
  },
  restored: {
    workflow: 'restore',
    kind: 'done',
    label: 'Restored',
    meaning: 'The machine is restored from this backup.',
    nextActor: 'The console (or the scheduler) marks the iteration finished and removes the retain folder.',
  },
  // Accepted by the daemon's dispatcher but implemented nowhere: it answers 18.
  cleanup: {
    workflow: 'restore',
    kind: 'command',
    label: 'Cleanup requested',
    meaning: 'A cleanup has been asked for, which the node daemon does not implement.',
    nextActor: 'The node daemon answers with code 18; nothing is cleaned up.',
  },
  cleaningUp: {
    workflow: 'restore',
    kind: 'working',
    label: 'Cleaning up',
    meaning: 'A cleanup is marked as running, which the node daemon does not implement.',
    nextActor: 'Nothing advances it; an administrator must reset the iteration.',
  },
};

/** Misspellings the wiki uses for the commit modes. */
const ALIASES: Readonly<Record<string, string>> = { comitting: 'committing', comitted: 'committed' };

export const BACKUP_MODE_SEQUENCE: readonly string[] = [
  'initialized',
  'snapshot',
  'snapshotting',
  'snapshotted',
  'merge',
  'merging',
  'merged',
  'retain',
  'retaining',
  'retained',
  'finished',
];

export const EXPORT_MODE_SEQUENCE: readonly string[] = [
  'initialized',
  'snapshot',
  'snapshotting',
  'snapshotted',
  'export',
  'exporting',
  'exported',
  'commit',
  'committing',
  'committed',
  'finished',
];

export const PRUNE_MODE_SEQUENCE: readonly string[] = ['delete', 'deleting', 'deleted'];

export const RESTORE_MODE_SEQUENCE: readonly string[] = [
  'unretainSmallFiles',
  'unretainingSmallFiles',
  'unretainedSmallFiles',
  'unretainLargeFiles',
  'unretainingLargeFiles',
  'unretainedLargeFiles',
  'restore',
  'restoring',
  'restored',
  'finished',
];

/** Every mode word the console recognises, misspellings included. */
export const KNOWN_MODES: readonly string[] = [...Object.keys(DEFINITIONS), ...Object.keys(ALIASES)];

const LOWER_CASE_INDEX = new Map(KNOWN_MODES.map((m) => [m.toLowerCase(), m]));

/** The canonical spelling of a known mode (the directory compares modes case-insensitively), else null. */
export function canonicalMode(mode: string): string | null {
  const found = LOWER_CASE_INDEX.get(mode.trim().toLowerCase());
  if (!found) return null;
  return ALIASES[found] ?? found;
}

export function describeMode(mode: string): ModeInfo {
  const canonical = canonicalMode(mode);
  if (canonical) return { mode, known: true, ...DEFINITIONS[canonical] };
  const shown = mode.trim();
  return {
    mode,
    known: false,
    workflow: 'unknown',
    // The node daemon treats any mode written with state '0' as a command (and answers 18).
    kind: 'command',
    label: shown === '' ? 'No mode' : shown,
    meaning: shown === '' ? 'The iteration has no mode.' : `'${shown}' is not a mode the console knows.`,
    nextActor: 'No daemon advances it; an administrator must check the iteration.',
  };
}

/** Restore steps, including the unimplemented cleanup; not 'finished', which ends every workflow. */
export function isRestoreMode(mode: string): boolean {
  return describeMode(mode).workflow === 'restore';
}

/** Backup steps of either design (snapshot/merge/retain or export/commit); not 'finished'. */
export function isBackupMode(mode: string): boolean {
  const { workflow } = describeMode(mode);
  return workflow === 'backup' || workflow === 'export';
}

export function isPruneMode(mode: string): boolean {
  return describeMode(mode).workflow === 'prune';
}
