import 'server-only';
import { isAppError, type AppErrorCode } from '@/lib/errors';
import { resolveNodeEndpoint, type NodeEndpoint } from './address';
import { assertSafePath } from './paths';
import { nodeConnection } from './pool';
import { runChecked } from './run';
import type { CommandRunnerState } from './runner';

export type FilesystemUsage =
  | { path: string; ok: true; filesystem: string; sizeBytes: number; usedBytes: number; availableBytes: number; mountPoint: string }
  | { path: string; ok: false; reason: string };

const DF_SCRIPT = String.raw`export LC_ALL=C
for p do
  if out=$(df -P -B1 -- "$p" 2>&1); then printf 'ok %s\n' "$(printf '%s\n' "$out" | sed -n 2p)"
  else printf 'error %s\n' "$(printf '%s' "$out" | tr '\n' ' ')"; fi
done`;

/** `df -P -B1` of each path, in order; a path that does not exist is reported, not thrown. */
export async function diskUsage(node: string, paths: readonly string[]): Promise<FilesystemUsage[]> {
  if (paths.length === 0) return [];
  for (const p of paths) assertSafePath(p);
  const { stdout } = await runChecked(node, ['sh', '-c', DF_SCRIPT, 'sh', ...paths], 'Reading disk usage');
  const lines = stdout.split('\n');
  return paths.map((path, i): FilesystemUsage => {
    const line = lines[i] ?? '';
    const match = /^ok (.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+(.+)$/.exec(line);
    if (match) {
      return {
        path,
        ok: true,
        filesystem: match[1],
        sizeBytes: Number(match[2]),
        usedBytes: Number(match[3]),
        availableBytes: Number(match[4]),
        mountPoint: match[5],
      };
    }
    if (/No such file or directory/.test(line)) return { path, ok: false, reason: 'does not exist on this node' };
    return { path, ok: false, reason: line.replace(/^error (df: )?/, '').trim() || 'no answer' };
  });
}

export type NodeStatus =
  | {
      node: string;
      endpoint: NodeEndpoint;
      reachable: true;
      checkedAt: Date;
      latencyMs: number;
      filesystems: FilesystemUsage[];
      /** Whether commands go through the command runner, or each through a login shell of its own (and why). */
      commandRunner: CommandRunnerState;
    }
  | { node: string; endpoint: NodeEndpoint | null; reachable: false; checkedAt: Date; error: { code: AppErrorCode; message: string } };

/**
 * Whether the console can work on a node right now, and how full the given folders' file
 * systems are. Never throws for node problems: the reason (unknown or changed host key,
 * refused, timeout, …) is part of the answer, for the nodes page and the restore pre-flight.
 */
export async function nodeStatus(node: string, paths: readonly string[] = []): Promise<NodeStatus> {
  const checkedAt = new Date();
  let endpoint: NodeEndpoint | null = null;
  try {
    endpoint = await resolveNodeEndpoint(node);
    const started = Date.now();
    let filesystems: FilesystemUsage[] = [];
    if (paths.length > 0) filesystems = await diskUsage(node, paths);
    else await runChecked(node, ['true'], 'Checking the node');
    const latencyMs = Date.now() - started;
    const commandRunner = (await nodeConnection(node)).runners.state() ?? { active: false, reason: 'has not been started yet' };
    return { node, endpoint, reachable: true, checkedAt, latencyMs, filesystems, commandRunner };
  } catch (error) {
    if (!isAppError(error) || error.code === 'unsafe-path' || error.code === 'directory-unavailable' || error.code === 'directory-error')
      throw error;
    return { node, endpoint, reachable: false, checkedAt, error: { code: error.code, message: error.message } };
  }
}
