import 'server-only';
import { AppError } from '@/lib/errors';
import { CONFINE_FUNCTION, REFUSED, confinedPaths, refusal } from './confine';
import { CommandFailedError } from './errors';
import { STOP_WRITERS_FUNCTION } from './writers';
import { runOnNode } from './run';
import { nodeSshSettings } from './settings';

export interface CopyOptions {
  /** The source must be a regular file below this folder, reached without a symbolic link. */
  sourceRoot: string;
  /** The copy is written below this folder only, reached without a link, never through one. */
  destinationRoot: string;
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

// One command per copy: check the source, report its size, copy with `cp -p -T` while a
// background loop reports the destination's size every $3 seconds, then report the copy's size.
// Values are positional parameters only. Both paths are confined to their roots on the node
// (confine.ts) before anything is read or written: a link is refused, not followed (a folder
// in the destination's place is left to cp -T, which refuses it in its own words). The loop's `sleep` gets no stream of the channel, so
// when the loop is stopped a sleep still running cannot hold the channel open. A timeout or
// abort kills the whole process group (see run.ts), the loop and cp included.
const COPY_SCRIPT = `${CONFINE_FUNCTION}
${STOP_WRITERS_FUNCTION}
export LC_ALL=C
if [ -L "$1" ]; then echo "$1 is a symbolic link; it was not read" >&2; exit 77; fi
[ -e "$1" ] || exit 66
if [ ! -f "$1" ]; then echo "$1 is not a regular file" >&2; exit 65; fi
confine "$1" "$4" file || exit 77
confine "$2" "$5" any || exit 77
total=$(stat -c %s -- "$1") || exit 1
echo "total $total"
# A copy whose connection was cut, or whose console was killed, can still be writing the
# destination (sshd does not hang up commands without a terminal): stop it first, so two
# copies never write one file.
stop_writers "$2" || exit 1
( while sleep "$3" </dev/null >/dev/null 2>&1; do
    size=$(stat -c %s -- "$2" 2>/dev/null) && echo "size $size"
  done ) &
poller=$!
cp -p -T -- "$1" "$2"
status=$?
kill "$poller" 2>/dev/null
[ "$status" -eq 0 ] || exit "$status"
size=$(stat -c %s -- "$2") || exit 1
echo "copied $size"`;

const NOT_FOUND = 66;
const NOT_A_FILE = 65;

/**
 * `cp -p -T -- src dst` on the node (mode, owner and times kept; `-T` refuses to copy into an
 * existing folder), so the caller can show bytes copied of total. The source check, the copy,
 * the progress reports and the size of the result come over one SSH command (a command's
 * round trip costs as much as copying tens of megabytes on some nodes; a progress poll on a
 * channel of its own would cost one every second). Instead of a fixed time limit (a large
 * image legitimately takes hours), the copy is stopped when it stops making progress. At the
 * end the destination must have exactly the source's size.
 */
export async function copyFile(node: string, src: string, dst: string, options: CopyOptions): Promise<CopyResult> {
  const source = confinedPaths(src, options.sourceRoot);
  const destination = confinedPaths(dst, options.destinationRoot);
  const started = Date.now();
  const pollMs = Math.max(10, options.pollMs ?? 1000);
  const stallMs = options.stallTimeoutMs ?? Math.max(60_000, 4 * nodeSshSettings().timeoutMs);

  const controller = new AbortController();
  const forward = (): void => controller.abort();
  options.signal?.addEventListener('abort', forward, { once: true });
  if (options.signal?.aborted) controller.abort();

  let total: number | null = null;
  let copied: number | null = null;
  let reported = 0;
  let lastGrowth = Date.now();
  let stalled = false;
  let pending = '';
  const onLine = (line: string): void => {
    const match = /^(total|size|copied) (\d+)$/.exec(line);
    if (!match) return;
    const value = Number(match[2]);
    if (match[1] === 'total') {
      total = value;
      lastGrowth = Date.now();
      options.onProgress?.(0, value);
    } else if (match[1] === 'copied') {
      copied = value;
    } else if (total !== null) {
      const size = Math.min(value, total);
      if (size > reported) {
        reported = size;
        lastGrowth = Date.now();
        options.onProgress?.(size, total);
      }
    }
  };
  const watchdog = setInterval(
    () => {
      if (Date.now() - lastGrowth > stallMs) {
        stalled = true;
        controller.abort();
      }
    },
    Math.min(pollMs, 1000),
  );

  const pollSeconds = String(pollMs / 1000);
  try {
    const result = await runOnNode(
      node,
      ['sh', '-c', COPY_SCRIPT, 'sh', source.path, destination.path, pollSeconds, source.root, destination.root],
      {
        timeoutMs: 0,
        signal: controller.signal,
        onStdout: (chunk) => {
          pending += chunk.toString('latin1');
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) onLine(line);
        },
      },
    );
    if (result.code === NOT_FOUND) throw new AppError('not-found', `${src} does not exist on node ${node}; nothing was copied.`);
    if (result.code === NOT_A_FILE)
      throw new AppError('invalid-input', `${src} on node ${node} is not a regular file; nothing was copied.`);
    if (result.code === REFUSED) throw refusal(node, `Copying ${src} to ${dst}`, result.stderr, ['cp', '-p', '-T', '--', src, dst]);
    if (result.code !== 0)
      throw new CommandFailedError({
        node,
        what: `Copying ${src} to ${dst}`,
        exitCode: result.code,
        stderr: result.stderr,
        argv: ['cp', '-p', '-T', '--', src, dst],
      });
  } catch (error) {
    if (stalled)
      throw new AppError(
        'node-timeout',
        `Copying ${src} on node ${node} made no progress for ${Math.round(stallMs / 1000)} s and was stopped.`,
      );
    throw error;
  } finally {
    clearInterval(watchdog);
    options.signal?.removeEventListener('abort', forward);
  }

  const expected = total as number | null;
  const size = copied as number | null;
  if (expected === null || size === null || size !== expected) {
    throw new AppError(
      'command-failed',
      `The copy ${dst} on node ${node} has ${size ?? 0} bytes instead of ${expected ?? 'the source size'}.`,
    );
  }
  options.onProgress?.(expected, expected);
  return { bytes: expected, durationMs: Date.now() - started };
}
