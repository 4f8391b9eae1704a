import 'server-only';
import { readFileSync } from 'node:fs';
import { Client, type ConnectConfig } from 'ssh2';
import { AppError } from '@/lib/errors';
import { resolveNodeEndpoint, type NodeEndpoint } from './address';
import { connectionError, type ConnectionFacts } from './errors';
import { hostKeyAlgorithms, knownHostName, parseKnownHosts, pinnedEntries, verifyHostKey, type HostKeyVerdict } from './known-hosts';
import { RunnerPool } from './runner';
import { nodeSshSettings } from './settings';

/**
 * One SSH connection per node, shared by every request of this process and kept on globalThis
 * so that Next's module reloading does not leak connections. A connection that closes (node
 * rebooted, sshd restarted, network gone; keepalives notice a silent loss) is dropped from the
 * pool, and the next command opens a new one. A failed attempt is not cached either.
 *
 * The key file and known_hosts are read on every new connection, so pinning a node's key or
 * rotating the console's key needs no restart.
 */
export interface NodeConnection {
  endpoint: NodeEndpoint;
  client: Client;
  closed: boolean;
  /** Runs `work` with one of the connection's channel slots. */
  withChannel<T>(work: () => Promise<T>): Promise<T>;
  /** The connection's command runners (runner.ts); at most one per channel slot. */
  runners: RunnerPool;
}

/**
 * OpenSSH allows 10 sessions per connection (MaxSessions); two are kept free so that a
 * command can always be stopped (kill on its own channel) even when the others are busy.
 * A command runner holds one of the eight while it lives.
 */
const CHANNELS_PER_CONNECTION = 8;
const KEEPALIVE_MS = 10_000;

type Slot = { connection: Promise<NodeConnection>; current: NodeConnection | null };
const holder = globalThis as unknown as { __consoleNodeConnections?: Map<string, Slot> };

function slots(): Map<string, Slot> {
  holder.__consoleNodeConnections ??= new Map();
  return holder.__consoleNodeConnections;
}

export async function nodeConnection(node: string): Promise<NodeConnection> {
  const key = node.toLowerCase();
  const existing = slots().get(key);
  if (existing && !existing.current?.closed) return existing.connection;
  const slot: Slot = { connection: open(node), current: null };
  slot.connection = slot.connection.then(
    (connection) => {
      slot.current = connection;
      connection.client.on('close', () => {
        if (slots().get(key) === slot) slots().delete(key);
      });
      return connection;
    },
    (error: unknown) => {
      if (slots().get(key) === slot) slots().delete(key);
      throw error;
    },
  );
  slots().set(key, slot);
  return slot.connection;
}

/** Closes every pooled connection (tests, orderly shutdown). */
export async function closeNodeConnections(): Promise<void> {
  const all = [...slots().values()];
  slots().clear();
  await Promise.all(
    all.map((s) =>
      s.connection.then(
        (c) => c.client.end(),
        () => undefined,
      ),
    ),
  );
}

function readOrFail(path: string, what: string): string | Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new AppError('nodes-not-configured', `The ${what} ${path} cannot be read (${reason}); the console cannot reach any node.`);
  }
}

async function open(node: string): Promise<NodeConnection> {
  const settings = nodeSshSettings();
  const endpoint = await resolveNodeEndpoint(node);
  const known = parseKnownHosts(readOrFail(settings.knownHostsFile, 'known_hosts file (NODE_SSH_KNOWN_HOSTS_FILE)').toString());
  // Pinned under the node's name or under the address used, as OpenSSH would look either up.
  const names = [...new Set([knownHostName(endpoint.host, endpoint.port), knownHostName(node, endpoint.port)])];
  const algorithms = hostKeyAlgorithms(pinnedEntries(known, names));
  const privateKey = readOrFail(settings.privateKeyFile, 'private key file (NODE_SSH_PRIVATE_KEY_FILE)');

  const facts: ConnectionFacts = {
    endpoint,
    user: settings.user,
    knownHostsFile: settings.knownHostsFile,
    timeoutMs: settings.timeoutMs,
    hostKey: null,
  };
  const client = new Client();
  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: settings.user,
    privateKey,
    // Covers name resolution, TCP connect, key exchange and authentication together.
    readyTimeout: settings.timeoutMs,
    keepaliveInterval: KEEPALIVE_MS,
    keepaliveCountMax: 3,
    hostVerifier: (key: Buffer): boolean => {
      const verdict: HostKeyVerdict = verifyHostKey(known, names, key);
      facts.hostKey = verdict;
      return verdict.verdict === 'trusted';
    },
    ...(algorithms.length > 0
      ? { algorithms: { serverHostKey: algorithms as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } }
      : {}),
  };

  const base = { endpoint, client, closed: false, withChannel: limiter(CHANNELS_PER_CONNECTION) };
  // The runners see `closed` of this very object (Object.assign returns it).
  const connection: NodeConnection = Object.assign(base, {
    runners: new RunnerPool(
      base,
      CHANNELS_PER_CONNECTION,
      settings.timeoutMs,
      settings.commandRunner ? null : 'is turned off (NODE_SSH_COMMAND_RUNNER=off)',
    ),
  });
  let established = false;
  // ssh2 emits 'error' on a live connection too (keepalive timeout, reset); without a
  // permanent listener that would crash the process. Handshake errors are logged by `fail`.
  client.on('error', (error: Error) => {
    if (!established || connection.closed) return;
    console.error(`[ssh] ${node}: connection lost: ${connectionError(error, facts).detail ?? error.message}`);
  });
  const markClosed = (): void => {
    connection.closed = true;
  };
  client.on('close', markClosed);
  client.on('end', markClosed);

  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown): void => {
      client.off('ready', onReady);
      client.off('close', onClose);
      client.off('error', fail);
      markClosed();
      client.end();
      const mapped = connectionError(error, facts);
      console.error(`[ssh] ${node}: ${mapped.code}: ${mapped.detail ?? mapped.message}`);
      reject(mapped);
    };
    const onReady = (): void => {
      established = true;
      client.off('close', onClose);
      client.off('error', fail);
      resolve();
    };
    const onClose = (): void => fail(new Error('The connection closed during the handshake'));
    client.once('ready', onReady);
    client.once('close', onClose);
    client.once('error', fail);
    try {
      client.connect(config);
    } catch (error) {
      fail(error);
    }
  });
  return connection;
}

/** A small counting semaphore. */
function limiter(max: number): NodeConnection['withChannel'] {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    // A finishing holder hands its slot straight to the next waiter, so the count never exceeds max.
    if (active < max) active += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active -= 1;
    }
  };
}
