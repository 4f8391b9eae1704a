import 'server-only';
import { constants } from 'node:os';
import type { ClientChannel } from 'ssh2';
import { AppError, isAppError } from '@/lib/errors';
import { countSshError } from '@/lib/metrics/counters';
import { CommandFailedError, commandAborted, commandTimeout, connectionLost } from './errors';
import { nodeConnection, type NodeConnection } from './pool';
import { buildCommand } from './quote';
import { CommandNotStarted, killProcessGroup } from './runner';
import { nodeSshSettings } from './settings';

export interface RunOptions {
  /** Per-command limit; default NODE_SSH_TIMEOUT_MS; 0 = none (long copies watch progress instead). */
  timeoutMs?: number;
  /** Sent to the command's standard input, which is then closed. */
  stdin?: string | Buffer;
  /** Output as it arrives, e.g. for progress. The full output is also in the result. */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Stops the command (its whole process group on the node) when aborted. */
  signal?: AbortSignal;
  /** Guard against a command that floods the console's memory; default 64 MiB per stream. */
  maxOutputBytes?: number;
  /**
   * Sends the command on an SSH channel of its own (sshd starts the login shell for it), as
   * before the command runner, instead of through one of the connection's runners: for
   * benchmarks and diagnosis. NODE_SSH_COMMAND_RUNNER=off does it for every command.
   */
  plainExec?: boolean;
}

export interface RunResult {
  /** Exit status; 128 + n when the command was killed by signal n, as a shell reports it. */
  code: number;
  /**
   * The signal name (SIGTERM) when the command was killed by one. Through the command runner,
   * which learns only the exit status from its shell, a status of 128 + n is taken as signal n.
   */
  signal?: string;
  stdout: string;
  stderr: string;
}

/** One command as an observer sees it once it has ended (times from performance.now()). */
export interface ObservedCommand {
  node: string;
  argv: readonly string[];
  startedAt: number;
  endedAt: number;
  /** Exit status, or null when the command failed to run or was stopped (see `error`). */
  code: number | null;
  error?: string;
}

const observers = new Set<(command: ObservedCommand) => void>();

/**
 * Calls `listener` after every command this process runs on a node (benchmarks count round
 * trips with it). Returns the function that stops observing. Costs nothing when nobody observes.
 */
export function observeNodeCommands(listener: (command: ObservedCommand) => void): () => void {
  observers.add(listener);
  return () => observers.delete(listener);
}

function notify(command: ObservedCommand): void {
  for (const listener of observers) {
    try {
      listener(command);
    } catch {
      // an observer's problem is not the command's
    }
  }
}

/**
 * Runs one program on a node. The command line is built from `argv` only (every element
 * quoted, see quote.ts); there is no way to pass a shell snippet with values in it. A non-zero
 * exit is returned, not thrown (see `runChecked`); connection problems, timeouts and aborts
 * are thrown as AppErrors.
 *
 * Commands go through one of the connection's command runners (runner.ts): a shell started
 * once per channel that runs each command in a process group of its own, so that a command
 * does not pay for the node's login shell. When the runner cannot start on a node (or
 * `plainExec`, or NODE_SSH_COMMAND_RUNNER=off), the command gets a channel of its own with the
 * line `echo $$; exec <argv>`: sshd starts every such command in a new session, so the
 * reported PID is also the process group of everything the command starts. Either way, a
 * timeout or an abort kills that group on a channel of its own: closing a channel alone would
 * leave a `cp` of a 100 GiB image running on the node.
 */
export async function runOnNode(node: string, argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  if (observers.size === 0) return runCounted(node, argv, options);
  const startedAt = performance.now();
  try {
    const result = await runCounted(node, argv, options);
    notify({ node, argv, startedAt, endedAt: performance.now(), code: result.code });
    return result;
  } catch (error) {
    notify({ node, argv, startedAt, endedAt: performance.now(), code: null, error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
}

/** Every failure to run a command on a node is counted for the metrics, except a deliberate stop. */
async function runCounted(node: string, argv: readonly string[], options: RunOptions): Promise<RunResult> {
  try {
    return await runUnobserved(node, argv, options);
  } catch (error) {
    if (!isAppError(error) || error.code !== 'command-aborted') countSshError(node, isAppError(error) ? error.code : 'unexpected');
    throw error;
  }
}

async function runUnobserved(node: string, argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const command = `echo $$; exec ${buildCommand(argv)}`;
  const program = argv[0];
  const timeoutMs = options.timeoutMs ?? nodeSshSettings().timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const connection = await nodeConnection(node);
    if (options.signal?.aborted) throw commandAborted(connection.endpoint, program);
    try {
      return await connection.withChannel(async () => {
        const runner = options.plainExec ? null : await connection.runners.acquire();
        if (runner === null) return execute(connection, command, program, timeoutMs, options);
        if (options.signal?.aborted) {
          runner.release();
          throw commandAborted(connection.endpoint, program);
        }
        return runner.run(argv, timeoutMs, options);
      });
    } catch (error) {
      // A pooled connection can die before its 'close' event arrives. When nothing was sent
      // (ssh2 refused to send, or the runner said it did not start the command), nothing ran on
      // the node, so one retry on a fresh connection is safe. Any later failure may have started
      // the command: it is reported.
      if (!(error instanceof CommandNotStarted) || attempt > 1) throw error instanceof CommandNotStarted ? error.reason : error;
    }
  }
}

/** Like runOnNode, but a non-zero exit becomes a CommandFailedError naming `what`. */
export async function runChecked(node: string, argv: readonly string[], what: string, options: RunOptions = {}): Promise<RunResult> {
  const result = await runOnNode(node, argv, options);
  if (result.code !== 0) {
    countSshError(node, 'command-failed');
    throw new CommandFailedError({ node, what, exitCode: result.code, stderr: result.stderr, argv });
  }
  return result;
}

function execute(connection: NodeConnection, command: string, program: string, timeoutMs: number, options: RunOptions): Promise<RunResult> {
  const limit = options.maxOutputBytes ?? 64 * 1024 * 1024;
  return new Promise<RunResult>((resolve, reject) => {
    let settled = false;
    let channel: ClientChannel | null = null;
    let pid: number | null = null;
    let head = Buffer.alloc(0);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let sizes = { stdout: 0, stderr: 0 };
    let exit: { code: number; signal?: string } | null = null;

    const finish = (outcome: { result: RunResult } | { error: AppError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome.result);
    };
    const stop = (error: AppError): void => {
      if (settled) return;
      if (pid !== null) killProcessGroup(connection, pid);
      channel?.close();
      finish({ error });
    };
    const onAbort = (): void => stop(commandAborted(connection.endpoint, program));
    const timer = timeoutMs > 0 ? setTimeout(() => stop(commandTimeout(connection.endpoint, program, timeoutMs)), timeoutMs) : undefined;
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const collect = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
      sizes = { ...sizes, [stream]: sizes[stream] + chunk.length };
      if (sizes[stream] > limit) {
        stop(new AppError('command-failed', `${program} on node ${connection.endpoint.node} wrote more than ${limit} bytes and was stopped.`));
        return;
      }
      (stream === 'stdout' ? stdout : stderr).push(chunk);
      (stream === 'stdout' ? options.onStdout : options.onStderr)?.(chunk);
    };

    const notOpened = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const reason = connection.closed ? connectionLost(connection.endpoint, error.message) : new AppError('command-failed', `${program} could not be started on node ${connection.endpoint.node}.`, error.message);
      reject(unsent ? new CommandNotStarted(reason) : reason);
    };
    let unsent = false;
    const started = (error: Error | undefined, stream: ClientChannel): void => {
      if (error) return notOpened(error);
      channel = stream;
      if (settled) {
        // Stopped (timeout, abort) while the channel was opening: the command runs already, so
        // read its PID and stop it as well.
        let early = Buffer.alloc(0);
        stream.stderr.on('data', () => undefined);
        stream.on('data', (chunk: Buffer) => {
          early = Buffer.concat([early, chunk]);
          const newline = early.indexOf(10);
          if (newline < 0) return;
          killProcessGroup(connection, Number(early.subarray(0, newline).toString('latin1')));
          stream.close();
        });
        stream.end();
        return;
      }
      stream.on('data', (chunk: Buffer) => {
        if (pid !== null) return collect('stdout', chunk);
        // The first line is the PID written by `echo $$`; everything after it is the command's.
        head = Buffer.concat([head, chunk]);
        const newline = head.indexOf(10);
        if (newline < 0) return;
        pid = Number(head.subarray(0, newline).toString('latin1'));
        const rest = head.subarray(newline + 1);
        head = Buffer.alloc(0);
        if (rest.length > 0) collect('stdout', rest);
      });
      stream.stderr.on('data', (chunk: Buffer) => collect('stderr', chunk));
      stream.on('exit', (code: number | null, signal?: string) => {
        exit = code !== null ? { code } : { code: 128 + signalNumber(signal), signal: signal ?? 'unknown' };
      });
      stream.on('close', () => {
        if (!exit) {
          finish({ error: connectionLost(connection.endpoint, `channel for ${program} closed without an exit status`) });
          return;
        }
        finish({
          result: { ...exit, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') },
        });
      });
      stream.on('error', (streamError: Error) => finish({ error: connectionLost(connection.endpoint, streamError.message) }));
      if (options.stdin !== undefined) stream.end(options.stdin);
      else stream.end();
    };
    try {
      connection.client.exec(command, started);
    } catch (error) {
      // ssh2 throws "Not connected" synchronously when the socket is already gone.
      connection.closed = true;
      unsent = true;
      notOpened(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** ssh2 names the signal with its prefix (SIGTERM); other SSH libraries without (TERM). */
function signalNumber(name: string | undefined): number {
  const key = (name?.startsWith('SIG') ? name : `SIG${name ?? ''}`) as keyof typeof constants.signals;
  return constants.signals[key] ?? 0;
}
