import { AppError } from '@/lib/errors';
import type { NodeEndpoint } from './address';
import type { HostKeyVerdict } from './known-hosts';
import { buildCommand } from './quote';

/**
 * The one place where what ssh2 and the nodes report becomes an AppError: a sentence that
 * says what is wrong and what to do about it for the UI, the raw detail for the log.
 */

export interface ConnectionFacts {
  endpoint: NodeEndpoint;
  user: string;
  knownHostsFile: string;
  timeoutMs: number;
  /** What the host key check concluded, when the handshake got that far. */
  hostKey: HostKeyVerdict | null;
}

function where(e: NodeEndpoint): string {
  return `node ${e.node} (${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port})`;
}

function keyscan(e: NodeEndpoint, file: string): string {
  return `ssh-keyscan ${e.port === 22 ? '' : `-p ${e.port} `}${e.host} >> ${file}`;
}

function detailOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const extra = [('code' in error && error.code) || null, ('level' in error && error.level) || null].filter(Boolean).join(', ');
  return `${error.name}: ${error.message}${extra ? ` (${extra})` : ''}`;
}

export function hostKeyError(facts: ConnectionFacts): AppError | null {
  const verdict = facts.hostKey;
  const at = where(facts.endpoint);
  const file = facts.knownHostsFile;
  if (!verdict || verdict.verdict === 'trusted') return null;
  const shown = `${verdict.presented.type} key ${verdict.presented.fingerprint}`;
  if (verdict.verdict === 'unknown') {
    return new AppError(
      'host-key-unknown',
      `The host key of ${at} is not pinned, so the console did not connect. The node presented the ${shown}. ` +
        `Check that fingerprint on the node itself (ssh-keygen -lf /etc/ssh/ssh_host_${verdict.presented.type.replace(/^ssh-/, '').replace(/-.*/, '')}_key.pub), ` +
        `then add the key to ${file}, e.g. with: ${keyscan(facts.endpoint, file)}`,
    );
  }
  if (verdict.verdict === 'revoked') {
    return new AppError(
      'host-key-changed',
      `${capitalize(at)} presented the ${shown}, which ${file} marks as revoked (line ${verdict.line}); the console refused to connect.`,
    );
  }
  const pinned = verdict.pinned.map((p) => `${p.type} ${p.fingerprint} (line ${p.line})`).join(', ');
  return new AppError(
    'host-key-changed',
    `The host key of ${at} has CHANGED: it presented the ${shown}, but ${file} pins ${pinned}. The console refused to connect, ` +
      'because this is what an attacker in the middle looks like. If the node was reinstalled, verify the new key on the node, ' +
      `remove the old line (ssh-keygen -R '${facts.endpoint.port === 22 ? facts.endpoint.host : `[${facts.endpoint.host}]:${facts.endpoint.port}`}' -f ${file}) and add the new one.`,
  );
}

/** Maps a failed connection attempt (or a dropped connection) to an AppError. */
export function connectionError(error: unknown, facts: ConnectionFacts): AppError {
  if (error instanceof AppError) return error;
  const detail = detailOf(error);
  const keyError = hostKeyError(facts);
  if (keyError) return new AppError(keyError.code, keyError.message, detail);
  const at = where(facts.endpoint);
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  const level = error instanceof Error && 'level' in error ? String(error.level) : '';
  const message = error instanceof Error ? error.message : '';
  if (/no matching host key format/i.test(message)) {
    return new AppError(
      'host-key-changed',
      `${capitalize(at)} offers none of the host key types pinned for it in ${facts.knownHostsFile}; its host key has changed. Verify the node's key and update the file.`,
      detail,
    );
  }
  if (level === 'client-authentication') {
    return new AppError(
      'node-auth-failed',
      `${capitalize(at)} refused the console's key for user ${facts.user}. Add the public half of NODE_SSH_PRIVATE_KEY_FILE to ~${facts.user}/.ssh/authorized_keys on the node.`,
      detail,
    );
  }
  if (code === 'ECONNREFUSED')
    return new AppError('node-unreachable', `${capitalize(at)} refused the connection: no SSH server is listening there.`, detail);
  if (level === 'client-timeout' || code === 'ETIMEDOUT') {
    return new AppError('node-timeout', `${capitalize(at)} did not answer within ${Math.round(facts.timeoutMs / 1000)} s.`, detail);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || level === 'client-dns') {
    return new AppError('node-unreachable', `The address ${facts.endpoint.host} of node ${facts.endpoint.node} does not resolve.`, detail);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EHOSTDOWN') {
    return new AppError('node-unreachable', `${capitalize(at)} cannot be reached (no route to it).`, detail);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /closed|disconnect|keepalive/i.test(message)) {
    return new AppError('node-connection-lost', `The connection to ${at} was lost.`, detail);
  }
  return new AppError('node-unreachable', `The SSH connection to ${at} failed.`, detail);
}

export function connectionLost(endpoint: NodeEndpoint, detail: string): AppError {
  return new AppError(
    'node-connection-lost',
    `The connection to ${where(endpoint)} was lost while a command ran; it will be re-opened for the next command.`,
    detail,
  );
}

export function commandTimeout(endpoint: NodeEndpoint, program: string, timeoutMs: number): AppError {
  return new AppError(
    'node-timeout',
    `${program} on ${where(endpoint)} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`,
  );
}

export function commandAborted(endpoint: NodeEndpoint, program: string): AppError {
  return new AppError('command-aborted', `${program} on ${where(endpoint)} was cancelled and stopped.`);
}

/** A command ran but did not succeed. Carries what the caller needs to decide (exit code, stderr). */
export class CommandFailedError extends AppError {
  readonly node: string;
  readonly exitCode: number;
  readonly stderr: string;
  /** The command line as sent (quoted), for the administrator to read or run by hand. */
  readonly command: string;

  constructor(input: { node: string; what: string; exitCode: number; stderr: string; argv: readonly string[] }) {
    const reason = summary(input.stderr) || `exit code ${input.exitCode}`;
    super(
      'command-failed',
      `${input.what} failed on node ${input.node}: ${reason}`,
      `${JSON.stringify(input.argv)} exited ${input.exitCode}: ${input.stderr.trim()}`,
    );
    this.name = 'CommandFailedError';
    this.node = input.node;
    this.exitCode = input.exitCode;
    this.stderr = input.stderr;
    this.command = buildCommand(input.argv);
  }
}

export function isCommandFailed(error: unknown): error is CommandFailedError {
  return error instanceof CommandFailedError;
}

/** The first lines of stderr on one line; libvirt puts the reason on the second ("error: Failed to start …" / "error: <why>"). */
function summary(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim().replace(/^error: /, ''))
    .filter((l) => l !== '')
    .slice(0, 3);
  const line = lines.join(': ');
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
