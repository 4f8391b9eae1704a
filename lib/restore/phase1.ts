import 'server-only';
import { formatIterationName, iterationHealth } from '@/lib/backup/iteration';
import { fileUrlToPath } from '@/lib/backup/iteration-files';
import { readInstallation } from '@/lib/backup/installation-reader';
import { daemonReadsDirectory } from '@/lib/backup/node-daemon';
import { AppError, isAppError } from '@/lib/errors';
import {
  computeConflicts,
  applyDecisions,
  validateDecisions,
  agreementProblems,
  type ConflictSet,
  type Decisions,
} from '@/lib/diff/conflicts';
import { parseLdif, serializeLdif } from '@/lib/diff/ldif';
import { readDomainSettings, type DomainDisk } from '@/lib/diff/domain-xml';
import {
  createJournal,
  deleteJournal,
  findOpenRestoresOf,
  readIdentities,
  readIterationModes,
  readIterationStatus,
  readJournal,
  readLiveMachineEntries,
  transitionIteration,
} from '@/lib/ldap/restore';
import { invalidateFleetCache } from '@/lib/inventory/cache';
import type { ConfinedCheck } from '@/lib/ssh';
import {
  executorOf as journalExecutor,
  decodeJournal,
  encodeLease,
  encodeRecord,
  has,
  journalEnded,
  last,
  type TimedRecord,
} from './journal';
import { executorOf, nodeDaemonStatus, type Executor, type NodeDaemonStatus } from './executor';
import { isNotRunningMarker, readRestoreLayout, startedLayout, type RestoreLayout, imageDisks } from './layout';
import * as nodeOps from './node';
import {
  backupImageName,
  moveProblems,
  plannedWrites,
  restoreIdOf,
  sameWrites,
  writesDifference,
  type RestoreWrites,
  type WriteProblem,
} from './writes';
import { command, done, journal, leafOf, recordFailure, step, StepFailure, working, type IterationRef } from './steps';
import { daemonCannotRestore, heldForAnother, leafToHold, NODE_ONLY_CHECK, type LeafToHold } from './node-only';
import { restoreRef, restoreStatus } from './restore-ref';
import { ALL_RESTORE_MODES, abortRule } from './view';
import { RETURN_CODE } from '@/lib/backup/return-codes';
import { listKept } from './kept';

export interface PreflightCheck {
  label: string;
  ok: boolean;
  detail: string;
}

export interface Preflight {
  ok: boolean;
  checks: PreflightCheck[];
  largeFiles: { name: string; size: number }[];
  /** Who would execute the node steps, and why (null when the machine's folders cannot be used, so there is no node to ask). */
  executor: { executor: Executor; source: NodeDaemonStatus['source']; summary: string } | null;
  /** The space kept images of earlier restores hold on the node (null when it could not be read or there is no node). */
  kept?: { node: string; bytes: number; restores: number; machineBytes: number; machineRestores: string[] } | null;
}

const MAX_SMALL_FILE = 16 * 1024 * 1024;

/**
 * Phase 1, step 1: nothing is written; every reason not to start is listed at once. An
 * iteration without a leaf (a folder on the node, stoney cloud) is checked for the leaf that
 * would hold its restore (node-only.ts); `leaf` names it when every check passes.
 */
export async function preflight(ref: IterationRef): Promise<{ layout: RestoreLayout | null; result: Preflight; leaf: string | null }> {
  const checks: PreflightCheck[] = [];
  const iterations = await readIterationModes(ref.machineUuid);
  const chosen = iterations.find((i) => i.name === ref.iteration);
  const inRestore = (mode: string) => (ALL_RESTORE_MODES as readonly string[]).some((m) => m.toLowerCase() === mode.toLowerCase());
  // A leaf in a restore mode may hold the restore of an iteration without a leaf, not one of its own.
  const holding =
    chosen && inRestore(chosen.mode)
      ? (await findOpenRestoresOf(ref.machineUuid)).find((r) => r.leaf === chosen.name && r.iteration !== chosen.name)
      : undefined;
  // Without a leaf: which of the machine's leaves would hold the restore, decided once the folder is known.
  let nodeOnly: ((folder: string) => LeafToHold) | null = null;
  if (chosen) {
    checks.push(
      chosen.mode.toLowerCase() === 'finished'
        ? {
            label: 'The iteration is finished',
            ok: true,
            detail: `Mode finished${chosen.returnValue ? ` (stray return value ${chosen.returnValue} ignored)` : ''}.`,
          }
        : {
            label: 'The iteration is finished',
            ok: false,
            detail: holding
              ? heldForAnother(chosen.name, holding.iteration)
              : inRestore(chosen.mode)
                ? `A restore of this iteration is already open (mode ${chosen.mode}): open it to continue or abort it.`
                : `It is in mode ${chosen.mode}; only a finished iteration can be restored.`,
          },
    );
  } else {
    const { kind } = await readInstallation();
    nodeOnly = (folder) => leafToHold({ iteration: ref.iteration, kind, leaves: iterations, folder });
    checks.push({ label: NODE_ONLY_CHECK, ...nodeOnly('below the backup root') });
  }
  const busy = iterations.filter((i) => i.name !== ref.iteration && blocksTheMachine(i));
  checks.push(
    busy.length === 0
      ? { label: 'No backup or restore of this machine is running', ok: true, detail: 'No other iteration is in a running mode.' }
      : {
          label: 'No backup or restore of this machine is running',
          ok: false,
          detail: `Iteration ${busy.map((b) => `${b.name} is in mode ${b.mode}${iterationHealth(b) === 'failed' ? ` and failed (return value ${b.returnValue})` : ''}`).join(', ')}: one backup or restore per machine at a time, and a failed one must be dealt with first.`,
        },
  );
  let layout: RestoreLayout;
  try {
    layout = await readRestoreLayout(ref.machineUuid, ref.iteration);
  } catch (error) {
    // A directory value the restore cannot use (a ".." in a folder, an image outside the
    // virtualization root) is a reason not to start, shown with the others.
    if (!isAppError(error) || (error.code !== 'invalid-input' && error.code !== 'unsafe-path')) throw error;
    checks.push({ label: PATHS_CHECK, ok: false, detail: error.message });
    return { layout: null, result: { ok: false, checks, largeFiles: [], executor: null }, leaf: null };
  }
  const held = nodeOnly?.(layout.backupFolder) ?? null;
  if (held) checks[0] = { label: NODE_ONLY_CHECK, ...held };
  const daemon = await nodeDaemonStatus(layout.node);
  const executor = executorOf(daemon);
  if (held && executor === 'daemon')
    checks.push({ label: 'The console executes the restore', ok: false, detail: daemonCannotRestore(layout.node, daemon.summary) });
  let largeFiles: { name: string; size: number }[] = [];
  const kept = await keptOnNode(layout.node, ref.machineUuid).catch(() => null);
  try {
    const reachable = await nodeOps.reachable(layout.node);
    checks.push({ label: `Node ${layout.node} is reachable`, ok: true, detail: reachable });
    let xmlProblem = '';
    const backupXml = await nodeOps
      .readText(layout.node, `${layout.backupFolder}/${layout.xmlName}`, MAX_SMALL_FILE, layout.backupRoot)
      .catch((error: unknown) => {
        xmlProblem = error instanceof Error ? error.message : String(error);
        return null;
      });
    const disks = backupXml ? imageDisks(readDomainSettings(backupXml).disks) : [];
    const imageNames = disks.map((d) => backupImageName(d.source ?? '', ref.iteration));
    const names = [layout.xmlName, layout.ldifName, layout.stateName, ...imageNames.filter((n): n is string => n !== null)];
    const sizes = await nodeOps.stat(
      layout.node,
      names.map((n) => `${layout.backupFolder}/${n}`),
    );
    const missing = names.filter((n) => sizes.get(`${layout.backupFolder}/${n}`) === null);
    checks.push(
      missing.length === 0 && backupXml
        ? { label: "The iteration's files are all there", ok: true, detail: `${names.length} files in ${layout.backupFolder}.` }
        : {
            label: "The iteration's files are all there",
            ok: false,
            detail: backupXml
              ? `Missing in ${layout.backupFolder}: ${missing.join(', ')}.`
              : `The domain XML ${layout.xmlName} cannot be read in ${layout.backupFolder}: ${xmlProblem}`,
          },
    );
    largeFiles = [layout.stateName, ...names.slice(3)].map((n) => ({ name: n, size: sizes.get(`${layout.backupFolder}/${n}`) ?? 0 }));
    // Every path the restore reads from, creates or replaces, checked on the node before anything is written.
    const refused = await pathProblems(
      layout,
      names,
      disks.flatMap((d, i) =>
        imageNames[i] === null ? [`The backup's image of ${d.target}, ${JSON.stringify(d.source)}, names no file.`] : [],
      ),
      executor,
      held !== null,
    );
    checks.push(
      refused.length === 0
        ? {
            label: PATHS_CHECK,
            ok: true,
            detail: `Backup files below ${layout.backupRoot}, the retain folder below ${layout.retainRoot} and the live images below ${layout.virtualizationRoot}, none reached through a symbolic link.`,
          }
        : { label: PATHS_CHECK, ok: false, detail: refused.join(' ') },
    );
    if (executor === 'daemon') {
      // The node daemon moves the images from the retain folder over the live ones, with a rename only within one file system.
      checks.push(await sharedFileSystem(layout));
      const needed = largeFiles.reduce((sum, f) => sum + f.size, 0);
      checks.push(await roomIn(layout, layout.retainRoot, needed, 'The retain directory has room for the large files', kept));
    } else {
      // Staged: the saved state goes into the retain folder, each image beside the live one it replaces (which is kept).
      const stateSize = largeFiles.find((f) => f.name === layout.stateName)?.size ?? 0;
      checks.push(await roomIn(layout, layout.retainRoot, stateSize, 'The retain directory has room for the saved state', null));
      checks.push(await roomBesideLiveImages(layout, disks, imageNames, sizes, kept));
    }
  } catch (error) {
    checks.push({ label: `Node ${layout.node} is reachable`, ok: false, detail: error instanceof Error ? error.message : String(error) });
  }
  if (executor === 'daemon') checks.push(daemonReadsBackupRoot(layout));
  const ok = checks.every((c) => c.ok);
  return {
    layout,
    result: { ok, checks, largeFiles, executor: { executor, source: daemon.source, summary: daemon.summary }, kept },
    leaf: ok && held?.ok ? held.leaf : null,
  };
}

/** What kept images of earlier restores hold on the node (all machines), and of this machine. */
async function keptOnNode(node: string, machineUuid: string): Promise<Preflight['kept']> {
  const views = await listKept();
  const onNode = views.filter((v) => v.node.toLowerCase() === node.toLowerCase() && v.heldBytes > 0);
  const mine = onNode.filter((v) => v.machineUuid === machineUuid);
  return {
    node,
    bytes: onNode.reduce((sum, v) => sum + v.heldBytes, 0),
    restores: onNode.length,
    machineBytes: mine.reduce((sum, v) => sum + v.heldBytes, 0),
    machineRestores: mine.map((v) => v.iteration),
  };
}

const keptNote = (kept: Preflight['kept']) =>
  kept && kept.bytes > 0
    ? ` Kept disks of earlier restores hold ${approximateSize(kept.bytes)} on node ${kept.node} (${kept.restores} ${kept.restores === 1 ? 'restore' : 'restores'}); discarding them frees that space.`
    : '';

async function roomIn(
  layout: RestoreLayout,
  folder: string,
  needed: number,
  label: string,
  kept: Preflight['kept'],
): Promise<PreflightCheck> {
  const available = await nodeOps.available(layout.node, folder);
  return available >= needed
    ? { label, ok: true, detail: `${approximateSize(needed)} needed, ${approximateSize(available)} available.${keptNote(kept)}` }
    : {
        label,
        ok: false,
        detail: `${approximateSize(needed)} needed but only ${approximateSize(available)} available in ${folder}.${keptNote(kept)}`,
      };
}

/** Daemon-driven: the retain directory and the live images' folders are one file system, so the daemon's moves are renames. */
async function sharedFileSystem(layout: RestoreLayout): Promise<PreflightCheck> {
  const label = 'The retain directory and the live images share a file system';
  const liveFolders = imageDisks(layout.disks).flatMap((d) =>
    d.sourceFile ? [d.sourceFile.slice(0, d.sourceFile.lastIndexOf('/')) || '/'] : [],
  );
  const devices = await nodeOps.fileSystems(layout.node, [layout.retainRoot, ...liveFolders]).catch((error: unknown) => error);
  if (!Array.isArray(devices)) return { label, ok: false, detail: devices instanceof Error ? devices.message : String(devices) };
  const apart = liveFolders.filter((_, i) => devices[i + 1] !== devices[0]);
  return apart.length === 0
    ? { label, ok: true, detail: 'Each image can be moved over the live one in one atomic rename.' }
    : {
        label,
        ok: false,
        detail: `${apart.join(', ')} is on another file system than ${layout.retainRoot}; a move would be a slow, non-atomic copy over the live image.`,
      };
}

/**
 * Console-driven: each backup image is copied beside the live image of its disk (where the
 * resolved XML will most likely put it; the plan checks the real place) while the live image
 * stays and is kept after the restore, so each file system needs room for the whole copies.
 */
async function roomBesideLiveImages(
  layout: RestoreLayout,
  disks: ReturnType<typeof imageDisks<DomainDisk>>,
  imageNames: (string | null)[],
  sizes: Map<string, number | null>,
  kept: Preflight['kept'],
): Promise<PreflightCheck> {
  const label = 'The image folders have room for the copies';
  const live = new Map(imageDisks(layout.disks).map((d) => [d.target, d.sourceFile ?? '']));
  const fallback = [...live.values()][0] ?? '';
  const byFolder = new Map<string, number>();
  disks.forEach((d, i) => {
    const name = imageNames[i];
    const path = live.get(d.target) ?? fallback;
    if (!name || !path) return;
    const folder = path.slice(0, path.lastIndexOf('/')) || '/';
    byFolder.set(folder, (byFolder.get(folder) ?? 0) + (sizes.get(`${layout.backupFolder}/${name}`) ?? 0));
  });
  if (byFolder.size === 0) return { label, ok: true, detail: `No disk image is copied.${keptNote(kept)}` };
  const folders = [...byFolder.keys()];
  const usage = await nodeOps.usage(layout.node, folders);
  // Folders on one file system share its free space.
  const perFs = new Map<string, { needed: number; available: number; folders: string[] }>();
  usage.forEach((u, i) => {
    const key = u.ok ? u.mountPoint : folders[i];
    const entry = perFs.get(key) ?? { needed: 0, available: u.ok ? u.availableBytes : 0, folders: [] };
    entry.needed += byFolder.get(folders[i]) ?? 0;
    entry.folders.push(folders[i]);
    perFs.set(key, entry);
  });
  const short = [...perFs.values()].filter((f) => f.needed > f.available);
  const needed = [...perFs.values()].reduce((sum, f) => sum + f.needed, 0);
  return short.length === 0
    ? {
        label,
        ok: true,
        detail: `${approximateSize(needed)} needed beside the live images, ${[...perFs.values()].map((f) => `${approximateSize(f.available)} available in ${f.folders.join(', ')}`).join('; ')}. The live images they replace are kept after the restore (for an undo) until discarded.${keptNote(kept)}`,
      }
    : {
        label,
        ok: false,
        detail: `${short.map((f) => `${approximateSize(f.needed)} needed but only ${approximateSize(f.available)} available in ${f.folders.join(', ')}`).join('; ')}.${keptNote(kept)}`,
      };
}

/** The node daemon mangles the backup root URL (daemons.md fact 6); a daemon-driven restore only works where it reads the same folder. */
function daemonReadsBackupRoot(layout: RestoreLayout): PreflightCheck {
  const url = layout.effective.values.rootDirectory.value;
  const label = 'The node daemon reads the backup root as configured';
  if (typeof url !== 'string') return { label, ok: false, detail: 'No backup root is configured.' };
  const meant = fileUrlToPath(url);
  const read = daemonReadsDirectory(url);
  return meant !== null && read === meant
    ? { label, ok: true, detail: `${url} is read as ${read}.` }
    : {
        label,
        ok: false,
        detail: `The node daemon keeps only letters, digits, _ and / of ${url} and would look for the backup in ${read ?? 'no folder'}, not ${meant ?? 'the configured folder'}. Rename the backup root, or let the console execute this restore (NODE_DAEMON=${layout.node}=absent).`,
      };
}

const PATHS_CHECK = 'Every path stays in its folder on the node';

/**
 * Why any path of the restore is refused on the node: backup files (read; a symbolic link is
 * refused, not followed), the retain folder (created), daemon-driven the console's copy of the
 * resolved files beside it (created), the live images (replaced). For an iteration without a
 * leaf the folder itself too: its name came from the URL, so it must be a real folder below the
 * backup root, reached without a link.
 */
async function pathProblems(
  layout: RestoreLayout,
  backupNames: string[],
  known: string[],
  executor: Executor,
  nodeOnly: boolean,
): Promise<string[]> {
  const checks: ConfinedCheck[] = [
    ...(nodeOnly ? [{ path: layout.backupFolder, root: layout.backupRoot, kind: 'folder' } satisfies ConfinedCheck] : []),
    ...backupNames.map((n): ConfinedCheck => ({ path: `${layout.backupFolder}/${n}`, root: layout.backupRoot, kind: 'file-or-none' })),
    { path: layout.retainFolder, root: layout.retainRoot, kind: 'folder-or-none' },
    ...(executor === 'daemon'
      ? [{ path: layout.resolvedFolder, root: layout.retainRoot, kind: 'folder-or-none' } satisfies ConfinedCheck]
      : []),
    ...imageDisks(layout.disks).map((d): ConfinedCheck => ({
      path: d.sourceFile ?? '',
      root: layout.virtualizationRoot,
      kind: 'file-or-none',
    })),
  ];
  const answers = await nodeOps.confined(layout.node, checks);
  return [...known, ...answers.flatMap((a, i) => (a === null ? [] : [`${checks[i].path}: ${a}`]))];
}

/** Someone has the iteration in hand, or it failed and waits for an administrator: either way the machine is taken. */
function blocksTheMachine(i: { mode: string; state: string; returnValue: number | null }): boolean {
  const health = iterationHealth(i);
  return health === 'running' || health === 'failed';
}

/** "4.9 MiB", "75.7 GiB": one decimal in the largest unit that keeps the number at 1 or more. */
function approximateSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (i < units.length - 1 && value >= 1024) {
    value /= 1024;
    i += 1;
  }
  return i === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[i]}`;
}

/**
 * Phase 1, step 2. The compare-and-set from finished is the lock on the machine: a second
 * console starting the same or another restore loses it or sees it in the pre-flight. The lock
 * is written so that no daemon acts on it (console-driven: the working mode itself, with a
 * timestamp; daemon-driven: the command with a timestamp, made a command with state 0 only once
 * the console is sure it holds the machine). The journal keeps the iteration's previous state so
 * that an abort restores it, the folders and roots the restore works in, and who executes the
 * node steps.
 */
export async function startRestore(target: IterationRef, by: string, instance: string): Promise<Executor> {
  const { layout, result, leaf } = await preflight(target);
  if (!result.ok || !layout || !result.executor)
    throw new AppError(
      'conflict',
      `The restore cannot start: ${result.checks
        .filter((c) => !c.ok)
        .map((c) => c.detail)
        .join(' ')}`,
    );
  const executor = result.executor.executor;
  // Without a leaf of its own, the machine's one leaf holds the restore (node-only.ts); an earlier restore's leaf does not count.
  const ref: IterationRef = { machineUuid: target.machineUuid, iteration: target.iteration, ...(leaf ? { leaf } : {}) };
  const current = await readIterationStatus(ref.machineUuid, leafOf(ref));
  if (!current) throw new AppError('not-found', 'The iteration no longer exists.');
  const previous = await readJournal(ref.machineUuid, ref.iteration);
  if (previous) {
    const records = decodeJournal(previous.records);
    // A finished restore's journal is history; anything else means a restore is still open.
    if (!journalEnded(records)) throw new AppError('conflict', 'An earlier restore of this iteration is still open (or being undone).');
    await deleteJournal(ref.machineUuid, ref.iteration);
  }
  const createdFolders = await nodeOps.missingFolders(layout.node, layout.retainFolder, layout.retainRoot);
  const lockMode = executor === 'daemon' ? 'unretainSmallFiles' : 'unretainingSmallFiles';
  await working(ref, 'finished', lockMode);
  const backOff = async () => {
    await transitionIteration(ref.machineUuid, leafOf(ref), {
      from: lockMode,
      to: 'finished',
      state: current.state,
      returnValue: current.returnValue ?? RETURN_CODE.SUCCESS,
    });
    invalidateFleetCache();
  };
  // The compare-and-set locks this iteration only. Two starts on different iterations of one
  // machine (or a backup starting meanwhile) would both succeed, so look again: whoever sees
  // another iteration of the machine at work backs off. Both may back off; never both proceed.
  const others = (await readIterationModes(ref.machineUuid)).filter((i) => i.name !== leafOf(ref) && blocksTheMachine(i));
  if (others.length > 0) {
    await backOff();
    throw new AppError(
      'conflict',
      `The restore cannot start: iteration ${others.map((o) => `${o.name} is in mode ${o.mode}`).join(', ')}. One backup or restore per machine at a time.`,
    );
  }
  const executionDate = current.executionDate ?? '';
  try {
    await createJournal(
      ref.machineUuid,
      ref.iteration,
      encodeRecord({
        step: 'started',
        by,
        node: layout.node,
        previousState: current.state,
        previousReturnValue: current.returnValue,
        retainFolder: layout.retainFolder,
        backupFolder: layout.backupFolder,
        createdFolders,
        retainRoot: layout.retainRoot,
        backupRoot: layout.backupRoot,
        executor,
        executorReason: result.executor.summary,
        ...(executor === 'daemon' && executionDate !== '0' ? { previousExecutionDate: executionDate } : {}),
        ...(leaf ? { leaf } : {}),
      }),
      // Phase 1 waits for a person and needs no driver: the lease starts out expired, so any
      // console instance that receives the confirmation can take it and drive phase 2.
      encodeLease(instance, new Date()),
      leafOf(ref),
    );
  } catch (error) {
    await backOff();
    throw error;
  }
  if (executor === 'daemon') {
    // The daemon executes a command only when the execution date is 0 or today.
    await command(ref, 'unretainSmallFiles', 'unretainSmallFiles', executionDate === '0' ? undefined : '0');
    await journal(ref, { step: 'commanded', mode: 'unretainSmallFiles' });
  } else {
    await unretainSmallFiles(ref, layout);
  }
  return executor;
}

/** The console's node step of phase 1 (console-driven): copy XML and LDIF into a fresh retain folder. */
async function unretainSmallFiles(ref: IterationRef, layout: RestoreLayout): Promise<void> {
  try {
    const nothing = 'Nothing live has changed.';
    const mode = layout.effective.values.directoryPermission.value;
    await step('creating the retain folder', RETURN_CODE.CANNOT_CREATE_DIRECTORY, nothing, () =>
      nodeOps.freshDirectory(
        layout.node,
        layout.retainFolder,
        layout.retainRoot,
        typeof mode === 'string' && /^[0-7]{3,4}$/.test(mode) ? mode : undefined,
      ),
    );
    for (const name of [layout.xmlName, layout.ldifName]) {
      await step(`copying ${name}`, name === layout.xmlName ? 9 : 10, nothing, () =>
        nodeOps.copy(
          layout.node,
          { path: `${layout.backupFolder}/${name}`, root: layout.backupRoot },
          { path: `${layout.retainFolder}/${name}`, root: layout.retainRoot },
        ),
      );
    }
    await done(ref, 'unretainingSmallFiles', 'unretainedSmallFiles');
    await journal(ref, { step: 'small-files-copied' });
  } catch (error) {
    if (error instanceof StepFailure) {
      await recordFailure(ref, 'unretainingSmallFiles', error);
      return;
    }
    throw error;
  }
}

/**
 * The restore's layout with the folders it started with (see startedLayout) and its journal:
 * what every step after the start works from.
 */
export async function openRestore(ref: IterationRef): Promise<{ layout: RestoreLayout; records: TimedRecord[] }> {
  const [layout, stored] = await Promise.all([
    readRestoreLayout(ref.machineUuid, ref.iteration),
    readJournal(ref.machineUuid, ref.iteration),
  ]);
  const records = stored ? decodeJournal(stored.records) : [];
  return { layout: startedLayout(layout, last(records, 'started')), records };
}

/** Retrying phase 1 after the small files failed (console-driven: the console copies again). */
export async function retrySmallFiles(target: IterationRef, by: string): Promise<void> {
  const ref = await restoreRef(target);
  const { layout } = await openRestore(ref);
  await journal(ref, { step: 'retried', by });
  await working(ref, 'unretainingSmallFiles', 'unretainingSmallFiles');
  await unretainSmallFiles(ref, layout);
}

export interface ConflictView {
  layout: RestoreLayout;
  set: ConflictSet;
  stateFile: 'saved-state' | 'not-running' | 'missing';
  restoreWithoutState: boolean;
}

/** Phase 1, steps 3–4: the backup files in the retain folder against the live directory and domain. */
export async function readConflicts(ref: IterationRef): Promise<ConflictView & { input: Parameters<typeof computeConflicts>[0] }> {
  const { layout, records } = await openRestore(ref);
  const backupXmlFile = xmlFiles(layout, records).backup;
  const [backupXml, backupLdifBytes, liveXml, liveEntries, identities, stateHead] = await Promise.all([
    nodeOps.readText(layout.node, backupXmlFile.path, MAX_SMALL_FILE, backupXmlFile.root),
    // As bytes: the LDIF reader unfolds lines before it decodes (a fold may split a UTF-8 character).
    nodeOps.readBytes(layout.node, `${layout.retainFolder}/${layout.ldifName}`, MAX_SMALL_FILE, layout.retainRoot),
    nodeOps.liveDomainXml(layout.node, layout.machine.uuid),
    readLiveMachineEntries(layout.machine.uuid),
    readIdentities(layout.machine.uuid),
    stateFileKind(layout.node, `${layout.backupFolder}/${layout.stateName}`, layout.backupRoot),
  ]);
  // A typed or chosen disk image path must be one this machine could use: in its storage pools' folders.
  const input = {
    machineUuid: layout.machine.uuid,
    backupLdif: parseLdif(backupLdifBytes),
    liveEntries,
    backupXml,
    liveXml,
    identities,
    imageFolders: layout.imageFolders,
  };
  const set = computeConflicts(input);
  const restoreWithoutState = layout.effective.values.restoreWithoutState.value === true;
  return {
    layout,
    set,
    input,
    stateFile: stateHead,
    restoreWithoutState,
  };
}

/**
 * Where the backup's own domain XML and the resolved XML are now. Once a daemon-driven restore
 * has put the resolved XML in place of the unretained copy (`xml-installed`), the backup's own
 * XML is the one in the backup folder, and the resolved XML is the console's copy beside the
 * retain folder (the daemon's restore removes the retain folder).
 */
export function xmlFiles(
  layout: RestoreLayout,
  records: TimedRecord[],
): { backup: { path: string; root: string }; resolved: { path: string; root: string } } {
  if (has(records, 'xml-installed')) {
    return {
      backup: { path: `${layout.backupFolder}/${layout.xmlName}`, root: layout.backupRoot },
      resolved: { path: `${layout.resolvedFolder}/${layout.resolvedXml}`, root: layout.retainRoot },
    };
  }
  return {
    backup: { path: `${layout.retainFolder}/${layout.xmlName}`, root: layout.retainRoot },
    resolved: { path: `${layout.retainFolder}/${layout.resolvedXml}`, root: layout.retainRoot },
  };
}

/** Whether the iteration has a saved state to restore from; a read error is an error, never "no state". */
async function stateFileKind(node: string, path: string, root: string): Promise<ConflictView['stateFile']> {
  const size = (await nodeOps.stat(node, [path])).get(path);
  if (size === null || size === undefined) return 'missing';
  return isNotRunningMarker(await nodeOps.readHead(node, path, 256, root)) ? 'not-running' : 'saved-state';
}

/**
 * Why phase 2 could not make these writes: each image must go directly into one of the
 * machine's image folders below the virtualization root, and the node must reach every
 * destination without a symbolic link.
 */
export async function writeProblems(
  layout: RestoreLayout,
  writes: RestoreWrites,
  options: { fresh?: boolean } = {},
): Promise<WriteProblem[]> {
  const lexical = moveProblems(writes.moves, layout);
  if (lexical.length > 0) return lexical;
  // The copies go into the retain folder, whose way from the retain root was checked when it was
  // made; each copy is confined again when it is made. Staged copies and kept images are checked
  // like the live image beside them.
  const checks: (ConfinedCheck & { target: string })[] = writes.moves.flatMap((m) =>
    [m.destination, m.staged, m.kept].flatMap((path) =>
      path ? [{ path, root: layout.virtualizationRoot, kind: 'file-or-none' as const, target: m.target }] : [],
    ),
  );
  const answers = await nodeOps.confined(layout.node, checks);
  const problems = answers.flatMap((a, i) => (a === null ? [] : [{ target: checks[i].target, problem: `${checks[i].path}: ${a}` }]));
  if (problems.length > 0 || !options.fresh) return problems;
  // Before phase 2 nothing may be at the names it creates: it never overwrites a file it did not make.
  const names = writes.moves.flatMap((m) => [m.staged, m.kept].flatMap((path) => (path ? [{ path, target: m.target }] : [])));
  const found = await nodeOps.stat(
    layout.node,
    names.map((n) => n.path),
  );
  return names.flatMap((n) =>
    found.get(n.path) === null
      ? []
      : [{ target: n.target, problem: `${n.path} exists already; the restore does not overwrite a file it did not make.` }],
  );
}

/**
 * Console-driven restores stage their images beside the live ones and keep what they replace
 * (writes.ts); a plan once recorded decides, so a restore never changes method half-way (and a
 * restore an older console planned goes on as it was planned).
 */
export function stagingFor(records: TimedRecord[]): { restoreId: string } | undefined {
  const started = last(records, 'started');
  if (!started) return undefined;
  const resolved = last(records, 'resolved');
  const staged = resolved ? resolved.writes?.staging === 'beside-live-image' : journalExecutor(records) === 'console';
  return staged ? { restoreId: restoreIdOf(started.at) } : undefined;
}

/**
 * The writes the backup XML and the resolved XML (see xmlFiles) give now, with every reason they
 * cannot be made (`onlyTheFiles`: without asking the node about the destinations).
 */
export async function currentWrites(
  layout: RestoreLayout,
  iteration: string,
  options: { onlyTheFiles?: boolean; records?: TimedRecord[] } = {},
): Promise<{ writes: RestoreWrites; problems: WriteProblem[] }> {
  const files = xmlFiles(layout, options.records ?? []);
  const [backupXml, resolvedXml] = await Promise.all([
    nodeOps.readText(layout.node, files.backup.path, MAX_SMALL_FILE, files.backup.root),
    nodeOps.readText(layout.node, files.resolved.path, MAX_SMALL_FILE, files.resolved.root),
  ]);
  const planned = plannedWrites({
    backupXml,
    resolvedXml,
    iteration,
    stateName: layout.stateName,
    staging: stagingFor(options.records ?? []),
  });
  if (planned.problems.length > 0) return planned;
  return {
    writes: planned.writes,
    problems: options.onlyTheFiles ? moveProblems(planned.writes.moves, layout) : await writeProblems(layout, planned.writes),
  };
}

/**
 * Phase 1, step 5: validate every decision, check every file phase 2 would write, write the
 * resolved LDIF and XML into the retain folder, and record the decisions and the plan (with
 * exactly those files). Conflicts are recomputed from the live state now, so a decision can
 * never apply to a difference that changed meanwhile.
 */
export async function resolveConflicts(
  target: IterationRef,
  decisions: Decisions,
  by: string,
): Promise<{ ok: true } | { ok: false; errors: Record<string, string> }> {
  const ref = await restoreRef(target);
  const stored = await readJournal(ref.machineUuid, ref.iteration);
  const records = stored ? decodeJournal(stored.records) : [];
  await requireMode(ref, 'unretainedSmallFiles', journalExecutor(records));
  const view = await readConflicts(ref);
  if (view.set.identityMismatch) throw new AppError('conflict', view.set.identityMismatch);
  const valid = validateDecisions(view.set, decisions);
  if (!valid.ok) return valid;
  const resolved = applyDecisions(view.input, view.set, decisions);
  const problems = agreementProblems(resolved.ldif, resolved.xml, view.layout.machine.uuid);
  if (problems.length > 0) throw new AppError('conflict', `The resolved LDIF and XML would not agree: ${problems.join(' ')}`);
  const planned = plannedWrites({
    backupXml: view.input.backupXml,
    resolvedXml: resolved.xml,
    iteration: ref.iteration,
    stateName: view.layout.stateName,
    staging: stagingFor(records),
  });
  const refused = planned.problems.length > 0 ? planned.problems : await writeProblems(view.layout, planned.writes, { fresh: true });
  if (refused.length > 0) {
    // Next to the disk's difference where there is one; otherwise for the whole plan.
    const ids = new Set(view.set.conflicts.map((c) => c.id));
    const errors: Record<string, string> = {};
    const general: string[] = [];
    for (const r of refused) {
      const id = r.target === null ? null : `disk:${r.target}`;
      if (id && ids.has(id)) errors[id] = errors[id] ? `${errors[id]} ${r.problem}` : r.problem;
      else general.push(r.problem);
    }
    if (general.length > 0)
      throw new AppError('unsafe-path', `Phase 2 could not write where this plan says, so nothing was written: ${general.join(' ')}`);
    return { ok: false, errors };
  }
  const { node, retainFolder, retainRoot, resolvedLdif, resolvedXml } = view.layout;
  await nodeOps.writeText(node, `${retainFolder}/${resolvedLdif}`, serializeLdif(resolved.ldif), retainRoot);
  await nodeOps.writeText(node, `${retainFolder}/${resolvedXml}`, resolved.xml, retainRoot);
  await journal(ref, {
    step: 'resolved',
    by,
    decisions,
    plan: resolved.plan,
    withState: view.stateFile === 'saved-state' && !view.restoreWithoutState,
    writes: planned.writes,
  });
  return { ok: true };
}

/**
 * The user's go: only when the decisions still cover exactly the conflicts of the live state
 * now, and the files in the retain folder still give exactly the writes of the plan.
 * Console-driven, the console takes the large files itself (unretainingLargeFiles). Daemon-driven,
 * the resolved XML first goes where the node daemon's restore reads it, the unretained copy
 * `<retain folder>/<vm>.xml.<iteration>` (daemons.md fact 1): the daemon restores the machine
 * with that file, so that is the only way the decisions reach the domain. Then the command.
 */
export async function confirmRestore(target: IterationRef, by: string): Promise<void> {
  const ref = await restoreRef(target);
  const stored = await readJournal(ref.machineUuid, ref.iteration);
  const records = stored ? decodeJournal(stored.records) : [];
  const executor = journalExecutor(records);
  await requireMode(ref, 'unretainedSmallFiles', executor);
  const resolved = last(records, 'resolved');
  if (!resolved) throw new AppError('conflict', 'Resolve the conflicts first.');
  const view = await readConflicts(ref);
  const undecided = view.set.conflicts.filter((c) => !(c.id in resolved.decisions));
  if (undecided.length > 0) {
    throw new AppError(
      'conflict',
      `The live machine changed after the conflicts were resolved (${undecided.map((c) => c.label).join(', ')}). Review the conflicts again.`,
    );
  }
  const now = await currentWrites(view.layout, ref.iteration, { records });
  if (now.problems.length === 0) now.problems.push(...(await writeProblems(view.layout, now.writes, { fresh: true })));
  if (now.problems.length > 0)
    throw new AppError(
      'unsafe-path',
      `Phase 2 could not write where the plan says: ${now.problems.map((p) => p.problem).join(' ')} Nothing was changed.`,
    );
  if (!resolved.writes || !sameWrites(resolved.writes, now.writes)) {
    throw new AppError(
      'conflict',
      `${resolved.writes ? writesDifference(resolved.writes, now.writes) : 'The plan does not list the files phase 2 writes.'} Review the conflicts again.`,
    );
  }
  if (executor === 'daemon') {
    await installResolvedXml(ref, view.layout);
    await journal(ref, { step: 'confirmed', by });
    const current = await readIterationStatus(ref.machineUuid, leafOf(ref));
    await command(ref, current?.mode ?? 'unretainedSmallFiles', 'unretainLargeFiles');
    await journal(ref, { step: 'commanded', mode: 'unretainLargeFiles' });
  } else {
    await journal(ref, { step: 'confirmed', by });
    await working(ref, 'unretainedSmallFiles', 'unretainingLargeFiles');
  }
}

/**
 * Daemon-driven: both resolved files into the console's folder beside the retain folder
 * (layout.resolvedFolder), which the daemon's `rm -rf` of the retain folder leaves alone, then
 * the resolved XML over the unretained copy the daemon restores from. Every write is confined
 * below the retain root; the files are copied as bytes. Writing them again is harmless.
 */
export async function installResolvedXml(ref: IterationRef, layout: RestoreLayout): Promise<void> {
  const { node, retainRoot, retainFolder, resolvedFolder } = layout;
  const xml = await nodeOps.readBytes(node, `${retainFolder}/${layout.resolvedXml}`, MAX_SMALL_FILE, retainRoot);
  const ldif = await nodeOps.readBytes(node, `${retainFolder}/${layout.resolvedLdif}`, MAX_SMALL_FILE, retainRoot);
  await nodeOps.makeFolder(node, resolvedFolder, retainRoot);
  await nodeOps.writeText(node, `${resolvedFolder}/${layout.resolvedXml}`, xml, retainRoot);
  await nodeOps.writeText(node, `${resolvedFolder}/${layout.resolvedLdif}`, ldif, retainRoot);
  const path = `${retainFolder}/${layout.xmlName}`;
  await nodeOps.writeText(node, path, xml, retainRoot);
  await journal(ref, { step: 'xml-installed', path });
}

/**
 * Abort: possible while nothing live has changed and no daemon or broker can still act on the
 * iteration (see abortRule). Removes the retain folder (and the console's copy of the resolved
 * files) and puts the iteration back as it was.
 */
export async function abortRestore(target: IterationRef, by: string): Promise<void> {
  const ref = await restoreRef(target);
  const stored = await readJournal(ref.machineUuid, ref.iteration);
  const records = stored ? decodeJournal(stored.records) : [];
  const started = last(records, 'started');
  const current = await restoreStatus(ref, stored);
  if (!current) throw new AppError('not-found', 'The iteration no longer exists.');
  const rule = abortRule({ mode: current.mode, state: current.state, returnValue: current.returnValue, records });
  if (!rule.ok) throw new AppError('conflict', rule.reason);
  const layout = startedLayout(await readRestoreLayout(ref.machineUuid, ref.iteration), started);
  if (started) await journal(ref, { step: 'aborted', by });
  await removeStagedCopies(layout, last(records, 'resolved')?.writes ?? null);
  await removeRetainFolder(layout, started?.createdFolders ?? []);
  // A restore started elsewhere left no record of the previous state: like the VM-Manager's
  // cancel, the iteration goes back to finished, stamped now. A leaf that held the restore of an
  // iteration without a leaf gets its own values back, so the wrapper replaces it as always.
  await transitionIteration(ref.machineUuid, leafOf(ref), {
    from: current.mode,
    to: 'finished',
    state: started ? started.previousState : formatIterationName(new Date()),
    returnValue: started ? (started.previousReturnValue ?? 0) : 0,
    executionDate: started?.previousExecutionDate,
  });
  await deleteJournal(ref.machineUuid, ref.iteration);
  invalidateFleetCache();
}

/**
 * The copies a staged plan made beside the live images (only the names the plan lists, each a
 * regular file below the virtualization root); whatever still writes one (a copy a cut
 * connection left running) is stopped first. Nothing live was renamed yet when a restore can be
 * aborted, so these are only copies.
 */
export async function removeStagedCopies(
  layout: Pick<RestoreLayout, 'node' | 'virtualizationRoot'>,
  writes: RestoreWrites | null,
): Promise<void> {
  const staged = (writes?.moves ?? []).flatMap((m) => (m.staged ? [{ path: m.staged, id: null }] : []));
  await nodeOps.removeExactFiles(layout.node, layout.virtualizationRoot, staged, { stopWriters: true });
}

/**
 * The retain folder, the console's copy of the resolved files beside it, and the folders above
 * them that this restore created when they are empty again; each removal confined below the
 * retain root.
 */
export async function removeRetainFolder(
  layout: Pick<RestoreLayout, 'node' | 'retainFolder' | 'resolvedFolder' | 'retainRoot'>,
  createdFolders: string[],
): Promise<void> {
  await nodeOps.removeUnder(layout.node, layout.retainFolder, layout.retainRoot);
  await nodeOps.removeUnder(layout.node, layout.resolvedFolder, layout.retainRoot);
  await nodeOps.removeEmptyRetainFolders(
    layout.node,
    createdFolders.filter((f) => f !== layout.retainFolder),
    layout.retainRoot,
  );
}

/** The daemon's "-ed" modes may carry its 18 (see readDaemonAnswer); anything else non-zero is a failure to deal with first. */
async function requireMode(ref: IterationRef, mode: string, executor: Executor = 'console'): Promise<void> {
  const current = await readIterationStatus(ref.machineUuid, leafOf(ref));
  const rv = current?.returnValue ?? RETURN_CODE.SUCCESS;
  if (
    current?.mode.toLowerCase() !== mode.toLowerCase() ||
    !(rv === RETURN_CODE.SUCCESS || (executor === 'daemon' && rv === RETURN_CODE.WRONG_STATE_INFORMATION))
  ) {
    throw new AppError(
      'conflict',
      `The iteration is in mode ${current?.mode ?? 'unknown'}, not ${mode}. Reload to see where the restore stands.`,
    );
  }
}
