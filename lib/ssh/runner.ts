import 'server-only';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import { AppError } from '@/lib/errors';
import type { NodeEndpoint } from './address';
import { commandAborted, commandTimeout, connectionLost } from './errors';
import { buildCommand } from './quote';
import type { RunOptions, RunResult } from './run';

/**
 * The node command runner: one long-lived `/bin/sh` per SSH channel that runs the console's
 * commands one after the other, so that a command does not pay for sshd starting the login
 * shell (which reads the user's ~/.bashrc on Debian: about 90 ms on the test node, against
 * 2–4 ms for the command itself). The login shell starts once per runner; a connection keeps
 * up to as many runners as it may run commands at once.
 *
 * Protocol (version 1), all on the runner's channel:
 *
 * - The runner first prints `console-node-runner 1 ready <pid>` on stdout and
 *   `console-node-runner 1 ready` on stderr; anything before them is the login shell's noise.
 * - A request is the line `<token> <lines> <stdin bytes>`, then `buildCommand(argv)` (the one
 *   quoting function; it spans <lines> lines when an argument holds a newline), then, when
 *   there is standard input, that many bytes and the line `<token>`. The token is 128 random
 *   bits per request, so no command's output can contain it.
 * - The runner answers `<token> pid <pid>` on stdout (or `<token> refused <why>` when it did
 *   not start the command), then the command's stdout and stderr as they come, then
 *   `<token> end` on stderr and `<token> exit <status>` on stdout once the command has ended
 *   and nothing holds its output open any more.
 *
 * The runner parses the command line with `eval "set -- <quoted words>"`: the same POSIX
 * single-quoted words the login shell parsed before, now parsed by /bin/sh, so values are
 * never shell syntax. Each command runs under `setsid` in a process group of its own (its PID
 * is the group's ID), which a timeout or abort kills as a whole, as before. Its standard input
 * is /dev/null or a private file holding the bytes sent, never the runner's channel; its
 * stdout and stderr go through two FIFOs in a private folder (`mktemp -d`, named after the
 * runner's PID), relayed by `cat`, so output of a command ends exactly when every process of
 * it has closed them, as on an SSH channel of its own. A runner removes its folder when it
 * ends, and the folders of runners that were killed when it starts. Commands start with
 * SIGINT and SIGQUIT ignored, as every background command of a non-interactive shell does;
 * the console stops commands with SIGKILL only.
 *
 * The variables are prefixed so that they cannot shadow a variable the commands get from the
 * environment; `wait` is silenced, or the shell would add "Terminated" to the stderr of a
 * command killed by a signal. `head -c` (GNU, BusyBox) reads standard input without reading
 * ahead; the trailing token line checks it, and the runner exits rather than read request
 * bytes as a command if anything is out of step.
 */
const RUNNER_SCRIPT = String.raw`# stoney backup console: node command runner, protocol 1 (what ps shows; see lib/ssh/runner.ts)
for _cnr_x in "${'$'}{TMPDIR:-/tmp}"/console-node-runner.[0-9]*.*; do
  [ -d "$_cnr_x" ] && [ ! -L "$_cnr_x" ] && [ -O "$_cnr_x" ] || continue
  _cnr_y=${'$'}{_cnr_x##*/console-node-runner.}
  _cnr_y=${'$'}{_cnr_y%%.*}
  # Alive: it exists and is no zombie (a killed runner whose parent went too can stay one).
  kill -0 "$_cnr_y" 2>/dev/null && { ! read -r _cnr_u _cnr_v _cnr_w _cnr_z <"/proc/$_cnr_y/stat" || [ "$_cnr_w" != Z ]; } 2>/dev/null && continue
  rm -rf "$_cnr_x"
done
_cnr_d=$(mktemp -d "${'$'}{TMPDIR:-/tmp}/console-node-runner.$$.XXXXXX") || exit 70
trap 'rm -rf "$_cnr_d"' EXIT
trap 'exit 129' HUP
trap 'exit 141' PIPE
trap 'exit 143' TERM
command -v setsid >/dev/null 2>&1 || { echo 'setsid (util-linux) is not installed' >&2; exit 71; }
[ "$(printf abc | head -c 2 2>&1)" = ab ] || { echo 'head -c is not available' >&2; exit 72; }
mkfifo -m 600 "$_cnr_d/o" "$_cnr_d/e" || exit 73
printf 'console-node-runner 1 ready %s\n' "$$"
printf 'console-node-runner 1 ready\n' >&2
while IFS=' ' read -r _cnr_t _cnr_n _cnr_l; do
  case $_cnr_t in *[!0-9a-f]*|'') exit 74 ;; esac
  case $_cnr_n in *[!0-9]*|'') exit 74 ;; esac
  case $_cnr_l in *[!0-9]*|'') exit 74 ;; esac
  _cnr_c=
  while [ "$_cnr_n" -gt 0 ]; do
    IFS= read -r _cnr_x || exit 75
    _cnr_c="$_cnr_c$_cnr_x
"
    _cnr_n=$((_cnr_n - 1))
  done
  _cnr_i=/dev/null
  if [ "$_cnr_l" -gt 0 ]; then
    head -c "$_cnr_l" >"$_cnr_d/i" || exit 76
    IFS= read -r _cnr_x || exit 76
    [ "$_cnr_x" = "$_cnr_t" ] || exit 76
    _cnr_i=$_cnr_d/i
  fi
  if [ ! -p "$_cnr_d/o" ] || [ ! -p "$_cnr_d/e" ]; then
    printf '%s refused its folder %s is gone\n' "$_cnr_t" "$_cnr_d"
    exit 77
  fi
  eval "set -- $_cnr_c"
  exec 3<>"$_cnr_d/o" 4<>"$_cnr_d/e"
  exec 5<"$_cnr_d/o" 6<"$_cnr_d/e" 7>"$_cnr_d/o" 8>"$_cnr_d/e" 3<&- 4<&-
  setsid "$@" 2>&8 >&7 <"$_cnr_i" 5<&- 6<&- 7>&- 8>&- &
  _cnr_p=$!
  exec 7>&- 8>&-
  printf '%s pid %s\n' "$_cnr_t" "$_cnr_p"
  cat <&5 5<&- 6<&- &
  _cnr_a=$!
  cat <&6 >&2 5<&- 6<&- &
  _cnr_b=$!
  exec 5<&- 6<&-
  wait "$_cnr_p" 2>/dev/null
  _cnr_s=$?
  wait "$_cnr_a" 2>/dev/null
  wait "$_cnr_b" 2>/dev/null
  [ "$_cnr_l" -eq 0 ] || : >"$_cnr_d/i"
  printf '%s end\n' "$_cnr_t" >&2
  printf '%s exit %s\n' "$_cnr_t" "$_cnr_s"
done`;

const READY = 'console-node-runner 1 ready';
const RUNNER_COMMAND = `exec ${buildCommand(['/bin/sh', '-c', RUNNER_SCRIPT, 'console-node-runner'])}`;

/**
 * Kills a command's process group, or the process itself when it has not made its group yet
 * (the moment between the runner's fork and setsid). On a channel of its own, best effort
 * (the connection may be gone). The PID is still the runner's unreaped child or sshd's
 * session leader, so it names no other process.
 */
const KILL_SCRIPT = 'kill -s KILL -- "-$1" 2>/dev/null || kill -s KILL -- "$1" 2>/dev/null; exit 0';

/** What a runner needs of its connection (NodeConnection has it). */
export interface RunnerHost {
  endpoint: NodeEndpoint;
  client: Client;
  closed: boolean;
}

export function killProcessGroup(host: RunnerHost, pid: number): void {
  if (!Number.isInteger(pid) || pid <= 1 || host.closed) return;
  try {
    host.client.exec(buildCommand(['sh', '-c', KILL_SCRIPT, 'sh', String(pid)]), (error, stream) => {
      if (error) return;
      stream.on('data', () => undefined);
      stream.stderr.on('data', () => undefined);
      stream.on('close', () => undefined);
      stream.end();
    });
  } catch {
    // the connection went away; the node ends the session's processes with it
  }
}

/** Nothing of the command ran on the node; running it again (on a fresh connection) is safe. */
export class CommandNotStarted extends Error {
  constructor(readonly reason: AppError) {
    super(reason.message);
  }
}

/**
 * How a node's commands are sent: through runners, or each on a channel of its own; `reason`
 * completes "the command runner …" (e.g. "is turned off (NODE_SSH_COMMAND_RUNNER=off)").
 */
export type CommandRunnerState = { active: true; runners: number } | { active: false; reason: string };

/** After the runner could not start, commands go through plain exec; the runner is tried again after this long. */
const RETRY_AFTER_MS = 5 * 60_000;
/** A stopped command's runner waits this long for the command's end, then is closed. */
const DRAIN_MS = 10_000;
/** Shown as the reason when a runner dies before it is ready; more of its stderr is not useful. */
const REASON_BYTES = 2000;

/**
 * The runners of one connection. `acquire` hands out an idle runner or starts one, up to
 * `max` (commands beyond that wait in the connection's channel limit first); it returns null
 * when commands must go through plain exec: the runner is turned off, or it could not start on
 * this node (the reason is kept for the Nodes page).
 */
export class RunnerPool {
  private readonly idle: NodeRunner[] = [];
  private readonly all = new Set<NodeRunner>();
  private readonly waiters: Array<() => void> = [];
  private starting = 0;
  private cap: number;
  private unavailable: { reason: string; until: number } | null = null;

  constructor(
    private readonly host: RunnerHost,
    max: number,
    private readonly startTimeoutMs: number,
    private readonly disabledReason: string | null,
  ) {
    this.cap = max;
  }

  state(): CommandRunnerState | null {
    if (this.disabledReason) return { active: false, reason: this.disabledReason };
    if (this.all.size > 0) return { active: true, runners: this.all.size };
    if (this.unavailable) return { active: false, reason: this.unavailable.reason };
    return null;
  }

  async acquire(): Promise<NodeRunner | null> {
    for (;;) {
      if (this.disabledReason || this.host.closed) return null;
      const idle = this.idle.pop();
      if (idle) {
        if (idle.closed) continue;
        return idle;
      }
      if (this.all.size === 0 && this.starting === 0 && this.unavailable && Date.now() < this.unavailable.until) return null;
      if (this.all.size + this.starting < this.cap) {
        this.starting += 1;
        try {
          const runner = await startRunner(this.host, this.startTimeoutMs, {
            onIdle: (r) => this.release(r),
            onClosed: (r) => this.dropped(r),
            onRefused: () => {
              for (const idle of this.idle.splice(0)) idle.retire();
            },
          });
          this.all.add(runner);
          this.unavailable = null;
          return runner;
        } catch (error) {
          // The connection went while the runner started (or before): the caller hears it.
          if (!(error instanceof RunnerUnavailable || error instanceof ChannelRefused)) throw error;
          if (this.all.size === 0) {
            if (error instanceof RunnerUnavailable) {
              const first = this.unavailable === null;
              this.unavailable = { reason: error.message, until: Date.now() + RETRY_AFTER_MS };
              if (first)
                console.error(
                  `[ssh] ${this.host.endpoint.node}: commands go through one login shell each: the command runner ${error.message}`,
                );
            }
            // A refused channel: plain exec reports it to the caller in the usual words.
            this.wakeAll();
            return null;
          }
          // The node allows fewer channels than asked for: make do with the runners there are.
          // (A runner that did not start while others work: wait for one of those.)
          if (error instanceof ChannelRefused) this.cap = Math.max(1, this.all.size);
        } finally {
          this.starting -= 1;
        }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private release(runner: NodeRunner): void {
    if (!runner.closed) this.idle.push(runner);
    this.waiters.shift()?.();
  }

  private dropped(runner: NodeRunner): void {
    this.all.delete(runner);
    const at = this.idle.indexOf(runner);
    if (at >= 0) this.idle.splice(at, 1);
    // Every waiter looks again: the connection may be gone, or a new runner may be started.
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** The runner could not start on this node (commands then go through plain exec). */
class RunnerUnavailable extends Error {}
/** The node refused to open a channel for a runner. */
class ChannelRefused extends Error {}

interface RunnerEvents {
  onIdle: (runner: NodeRunner) => void;
  onClosed: (runner: NodeRunner) => void;
  onRefused: (runner: NodeRunner) => void;
}

function startRunner(host: RunnerHost, timeoutMs: number, events: RunnerEvents): Promise<NodeRunner> {
  return new Promise<NodeRunner>((resolve, reject) => {
    let settled = false;
    let channel: ClientChannel | null = null;
    const finish = (outcome: { runner: NodeRunner } | { error: Error }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if ('error' in outcome) {
        channel?.close();
        reject(outcome.error);
      } else resolve(outcome.runner);
    };
    const timer = setTimeout(
      () => finish({ error: new RunnerUnavailable(`did not start within ${Math.round(timeoutMs / 1000)} s`) }),
      timeoutMs,
    );
    try {
      host.client.exec(RUNNER_COMMAND, (error, stream) => {
        if (error) {
          finish({ error: host.closed ? connectionLost(host.endpoint, error.message) : new ChannelRefused(error.message) });
          return;
        }
        channel = stream;
        if (settled) {
          stream.close();
          return;
        }
        const runner: NodeRunner = new NodeRunner(host, stream, events, (problem) => {
          if (problem === null) finish({ runner });
          // Exited with a status: the runner cannot work on this node. Killed, or no status at
          // all: the connection went (or someone killed it), which the caller hears about.
          else if (problem.exited && !host.closed) finish({ error: new RunnerUnavailable(problem.message) });
          else finish({ error: connectionLost(host.endpoint, `the command runner ${problem.message}`) });
        });
      });
    } catch (error) {
      // ssh2 throws "Not connected" synchronously when the socket is already gone.
      host.closed = true;
      finish({ error: new CommandNotStarted(connectionLost(host.endpoint, error instanceof Error ? error.message : String(error))) });
    }
  });
}

/** Finds `marker` in a stream, holding back only bytes that could be the start of it. */
export class MarkerScanner {
  private held: Buffer = Buffer.alloc(0);

  constructor(private readonly marker: Buffer) {}

  /** The bytes before the marker that are safe to pass on, and once the marker is found, what follows it. */
  push(chunk: Buffer): { data: Buffer; rest: Buffer | null } {
    const buffer = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    const at = buffer.indexOf(this.marker);
    if (at >= 0) {
      this.held = Buffer.alloc(0);
      return { data: buffer.subarray(0, at), rest: buffer.subarray(at + this.marker.length) };
    }
    const keep = partialMarker(buffer, this.marker);
    this.held = keep > 0 ? Buffer.from(buffer.subarray(buffer.length - keep)) : Buffer.alloc(0);
    return { data: buffer.subarray(0, buffer.length - keep), rest: null };
  }
}

/** Length of the longest end of `buffer` that is a beginning of `marker`. */
function partialMarker(buffer: Buffer, marker: Buffer): number {
  for (let k = Math.min(marker.length - 1, buffer.length); k > 0; k--) {
    if (buffer.compare(marker, 0, k, buffer.length - k, buffer.length) === 0) return k;
  }
  return 0;
}

/** Signal names by number, as ssh2 reports them for a channel (SIGTERM); the first name wins (SIGABRT, not SIGIOT). */
const SIGNAL_NAMES = new Map<number, string>();
for (const [name, n] of Object.entries(constants.signals)) if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name);

interface Request {
  program: string;
  token: string;
  settled: boolean;
  resolve: (result: RunResult) => void;
  reject: (error: Error) => void;
  options: RunOptions;
  limit: number;
  /** 'pid' until the runner named the command's PID, then 'output', 'status' and 'done'. */
  phase: 'pid' | 'output' | 'status' | 'done';
  line: Buffer;
  stdoutScanner: MarkerScanner;
  stderrScanner: MarkerScanner;
  stderrDone: boolean;
  stdout: Buffer[];
  stderr: Buffer[];
  sizes: { stdout: number; stderr: number };
  pid: number | null;
  code: number | null;
  killWanted: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  drainTimer: ReturnType<typeof setTimeout> | undefined;
  onAbort: () => void;
}

export class NodeRunner {
  closed = false;
  /** Set until the runner has said it is ready (called with null), or has ended before (called with why). */
  private ready: ((problem: { message: string; exited: boolean } | null) => void) | null;
  private exitCode: number | null = null;
  private readyParts = { stdout: false, stderr: false };
  private startup = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  private current: Request | null = null;

  constructor(
    private readonly host: RunnerHost,
    private readonly channel: ClientChannel,
    private readonly events: RunnerEvents,
    onReady: (problem: { message: string; exited: boolean } | null) => void,
  ) {
    this.ready = onReady;
    channel.on('exit', (code: number | null) => {
      this.exitCode = code;
      // ssh2 emits the exit status as soon as it arrives, but may hand over the output that came
      // before it only on the next tick: the runner's last words (a refusal) are read first.
      setImmediate(() => {
        // Ended while ready: the channel may stay open while a command it started still holds
        // the output, but nothing will answer on it any more.
        if (this.ready !== null || this.closed) return;
        const why = `it ended (${code !== null ? `exit status ${code}` : 'killed'})`;
        if (this.current) this.broken(why);
        else {
          this.onClose(why);
          this.channel.close();
        }
      });
    });
    channel.on('data', (chunk: Buffer) => this.onStdout(chunk));
    channel.stderr.on('data', (chunk: Buffer) => this.onStderr(chunk));
    channel.on('close', () => this.onClose('the command runner ended'));
    channel.on('error', (error: Error) => this.onClose(error.message));
  }

  /** Ends an idle runner. */
  retire(): void {
    this.onClose('it was retired');
    this.channel.close();
  }

  /** Gives the runner back without running anything (e.g. the command was cancelled while waiting for it). */
  release(): void {
    if (this.current === null) this.events.onIdle(this);
  }

  /**
   * Runs one command. Resolves with its exit status and output like a command on a channel of
   * its own; connection loss, timeout, abort and the output limit reject with the same errors.
   * A stopped command's process group is killed; the runner is free again once the command
   * has ended on the node.
   */
  run(argv: readonly string[], timeoutMs: number, options: RunOptions): Promise<RunResult> {
    const program = argv[0];
    const command = buildCommand(argv);
    return new Promise<RunResult>((resolve, reject) => {
      const token = randomBytes(16).toString('hex');
      const request: Request = {
        program,
        token,
        settled: false,
        resolve,
        reject,
        options,
        limit: options.maxOutputBytes ?? 64 * 1024 * 1024,
        phase: 'pid',
        line: Buffer.alloc(0),
        stdoutScanner: new MarkerScanner(Buffer.from(`${token} exit `)),
        stderrScanner: new MarkerScanner(Buffer.from(`${token} end\n`)),
        stderrDone: false,
        stdout: [],
        stderr: [],
        sizes: { stdout: 0, stderr: 0 },
        pid: null,
        code: null,
        killWanted: false,
        timer: undefined,
        drainTimer: undefined,
        onAbort: () => this.stop(request, commandAborted(this.host.endpoint, program)),
      };
      if (this.closed || this.host.closed) {
        reject(new CommandNotStarted(connectionLost(this.host.endpoint, 'the command runner had ended')));
        return;
      }
      const input =
        options.stdin === undefined ? null : typeof options.stdin === 'string' ? Buffer.from(options.stdin, 'utf8') : options.stdin;
      const parts: Buffer[] = [Buffer.from(`${token} ${command.split('\n').length} ${input?.length ?? 0}\n${command}\n`)];
      if (input && input.length > 0) parts.push(input, Buffer.from(`${token}\n`));
      this.current = request;
      try {
        this.channel.write(Buffer.concat(parts));
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        this.current = null;
        reject(new CommandNotStarted(connectionLost(this.host.endpoint, why)));
        this.broken(`sending a command failed: ${why}`);
        return;
      }
      if (timeoutMs > 0)
        request.timer = setTimeout(() => this.stop(request, commandTimeout(this.host.endpoint, program, timeoutMs)), timeoutMs);
      options.signal?.addEventListener('abort', request.onAbort, { once: true });
      if (options.signal?.aborted) request.onAbort();
    });
  }

  private onStdout(chunk: Buffer): void {
    if (this.ready) return this.startupOutput('stdout', chunk);
    const request = this.current;
    if (!request) return this.broken('it wrote output while no command ran');
    if (request.phase === 'pid') {
      request.line = Buffer.concat([request.line, chunk]);
      const newline = request.line.indexOf(10);
      if (newline < 0) {
        if (request.line.length > 4096) this.broken('its answer to a command did not start with the PID');
        return;
      }
      const line = request.line.subarray(0, newline).toString('utf8');
      const rest = request.line.subarray(newline + 1);
      request.line = Buffer.alloc(0);
      const pid = line.startsWith(`${request.token} pid `) ? Number(line.slice(request.token.length + 5)) : NaN;
      if (line.startsWith(`${request.token} refused `)) {
        // The runner did not start the command and ends; a new runner can run it. Its idle
        // siblings most likely lost their folders the same way (a /tmp cleaner), so they go too.
        this.finishRequest(request, {
          error: new CommandNotStarted(connectionLost(this.host.endpoint, `the command runner ${line.slice(request.token.length + 9)}`)),
        });
        this.events.onRefused(this);
        this.channel.close();
        return;
      }
      if (!Number.isInteger(pid) || pid <= 1) return this.broken('its answer to a command did not start with the PID');
      request.pid = pid;
      request.phase = 'output';
      if (request.killWanted) killProcessGroup(this.host, pid);
      if (rest.length > 0) this.onStdout(rest);
      return;
    }
    if (request.phase === 'output') {
      const { data, rest } = request.stdoutScanner.push(chunk);
      if (data.length > 0) this.collect(request, 'stdout', data);
      if (rest === null) return;
      request.phase = 'status';
      chunk = rest;
    }
    if (request.phase === 'status') {
      request.line = Buffer.concat([request.line, chunk]);
      const newline = request.line.indexOf(10);
      if (newline < 0) return;
      const code = Number(request.line.subarray(0, newline).toString('latin1'));
      if (!Number.isInteger(code) || code < 0 || newline + 1 < request.line.length)
        return this.broken('its exit status line was not understood');
      request.code = code;
      request.phase = 'done';
      return this.maybeDone(request);
    }
    this.broken('it wrote output after a command had ended');
  }

  private onStderr(chunk: Buffer): void {
    if (this.ready) return this.startupOutput('stderr', chunk);
    const request = this.current;
    if (!request || request.stderrDone) return this.broken('it wrote to stderr while no command ran');
    const { data, rest } = request.stderrScanner.push(chunk);
    if (data.length > 0) this.collect(request, 'stderr', data);
    if (rest === null) return;
    if (rest.length > 0) return this.broken('it wrote to stderr after a command had ended');
    request.stderrDone = true;
    this.maybeDone(request);
  }

  /** Before the ready lines: whatever the login shell prints is skipped (and kept for the reason if the runner dies). */
  private startupOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (this.readyParts[stream]) return this.broken(`it wrote to ${stream} before any command`);
    const seen = Buffer.concat([this.startup[stream], chunk]);
    const marker = stream === 'stdout' ? `${READY} ` : `${READY}\n`;
    const at = seen.indexOf(marker);
    if (at < 0) {
      this.startup[stream] = seen.length > REASON_BYTES + marker.length ? seen.subarray(seen.length - REASON_BYTES - marker.length) : seen;
      return;
    }
    if (stream === 'stdout') {
      const end = seen.indexOf(10, at);
      if (end < 0) {
        this.startup.stdout = seen;
        return;
      }
      if (end + 1 < seen.length) return this.broken('it wrote output before any command');
    } else if (at + marker.length < seen.length) {
      return this.broken('it wrote to stderr before any command');
    }
    this.startup[stream] = Buffer.alloc(0);
    this.readyParts[stream] = true;
    if (this.readyParts.stdout && this.readyParts.stderr) {
      const ready = this.ready;
      this.ready = null;
      ready?.(null);
    }
  }

  private collect(request: Request, stream: 'stdout' | 'stderr', data: Buffer): void {
    if (request.settled) return;
    request.sizes[stream] += data.length;
    if (request.sizes[stream] > request.limit) {
      this.stop(
        request,
        new AppError(
          'command-failed',
          `${request.program} on node ${this.host.endpoint.node} wrote more than ${request.limit} bytes and was stopped.`,
        ),
      );
      return;
    }
    request[stream].push(data);
    (stream === 'stdout' ? request.options.onStdout : request.options.onStderr)?.(data);
  }

  private maybeDone(request: Request): void {
    if (request.phase !== 'done' || !request.stderrDone) return;
    const code = request.code ?? 0;
    const signal = code > 128 ? SIGNAL_NAMES.get(code - 128) : undefined;
    this.finishRequest(request, {
      result: {
        code,
        ...(signal ? { signal } : {}),
        stdout: Buffer.concat(request.stdout).toString('utf8'),
        stderr: Buffer.concat(request.stderr).toString('utf8'),
      },
    });
    this.events.onIdle(this);
  }

  /** Settles the caller's promise (once) and forgets the request; the runner's state is the caller's business. */
  private finishRequest(request: Request, outcome: { result: RunResult } | { error: Error }): void {
    clearTimeout(request.timer);
    clearTimeout(request.drainTimer);
    request.options.signal?.removeEventListener('abort', request.onAbort);
    if (this.current === request) this.current = null;
    if (request.settled) return;
    request.settled = true;
    if ('error' in outcome) request.reject(outcome.error);
    else request.resolve(outcome.result);
  }

  /** Timeout, abort or too much output: the caller hears at once; the command's group is killed and the runner waits for its end. */
  private stop(request: Request, error: AppError): void {
    if (request.settled) return;
    request.settled = true;
    clearTimeout(request.timer);
    request.options.signal?.removeEventListener('abort', request.onAbort);
    request.reject(error);
    if (request.pid !== null) killProcessGroup(this.host, request.pid);
    else request.killWanted = true;
    request.drainTimer = setTimeout(
      () => this.broken(`${request.program} did not end within ${DRAIN_MS / 1000} s of being stopped`),
      DRAIN_MS,
    );
  }

  /** The runner is out of step or stuck: it is closed, and a command in progress fails as on a lost channel. */
  private broken(why: string): void {
    console.error(`[ssh] ${this.host.endpoint.node}: closing a command runner: ${why}`);
    this.onClose(why);
    this.channel.close();
  }

  private onClose(why: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ready) {
      const ready = this.ready;
      this.ready = null;
      const said = this.startup.stderr.toString('utf8').trim().split('\n').slice(-3).join(' ').slice(-REASON_BYTES);
      const status = this.exitCode !== null ? `exit status ${this.exitCode}` : why;
      ready({ message: `ended before it was ready (${status})${said ? `: ${said}` : ''}`, exited: this.exitCode !== null });
    }
    const request = this.current;
    if (request) {
      clearTimeout(request.drainTimer);
      this.finishRequest(request, {
        error: connectionLost(this.host.endpoint, `the command runner for ${request.program} ended without an exit status: ${why}`),
      });
    }
    this.events.onClosed(this);
  }
}
