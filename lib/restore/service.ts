import 'server-only';
import { requireMachineAccess } from '@/lib/auth/scope';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { readJournal } from '@/lib/ldap/restore';
import { readMachine } from '@/lib/ldap/machines';
import { assertMachineUuid } from '@/lib/inventory/machine';
import { iterationNamePattern } from '@/lib/inventory/iteration';
import { decodeJournal, last, type TimedRecord } from './journal';
import { imageDisks, readRestoreLayout, type RestoreLayout } from './layout';
import { heldLeaf } from './node-only';
import { AT_REST, refuseHeldLeaf, restoreStatus } from './restore-ref';
import * as nodeOps from './node';
import { openRestore, preflight, readConflicts, type Preflight } from './phase1';
import { liveProgress } from './runner';
import { deriveRestoreView, type RestoreView } from './view';
import type { IterationRef } from './steps';
import type { Conflict } from '@/lib/diff/conflicts';
import { readDomainSettings } from '@/lib/diff/domain-xml';
import { backupImageName, copyJobs } from './writes';
import { listKept } from './kept';
import type { KeptView } from './kept-records';

export function iterationRef(machineUuid: string, iteration: string): IterationRef {
  const uuid = assertMachineUuid(machineUuid);
  if (!iterationNamePattern.test(iteration)) throw new AppError('not-found', 'There is no iteration with this name.');
  return { machineUuid: uuid, iteration };
}

export interface CopyProgress {
  files: { name: string; copied: number; total: number }[];
  copied: number;
  total: number;
  /** Seconds left at the rate seen so far, when there is a rate to go by. */
  etaSeconds: number | null;
}

export interface RestoreStatus {
  machine: { uuid: string; name: string; node: string };
  iteration: string;
  view: RestoreView;
  journal: TimedRecord[];
  progress: CopyProgress | null;
  previousState: string | null;
  /** How long the console waits for a silent node daemon (RESTORE_DAEMON_TIMEOUT_SECONDS). */
  daemonTimeoutSeconds: number;
  /** What a finished restore of this iteration keeps for an undo (its newest kept record), or null. */
  kept: { status: KeptView['status']; heldBytes: number; keptUntil: string | null; newest: boolean } | null;
  /**
   * The iteration exists only on the node (no leaf of its own, stoney cloud): `leaf` is the
   * machine's leaf that holds its open restore (null when none is open). Null for an iteration
   * with a leaf.
   */
  onlyOnNode: { leaf: string | null } | null;
}

/**
 * Reads a restore's state from the directory (and, while large files are copied, their sizes
 * on the node), so a reload, a second administrator or a restarted console see the same thing.
 * It does not depend on the restore's folders being valid: a restore whose directory values
 * went wrong must still show where it stands and what can be done.
 */
export async function readRestoreStatus(ref: IterationRef): Promise<RestoreStatus> {
  await requireMachineAccess('restore', ref.machineUuid);
  const [machine, stored] = await Promise.all([readMachine(ref.machineUuid, []), readJournal(ref.machineUuid, ref.iteration)]);
  if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
  const records = stored ? decodeJournal(stored.records) : [];
  const held = heldLeaf(records);
  // A leaf that holds another iteration's restore is not shown as a restore of its own.
  if (!held) await refuseHeldLeaf(ref);
  let current = await restoreStatus(ref, stored);
  const onlyOnNode = held !== null || current === null;
  if (!current) {
    // Neither a leaf nor a restore: an iteration that exists only as its folder on the node, or none.
    await requireIterationFolder(ref, machine.name);
    current = AT_REST;
  }
  const view = deriveRestoreView({
    mode: current.mode,
    state: current.state,
    returnValue: current.returnValue,
    records,
    lease: stored?.lease ?? null,
    now: new Date(),
  });
  let progress: CopyProgress | null = null;
  // While the copies are made, and (daemon-driven) while the console checks them and prepares the restore.
  if (['unretaininglargefiles', 'unretainedlargefiles'].includes(current.mode.toLowerCase())) {
    progress = await openRestore(ref)
      .then(({ layout }) => copyProgress(layout, ref, records))
      .catch(() => null);
  }
  return {
    machine: { uuid: machine.uuid, name: machine.name, node: machine.node ?? last(records, 'started')?.node ?? '' },
    iteration: ref.iteration,
    view,
    journal: records,
    progress,
    previousState: last(records, 'started')?.previousState ?? null,
    daemonTimeoutSeconds: Math.round(env().restore.daemonTimeoutMs / 1000),
    kept: await keptSummary(ref),
    // The leaf holds the restore until it is finished again (its journal is closed a moment later).
    onlyOnNode: onlyOnNode ? { leaf: held !== null && current.mode.toLowerCase() !== 'finished' ? held : null } : null,
  };
}

async function keptSummary(ref: IterationRef): Promise<RestoreStatus['kept']> {
  const all = await listKept(ref.machineUuid).catch(() => []);
  const mine = all.find((k) => k.iteration === ref.iteration);
  return mine ? { status: mine.status, heldBytes: mine.heldBytes, keptUntil: mine.keptUntil, newest: all[0] === mine } : null;
}

/**
 * An iteration without a leaf is there when its folder is: a real folder below the backup root,
 * reached without a link (its name came from the URL). Anything else is not an iteration of
 * this machine.
 */
async function requireIterationFolder(ref: IterationRef, machineName: string): Promise<void> {
  const layout = await readRestoreLayout(ref.machineUuid, ref.iteration);
  const [problem] = await nodeOps.confined(layout.node, [{ path: layout.backupFolder, root: layout.backupRoot, kind: 'folder' }]);
  if (problem === null) return;
  if (/does not exist/.test(problem)) {
    throw new AppError(
      'not-found',
      `Machine ${machineName} has no iteration ${ref.iteration}: no leaf in the directory and no folder ${layout.backupFolder} on node ${layout.node}.`,
    );
  }
  throw new AppError('unsafe-path', `The folder of iteration ${ref.iteration} is refused: ${layout.backupFolder}: ${problem}`);
}

/**
 * The copies' sizes in the retain folder against the backup's, whoever copies them (this console,
 * another instance or the node daemon): the plan's copies, or for a journal without them, the
 * images the backup's own XML in the backup folder names.
 */
async function copyProgress(layout: RestoreLayout, ref: IterationRef, records: TimedRecord[]): Promise<CopyProgress> {
  const planned = last(records, 'resolved')?.writes;
  const jobs = planned
    ? copyJobs(planned)
    : [
        layout.stateName,
        ...imageDisks(
          readDomainSettings(
            await nodeOps.readText(layout.node, `${layout.backupFolder}/${layout.xmlName}`, 16 * 1024 * 1024, layout.backupRoot),
          ).disks,
        ).flatMap((d) => {
          const name = backupImageName(d.source ?? '', ref.iteration);
          return name ? [name] : [];
        }),
      ].map((name) => ({ name, staged: null }));
  // Into the retain folder, or (staged) beside the live image.
  const copyOf = (job: { name: string; staged: string | null }) => job.staged ?? `${layout.retainFolder}/${job.name}`;
  const sizes = await nodeOps.stat(
    layout.node,
    jobs.flatMap((j) => [`${layout.backupFolder}/${j.name}`, copyOf(j)]),
  );
  const files = jobs.map((job) => ({
    name: job.name,
    total: sizes.get(`${layout.backupFolder}/${job.name}`) ?? 0,
    copied: Math.min(sizes.get(copyOf(job)) ?? 0, sizes.get(`${layout.backupFolder}/${job.name}`) ?? 0),
  }));
  const local = liveProgress(ref);
  if (local) {
    const f = files.find((x) => x.name === local.file);
    if (f) f.copied = Math.max(f.copied, local.copied);
  }
  const copied = files.reduce((s, f) => s + f.copied, 0);
  const total = files.reduce((s, f) => s + f.total, 0);
  const confirmed = last(records, 'confirmed');
  const elapsed = confirmed ? (Date.now() - new Date(confirmed.at).getTime()) / 1000 : 0;
  const rate = elapsed > 1 && copied > 0 ? copied / elapsed : 0;
  return { files, copied, total, etaSeconds: rate > 0 ? Math.round((total - copied) / rate) : null };
}

export async function loadPreflight(ref: IterationRef): Promise<Preflight> {
  await requireMachineAccess('restore', ref.machineUuid);
  return (await preflight(ref)).result;
}

export interface ConflictDto {
  conflicts: Conflict[];
  identityMismatch: string | null;
  unchanged: { ldapEntries: number; xmlSettings: number };
  /** Where a side's directory entries and domain XML already disagreed before anything was decided. */
  inconsistencies: { backup: string[]; live: string[] };
  stateFile: 'saved-state' | 'not-running' | 'missing';
  restoreWithoutState: boolean;
  decisions: Record<string, { choice: 'live' | 'backup' | 'value'; value?: string }> | null;
  plan: { overwritten: string[]; kept: string[]; entriesAdded: string[]; entriesRemoved: string[]; savedStateRisks?: string[] } | null;
  withState: boolean | null;
  /**
   * For the plan: exactly the files phase 2 writes (recorded with the decisions; null before
   * they are made), the domain's state now, and how long a shutdown may take.
   */
  writes: {
    retainFolder: string;
    copies: string[];
    moves: { target: string; file: string; destination: string; staged?: string; kept?: string }[];
    staging: boolean;
  } | null;
  domainState: string;
  shutdownTimeoutSeconds: number;
}

export async function loadConflicts(ref: IterationRef): Promise<ConflictDto> {
  await requireMachineAccess('restore', ref.machineUuid);
  const [view, stored] = await Promise.all([readConflicts(ref), readJournal(ref.machineUuid, ref.iteration)]);
  const resolved = stored ? last(decodeJournal(stored.records), 'resolved') : undefined;
  const writes = resolved?.writes;
  const domainState = await nodeOps.domState(view.layout.node, view.layout.machine.uuid);
  return {
    conflicts: view.set.conflicts,
    identityMismatch: view.set.identityMismatch,
    unchanged: view.set.unchanged,
    inconsistencies: view.set.inconsistencies,
    stateFile: view.stateFile,
    restoreWithoutState: view.restoreWithoutState,
    decisions: resolved?.decisions ?? null,
    plan: resolved?.plan ?? null,
    withState: resolved?.withState ?? null,
    writes: writes
      ? {
          retainFolder: view.layout.retainFolder,
          copies: writes.copies,
          moves: writes.moves,
          staging: writes.staging === 'beside-live-image',
        }
      : null,
    domainState,
    shutdownTimeoutSeconds: Math.round(env().restore.shutdownTimeoutMs / 1000),
  };
}
