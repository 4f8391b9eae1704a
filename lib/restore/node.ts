import 'server-only';
import { AppError } from '@/lib/errors';
import {
  CommandFailedError,
  assertSafePath,
  copyFile,
  isStrictlyInside,
  makeDirectory,
  moveFile,
  nodeStatus,
  parentDirectory,
  qemuImgCheck,
  readTextFile,
  removeTree,
  runChecked,
  statPaths,
  virsh,
  writeTextFile,
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

/** The first bytes of a file of any size, as text (enough to tell a saved state from the daemon's note). */
export async function readHead(node: string, path: string, bytes: number): Promise<string> {
  assertSafePath(path);
  const { stdout } = await runChecked(node, ['head', '-c', String(Math.max(0, Math.floor(bytes))), '--', path], `Reading ${path}`);
  return stdout;
}

export const readText = (node: string, path: string, maxBytes: number) => readTextFile(node, path, maxBytes);
export const makeFolder = (node: string, path: string) => makeDirectory(node, path);
export const writeText = (node: string, path: string, content: string) => writeTextFile(node, path, content);

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
  await makeDirectory(node, folder, mode);
}

export async function copy(node: string, source: string, destination: string, onProgress?: (copied: number, total: number) => void): Promise<number> {
  const result = await copyFile(node, source, destination, { onProgress });
  return result.bytes;
}

export const move = (node: string, source: string, destination: string) => moveFile(node, source, destination);

const RMDIR_SCRIPT = String.raw`for p do rmdir -- "$p" 2>/dev/null || true; done`;

/** Removes each folder that is empty, innermost first; folders that hold anything stay. */
export async function removeEmptyFolders(node: string, folders: string[], root: string): Promise<void> {
  const inside = folders.filter((f) => isStrictlyInside(f, root)).sort((a, b) => b.length - a.length);
  for (const f of inside) assertSafePath(f, { under: root });
  if (inside.length > 0) await runChecked(node, ['sh', '-c', RMDIR_SCRIPT, 'sh', ...inside], 'Removing empty retain folders');
}

export async function removeUnder(node: string, path: string, root: string): Promise<void> {
  await removeTree(node, path, { under: root });
}

export async function imageCheck(node: string, path: string): Promise<void> {
  const check = await qemuImgCheck(node, path);
  if (!check.ok) {
    throw new CommandFailedError({ node, what: `qemu-img check of ${path}`, exitCode: check.exitCode, stderr: check.message, argv: ['qemu-img', 'check', '-f', 'qcow2', '--output=json', '--', path] });
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
