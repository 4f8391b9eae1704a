import 'server-only';
import { AppError } from '@/lib/errors';
import { CommandFailedError } from './errors';
import { statPaths } from './files';
import { assertSafePath } from './paths';
import { runOnNode } from './run';
import { nodeSshSettings } from './settings';

export interface CopyOptions {
  /** Called with bytes copied so far and the source size: at 0, whenever the copy grew, and at the end. */
  onProgress?: (bytesCopied: number, totalBytes: number) => void;
  /** How often the destination size is polled; default 1 s. */
  pollMs?: number;
  /** The copy is stopped when the destination has not grown for this long; default 4 × NODE_SSH_TIMEOUT_MS, at least 60 s. */
  stallTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface CopyResult {
  bytes: number;
  durationMs: number;
}

/**
 * `cp -p -T -- src dst` on the node (mode, owner and times kept; `-T` refuses to copy into an
 * existing folder), while a second channel polls the destination's size so the caller can
 * show bytes copied of total. Instead of a fixed time limit (a large image legitimately takes
 * hours), the copy is stopped when it stops making progress. At the end the destination must
 * have exactly the source's size.
 */
export async function copyFile(node: string, src: string, dst: string, options: CopyOptions = {}): Promise<CopyResult> {
  assertSafePath(src);
  assertSafePath(dst);
  const started = Date.now();
  const pollMs = options.pollMs ?? 1000;
  const stallMs = options.stallTimeoutMs ?? Math.max(60_000, 4 * nodeSshSettings().timeoutMs);
  const [source] = await statPaths(node, [src]);
  if (!source.exists) throw new AppError('not-found', `${src} does not exist on node ${node}; nothing was copied.`);
  if (source.type !== 'file') throw new AppError('invalid-input', `${src} on node ${node} is not a regular file; nothing was copied.`);
  const total = source.sizeBytes;
  await stopWritersOf(node, dst);
  options.onProgress?.(0, total);

  const controller = new AbortController();
  const forward = (): void => controller.abort();
  options.signal?.addEventListener('abort', forward, { once: true });
  if (options.signal?.aborted) controller.abort();
  let stalled = false;
  let done = false;
  const copying = runOnNode(node, ['cp', '-p', '-T', '--', src, dst], { timeoutMs: 0, signal: controller.signal }).finally(() => {
    done = true;
  });
  // Keeps an early rejection from being reported as unhandled while the poll loop sleeps.
  copying.catch(() => undefined);

  let reported = 0;
  let lastGrowth = Date.now();
  try {
    while (!done) {
      await Promise.race([sleep(pollMs), copying.catch(() => undefined)]);
      if (done) break;
      const [target] = await statPaths(node, [dst]).catch(() => [null]);
      const size = target?.exists ? Math.min(target.sizeBytes, total) : 0;
      if (size > reported) {
        reported = size;
        lastGrowth = Date.now();
        options.onProgress?.(size, total);
      } else if (Date.now() - lastGrowth > stallMs) {
        stalled = true;
        controller.abort();
        break;
      }
    }
    const result = await copying;
    if (result.code !== 0) throw new CommandFailedError({ node, what: `Copying ${src} to ${dst}`, exitCode: result.code, stderr: result.stderr, argv: ['cp', src, dst] });
  } catch (error) {
    if (stalled) throw new AppError('node-timeout', `Copying ${src} on node ${node} made no progress for ${Math.round(stallMs / 1000)} s and was stopped.`);
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', forward);
  }

  const [copy] = await statPaths(node, [dst]);
  if (!copy.exists || copy.sizeBytes !== total) {
    throw new AppError('command-failed', `The copy ${dst} on node ${node} has ${copy.exists ? copy.sizeBytes : 0} bytes instead of ${total}.`);
  }
  options.onProgress?.(total, total);
  return { bytes: total, durationMs: Date.now() - started };
}

// Every process (of the login user) with the file open is killed, and the script waits until
// they are gone. Only the destination is looked for, which lives in a folder of the console's own.
const STOP_WRITERS_SCRIPT = String.raw`[ -e "$1" ] || exit 0
target=$(readlink -f -- "$1") || exit 0
found=
for fd in /proc/[0-9]*/fd/*; do
  [ "$(readlink "$fd" 2>/dev/null)" = "$target" ] || continue
  pid=$(printf '%s' "$fd" | cut -d/ -f3)
  [ "$pid" = "$$" ] && continue
  kill -KILL "$pid" 2>/dev/null && found="$found $pid"
done
for pid in $found; do
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
done
[ -z "$found" ] || echo "stopped$found"`;

/**
 * A copy whose connection was cut, or whose console was killed, can still be running on the
 * node (sshd does not hang up commands without a terminal). Before the destination is written
 * again, whatever still has it open is stopped, so two copies never write one file.
 */
export async function stopWritersOf(node: string, path: string): Promise<number[]> {
  assertSafePath(path);
  const result = await runOnNode(node, ['sh', '-c', STOP_WRITERS_SCRIPT, 'sh', path]);
  if (result.code !== 0) throw new CommandFailedError({ node, what: `Checking for copies still writing ${path}`, exitCode: result.code, stderr: result.stderr, argv: ['sh', '-c', 'stop-writers', path] });
  const match = /^stopped((?: \d+)+)/.exec(result.stdout.trim());
  return match ? match[1].trim().split(' ').map(Number) : [];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
