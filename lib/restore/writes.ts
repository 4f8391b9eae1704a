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

/** One live image phase 2 replaces: `<retain folder>/<file>` is moved over `destination`. */
export interface ImageMove {
  /** The disk's `<target dev>`: vda, vdb … */
  target: string;
  /** The image's name in the backup and retain folders: `<volume>.qcow2.<iteration>`. */
  file: string;
  /** The live image path, from the resolved XML (what the domain will use). */
  destination: string;
}

export interface RestoreWrites {
  /** Names copied from the backup folder into the retain folder: the state file, then every image. */
  copies: string[];
  /** Live images replaced by the backup's copies, in the backup XML's order. */
  moves: ImageMove[];
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
export function plannedWrites(input: { backupXml: string; resolvedXml: string; iteration: string; stateName: string }): {
  writes: RestoreWrites;
  problems: WriteProblem[];
} {
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
    copies.push(file);
    const into = resolved.find((d) => d.target === disk.target);
    if (!into) continue;
    if (into.sourceAttribute !== 'file' || !into.source) {
      problems.push({
        target: disk.target,
        problem: `The resolved domain XML gives ${disk.target} no image file, so the backup's image has nowhere to go.`,
      });
      continue;
    }
    moves.push({ target: disk.target, file, destination: into.source });
  }
  const seen = new Map<string, string>();
  for (const move of moves) {
    const other = seen.get(move.destination);
    if (other) problems.push({ target: move.target, problem: `${move.target} and ${other} would both be moved to ${move.destination}.` });
    seen.set(move.destination, move.target);
  }
  return { writes: { copies, moves }, problems };
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
  return `The plan copies ${planned.copies.join(', ')}, but the backup XML in the retain folder now names ${now.copies.join(', ')}.`;
}
