import { readDomainSettings } from '@/lib/diff/domain-xml';
import { checkImagePath } from '@/lib/diff/values';
import { isStrictlyInside } from '@/lib/ssh/paths';

/**
 * What phase 2 writes on the node, computed in one place from the files phase 2 works with
 * (the backup's domain XML and the resolved XML in the retain folder). The plan the
 * administrator confirms is this list, recorded in the journal; phase 2 copies and moves exactly
 * what it names and checks, before anything live changes, that the files still give the same list.
 * Pure: no I/O.
 */

/**
 * One live image phase 2 replaces. Staged beside the live image (console-driven restores of this
 * version): the backup's image is copied to `staged`, in the live image's folder, while the
 * machine runs; while it is stopped the live image is renamed to `kept` and `staged` to
 * `destination`. Otherwise (daemon-driven, older consoles): `<retain folder>/<file>` is moved over
 * `destination`.
 */
export interface ImageMove {
  /** The disk's `<target dev>`: vda, vdb … */
  target: string;
  /** The image's name in the backup and retain folders: `<volume>.qcow2.<iteration>`. */
  file: string;
  /** The live image path, from the resolved XML (what the domain will use). */
  destination: string;
  /** The copy beside the live image, renamed to `destination` while the machine is stopped. */
  staged?: string;
  /** The name the replaced live image is kept under (for an undo), beside it. */
  kept?: string;
}

export interface RestoreWrites {
  /** Names copied from the backup folder into the retain folder: the state file, then (not staged) every image. */
  copies: string[];
  /** Live images replaced by the backup's copies, in the backup XML's order. */
  moves: ImageMove[];
  /**
   * `beside-live-image`: every image is copied beside the live one (`staged`) and renamed into
   * place, and the live image is kept (`kept`), so the machine is stopped only for renames.
   * Absent: the images are copied into the retain folder and moved over the live ones.
   */
  staging?: 'beside-live-image';
}

/** How a console-driven restore names its copies and the images it keeps: `<restore id>` is the restore's start, `YYYYMMDDThhmmss.mmmZ`. */
export const stagedName = (destination: string, restoreId: string) => `${destination}.restoring-${restoreId}`;
export const keptName = (destination: string, restoreId: string) => `${destination}.before-restore-${restoreId}`;

/**
 * A restore's id: the time it started (its journal's first record), to the millisecond, in UTC.
 * To the second was not enough: a restore aborted and started again within one second would
 * find the first one's kept names taken and be refused.
 */
export function restoreIdOf(startedAt: string): string {
  return startedAt.replace(/[-:]/g, '');
}

/** A restore id as written now, or as written before milliseconds were added (kept records live on). */
export const RESTORE_ID = /\d{8}T\d{6}(?:\.\d{3})?Z/;

/** Every file the restore copies, and where to: into the retain folder, or beside the live image. */
export interface CopyJob {
  name: string;
  /** null: `<retain folder>/<name>`; otherwise the staged path beside the live image. */
  staged: string | null;
}

export function copyJobs(writes: RestoreWrites): CopyJob[] {
  return [
    ...writes.copies.map((name) => ({ name, staged: null })),
    ...writes.moves.flatMap((m) => (m.staged ? [{ name: m.file, staged: m.staged }] : [])),
  ];
}

export interface WriteProblem {
  /** The disk the problem is about (its conflict is `disk:<target>`), or null for the whole plan. */
  target: string | null;
  problem: string;
}

/**
 * Daemon-driven: the console's copy of the resolved LDIF and XML, beside the retain folder and
 * below the same root, where the node daemon's `rm -rf` of the retain folder does not reach.
 */
export const resolvedFolderOf = (retainFolder: string): string => `${retainFolder}.resolved`;

/**
 * The disks whose image files a backup holds and a restore moves back: file-backed disks of
 * device "disk", as the daemon picks them (CD-ROM ISOs and network disks are not backed up).
 */
export function imageDisks<T extends { device: string | null; type: string | null; source?: string | null; sourceFile?: string | null }>(
  disks: T[],
): T[] {
  return disks.filter(
    (d) => (d.device ?? 'disk') === 'disk' && (d.type === null || d.type === 'file') && Boolean(d.source ?? d.sourceFile),
  );
}

/** `<volume>.qcow2.<iteration>` for an image path, or null when the path names no file. */
export function backupImageName(source: string, iteration: string): string | null {
  const base = source.slice(source.lastIndexOf('/') + 1);
  return base === '' || base === '.' || base === '..' ? null : `${base}.${iteration}`;
}

/**
 * Every file phase 2 writes: copies of the state file and of each image the backup XML names,
 * and for each of those images whose disk the resolved XML still has, the move over the path the
 * resolved XML gives it (the path the restored domain will use).
 */
export function plannedWrites(input: {
  backupXml: string;
  resolvedXml: string;
  iteration: string;
  stateName: string;
  /** Console-driven: stage every image beside its live image under this restore id (see RestoreWrites.staging). */
  staging?: { restoreId: string };
}): { writes: RestoreWrites; problems: WriteProblem[] } {
  const problems: WriteProblem[] = [];
  const resolved = readDomainSettings(input.resolvedXml).disks;
  const copies = [input.stateName];
  const moves: ImageMove[] = [];
  for (const disk of imageDisks(readDomainSettings(input.backupXml).disks)) {
    const file = backupImageName(disk.source ?? '', input.iteration);
    if (!file) {
      problems.push({
        target: disk.target,
        problem: `The backup's image of ${disk.target}, ${JSON.stringify(disk.source)}, names no file.`,
      });
      continue;
    }
    // Staged, only images that go somewhere are copied (beside where they go).
    if (!input.staging) copies.push(file);
    const into = resolved.find((d) => d.target === disk.target);
    if (!into) continue;
    if (into.sourceAttribute !== 'file' || !into.source) {
      problems.push({
        target: disk.target,
        problem: `The resolved domain XML gives ${disk.target} no image file, so the backup's image has nowhere to go.`,
      });
      continue;
    }
    moves.push(
      input.staging
        ? {
            target: disk.target,
            file,
            destination: into.source,
            staged: stagedName(into.source, input.staging.restoreId),
            kept: keptName(into.source, input.staging.restoreId),
          }
        : { target: disk.target, file, destination: into.source },
    );
  }
  const seen = new Map<string, string>();
  for (const move of moves) {
    const other = seen.get(move.destination);
    if (other) problems.push({ target: move.target, problem: `${move.target} and ${other} would both be moved to ${move.destination}.` });
    seen.set(move.destination, move.target);
  }
  return { writes: { copies, moves, ...(input.staging ? { staging: 'beside-live-image' as const } : {}) }, problems };
}

/**
 * Where a live image may be replaced: a file directly in one of the machine's image folders
 * (its storage pools' folders and where its images are now), all strictly below the
 * virtualization root. The same rule as a typed disk image path in the conflict view.
 */
export function moveProblems(
  moves: readonly ImageMove[],
  where: { virtualizationRoot: string; imageFolders: readonly string[] },
): WriteProblem[] {
  const problems: WriteProblem[] = [];
  for (const move of moves) {
    const checked = checkImagePath(move.destination, where.imageFolders);
    if (!checked.ok) problems.push({ target: move.target, problem: checked.error });
    else if (!isStrictlyInside(checked.value, where.virtualizationRoot))
      problems.push({
        target: move.target,
        problem: `${move.destination} is not below the virtualization root ${where.virtualizationRoot}.`,
      });
    // The copy and the kept image must be renames within the live image's folder, with names a file system takes.
    for (const [what, path] of [
      ['copy', move.staged],
      ['kept image', move.kept],
    ] as const) {
      if (path === undefined) continue;
      if (path.slice(0, path.lastIndexOf('/')) !== move.destination.slice(0, move.destination.lastIndexOf('/'))) {
        problems.push({
          target: move.target,
          problem: `The ${what} of ${move.target}, ${path}, is not in the folder of ${move.destination}.`,
        });
      } else if (Buffer.byteLength(path.slice(path.lastIndexOf('/') + 1)) > 255) {
        problems.push({
          target: move.target,
          problem: `The name of the ${what} of ${move.target} would be longer than a file name may be (255 bytes): ${move.destination} has too long a name to be replaced by rename.`,
        });
      }
    }
  }
  return problems;
}

export function sameWrites(a: RestoreWrites, b: RestoreWrites): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What differs between the confirmed plan and what the files give now, in words. */
export function writesDifference(planned: RestoreWrites, now: RestoreWrites): string {
  const show = (w: RestoreWrites) => (w.moves.length === 0 ? 'no image' : w.moves.map((m) => `${m.target} → ${m.destination}`).join(', '));
  if (show(planned) !== show(now))
    return `The plan replaces ${show(planned)}, but the resolved XML in the retain folder now says ${show(now)}.`;
  const copied = (w: RestoreWrites) =>
    copyJobs(w)
      .map((j) => j.name)
      .join(', ');
  if (copied(planned) !== copied(now))
    return `The plan copies ${copied(planned)}, but the backup XML in the retain folder now names ${copied(now)}.`;
  return 'The plan names other copies or kept images than the files give now.';
}
