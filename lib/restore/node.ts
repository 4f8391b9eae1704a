import 'server-only';
import { AppError } from '@/lib/errors';
import {
  copyFile,
  makeDirectory,
  moveFile,
  nodeStatus,
  qemuImgCheck,
  readTextFile,
  removeTree,
  statPaths,
  writeTextFile,
} from '@/lib/ssh/node-ops';
import * as virsh from '@/lib/ssh/virsh';

/**
 * The node steps the restore needs, in the restore's words, over lib/ssh. Keeping them in one
 * adapter means the restore logic reads as the protocol and the SSH details stay in lib/ssh.
 */

export async function reachable(node: string): Promise<string> {
  const status = await nodeStatus(node, []);
  if (!status.reachable) throw new AppError('node-unreachable', status.reason);
  return `Connected to ${status.address}.`;
}

export async function available(node: string, path: string): Promise<number> {
  const status = await nodeStatus(node, [path]);
  if (!status.reachable) throw new AppError('node-unreachable', status.reason);
  return status.filesystems[0]?.availableBytes ?? 0;
}

export async function stat(node: string, paths: string[]): Promise<Map<string, number | null>> {
  const result = await statPaths(node, paths);
  return new Map(result.map((r) => [r.path, r.exists ? r.size : null]));
}

export const readText = (node: string, path: string, maxBytes: number) => readTextFile(node, path, maxBytes);
export const writeText = (node: string, path: string, content: string) => writeTextFile(node, path, content);

/** A retain folder left over from an earlier, interrupted attempt is replaced, never reused. */
export async function freshDirectory(node: string, folder: string, root: string): Promise<void> {
  await removeTree(node, folder, { under: root });
  await makeDirectory(node, folder);
}

export async function copy(node: string, source: string, destination: string, onProgress?: (copied: number, total: number) => void): Promise<number> {
  const result = await copyFile(node, source, destination, { onProgress });
  return result.bytes;
}

export const move = (node: string, source: string, destination: string) => moveFile(node, source, destination);
export const removeUnder = (node: string, path: string, root: string) => removeTree(node, path, { under: root });

export async function imageCheck(node: string, path: string): Promise<void> {
  await qemuImgCheck(node, path);
}

export async function domState(node: string, uuid: string): Promise<string> {
  return virsh.domainState(node, uuid);
}

export async function liveDomainXml(node: string, uuid: string): Promise<string | null> {
  return (await domState(node, uuid)) === 'undefined' ? null : virsh.dumpXml(node, uuid);
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
