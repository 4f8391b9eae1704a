import 'server-only';
import { AppError } from '@/lib/errors';
import {
  CommandFailedError,
  assertSafePath,
  checkConfined,
  checksumFiles,
  copyFile,
  diskUsage,
  identifyFiles,
  isStrictlyInside,
  makeDirectory,
  moveFile,
  nodeStatus,
  parentDirectory,
  placeByRename,
  qemuImgCheck,
  readFileBytes,
  readTextFile,
  removeEmptyFolders,
  removeFiles,
  removeTree,
  runChecked,
  sealCopies,
  statPaths,
  virsh,
  writeTextFile,
  type ConfinedCheck,
  type FilesystemUsage,
  type PlaceByRename,
  type SealItem,
} from '@/lib/ssh';

/**
 * The node steps the restore needs, in the restore's words, over lib/ssh. Keeping them in one
 * adapter means the restore logic reads as the protocol and the SSH details stay in lib/ssh.
 */

export async function reachable(node: string): Promise<string> {
  const status = await nodeStatus(node, []);
  if (!status.reachable) throw new AppError(status.error.code, status.error.message);
  return `Connected to ${status.endpoint.host}:${status.endpoint.port} in ${status.latencyMs} ms.`;
}

/** Free bytes on the file system holding `path` (or its nearest existing parent). */
export async function available(node: string, path: string): Promise<number> {
  const status = await nodeStatus(node, [path]);
  if (!status.reachable) throw new AppError(status.error.code, status.error.message);
  const fs = status.filesystems[0];
  if (!fs?.ok) throw new AppError('not-found', `${path} on node ${node}: ${fs?.reason ?? 'no answer'}.`);
  return fs.availableBytes;
}

/** `df` of each folder, in order (for the space the copies beside the live images need). */
export const usage = (node: string, paths: string[]): Promise<FilesystemUsage[]> => diskUsage(node, paths);

/** Identity (device:inode), size, space and modification time of each path; only regular files exist here. */
export const identify = (node: string, paths: string[]) => identifyFiles(node, paths);

/** `cksum` of files below their roots (lib/ssh/images.ts); beside a copy, it reads the source as the copy does. */
export const checksum = (node: string, files: { path: string; root: string }[], signal?: AbortSignal) =>
  checksumFiles(node, files, { signal });

/** Checksums of each copy and its source, with the copies written out to disk where asked (lib/ssh/images.ts). */
export const seal = (node: string, items: SealItem[]) => sealCopies(node, items);

/** Live images replaced by rename within their folder, below the virtualization root (lib/ssh/images.ts). */
export const place = (node: string, root: string, items: PlaceByRename[]) => placeByRename(node, root, items);

/** Single files below `root`, each only when it is the file expected (its identity), never a link or folder. */
export const removeExactFiles = (
  node: string,
  root: string,
  files: { path: string; id: string | null }[],
  options: { stopWriters?: boolean } = {},
) => removeFiles(node, root, files, options);

/** Size of each path, null where nothing is there. */
export async function stat(node: string, paths: string[]): Promise<Map<string, number | null>> {
  const result = await statPaths(node, paths);
  return new Map(result.map((r) => [r.path, r.exists ? r.sizeBytes : null]));
}

const DEVICE_SCRIPT = String.raw`export LC_ALL=C
for p do stat -c %d -- "$p" || exit 1; done`;

/** The file system (device number) of each existing path, in order. */
export async function fileSystems(node: string, paths: string[]): Promise<string[]> {
  for (const p of paths) assertSafePath(p);
  const { stdout } = await runChecked(node, ['sh', '-c', DEVICE_SCRIPT, 'sh', ...paths], 'Checking file systems');
  return stdout.trim().split('\n');
}

/**
 * The first bytes of a file of any size below `root`, as text (enough to tell a saved state
 * from the daemon's note). A symbolic link is refused, not read.
 */
export const readHead = (node: string, path: string, bytes: number, root: string) =>
  readTextFile(node, path, Math.max(0, Math.floor(bytes)), { under: root, head: true });

/** A text file below `root` (a backup file, or one in the retain folder); a symbolic link is refused, not read. */
export const readText = (node: string, path: string, maxBytes: number, root: string) => readTextFile(node, path, maxBytes, { under: root });
/** A file's bytes below `root`, for a reader that decodes them itself (an LDIF); a symbolic link is refused, not read. */
export const readBytes = (node: string, path: string, maxBytes: number, root: string) =>
  readFileBytes(node, path, maxBytes, { under: root });
export const writeText = (node: string, path: string, content: string | Buffer, root: string) =>
  writeTextFile(node, path, content, { under: root });
/** A folder strictly below `root`, made without following a link on the way. */
export const makeFolder = (node: string, path: string, root: string) => makeDirectory(node, path, { under: root });

/** Checks paths on the node without acting on them: the reason each one is refused, or null. */
export const confined = (node: string, checks: ConfinedCheck[]) => checkConfined(node, checks);

/**
 * The folders between the retain root and the retain folder that do not exist yet, outermost
 * first: what creating the retain folder adds, so an abort can take exactly that away again.
 */
export async function missingFolders(node: string, folder: string, root: string): Promise<string[]> {
  const chain: string[] = [];
  for (let p = folder; isStrictlyInside(p, root); p = parentDirectory(p)) chain.unshift(p);
  const found = await stat(node, chain);
  return chain.filter((p) => found.get(p) === null);
}

/** A retain folder left over from an earlier, interrupted attempt is replaced, never reused. */
export async function freshDirectory(node: string, folder: string, root: string, mode?: string): Promise<void> {
  await removeTree(node, folder, { under: root });
  await makeDirectory(node, folder, { under: root, mode });
}

/** A backup file (below the backup root) into the retain folder (below the retain root). */
export async function copy(
  node: string,
  source: { path: string; root: string },
  destination: { path: string; root: string },
  onProgress?: (copied: number, total: number) => void,
): Promise<number> {
  const result = await copyFile(node, source.path, destination.path, {
    sourceRoot: source.root,
    destinationRoot: destination.root,
    onProgress,
  });
  return result.bytes;
}

/** An image from the retain folder over a live image (below the virtualization root). */
export const move = (node: string, source: { path: string; root: string }, destination: { path: string; root: string }) =>
  moveFile(node, source.path, destination.path, { sourceRoot: source.root, destinationRoot: destination.root });

/** Removes each folder strictly below the retain root that is empty, innermost first; folders that hold anything stay. */
export async function removeEmptyRetainFolders(node: string, folders: string[], root: string): Promise<void> {
  await removeEmptyFolders(
    node,
    folders.filter((f) => isStrictlyInside(f, root)),
    { under: root },
  );
}

export async function removeUnder(node: string, path: string, root: string): Promise<void> {
  await removeTree(node, path, { under: root });
}

export async function imageCheck(node: string, path: string): Promise<void> {
  const check = await qemuImgCheck(node, path);
  if (!check.ok) {
    throw new CommandFailedError({
      node,
      what: `qemu-img check of ${path}`,
      exitCode: check.exitCode,
      stderr: check.message,
      argv: ['qemu-img', 'check', '-f', 'qcow2', '--output=json', '--', path],
    });
  }
}

export async function domState(node: string, uuid: string): Promise<string> {
  return virsh.domainState(node, uuid);
}

export async function liveDomainXml(node: string, uuid: string): Promise<string | null> {
  return (await domState(node, uuid)) === 'undefined' ? null : virsh.dumpXml(node, uuid, { inactive: true });
}

/** Graceful shutdown first; destroy only after the bounded wait (spec step 8). */
export async function stopDomain(node: string, uuid: string, timeoutMs: number): Promise<'shutdown' | 'destroy'> {
  await virsh.shutdown(node, uuid);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await virsh.domainState(node, uuid)) !== 'running') return 'shutdown';
    await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(100, timeoutMs / 20))));
  }
  await virsh.destroy(node, uuid);
  return 'destroy';
}

export const undefine = (node: string, uuid: string) => virsh.undefine(node, uuid);
export const define = (node: string, xmlPath: string) => virsh.define(node, xmlPath);
export const start = (node: string, uuid: string) => virsh.start(node, uuid);
export const restoreDomain = (node: string, statePath: string, xmlPath: string) => virsh.restore(node, statePath, xmlPath);
