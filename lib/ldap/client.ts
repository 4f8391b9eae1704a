import 'server-only';
import { Client, InvalidCredentialsError, NoSuchObjectError, ResultCodeError, type SearchOptions } from 'ldapts';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { countDirectoryError } from '@/lib/metrics/counters';
import { toRawEntry, type RawEntry } from './entry';

/**
 * A few bound connections to the directory, shared by every request of this process. Each
 * operation (`withDirectory`) has a connection to itself while it runs: OpenLDAP keeps the state
 * of a paged search per connection, so two paged searches interleaved on one connection break
 * each other ("paged results cookie is invalid") as soon as both need a second page. Separate
 * connections also let slapd answer the fleet's searches in parallel.
 *
 * ldapts reconnects a dropped connection and, with autoRebind, replays the bind, so the pool
 * survives an LDAP restart; a connection whose bind fails is dropped, so the next request tries
 * again.
 */
const MAX_CONNECTIONS = 4;

interface Connection {
  client: Client;
  /** The pool it was opened for; after closeDirectory() that is no longer the current one. */
  pool: Pool;
}
interface Waiter {
  resolve(connection: Connection): void;
  reject(error: unknown): void;
}
interface Pool {
  idle: Connection[];
  open: number;
  waiters: Waiter[];
}
const holder = globalThis as unknown as { __consoleDirectory?: Pool };

function newClient(): Client {
  const { url, timeoutMs } = env().ldap;
  return new Client({ url, timeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 5000), strictDN: false, autoRebind: true });
}

function pool(): Pool {
  holder.__consoleDirectory ??= { idle: [], open: 0, waiters: [] };
  return holder.__consoleDirectory;
}

async function openConnection(p: Pool): Promise<Connection> {
  p.open += 1;
  const client = newClient();
  const { bindDn, bindPassword } = env().ldap;
  try {
    await client.bind(bindDn, bindPassword);
    return { client, pool: p };
  } catch (error) {
    p.open -= 1;
    await client.unbind().catch(() => undefined);
    throw error;
  }
}

async function acquire(): Promise<Connection> {
  const p = pool();
  const idle = p.idle.pop();
  if (idle) return idle;
  if (p.open < MAX_CONNECTIONS) return openConnection(p);
  return new Promise<Connection>((resolve, reject) => p.waiters.push({ resolve, reject }));
}

/** Hands the connection to the next waiting operation, or parks it; a broken one is replaced. */
function release(connection: Connection, broken: boolean): void {
  const p = connection.pool;
  if (!broken && p !== holder.__consoleDirectory && p.waiters.length === 0) {
    // Opened before closeDirectory(): it may point at a directory no longer configured.
    p.open -= 1;
    void connection.client.unbind().catch(() => undefined);
    return;
  }
  if (broken) {
    p.open -= 1;
    void connection.client.unbind().catch(() => undefined);
    const waiter = p.waiters.shift();
    if (waiter) openConnection(p).then(waiter.resolve, waiter.reject);
    return;
  }
  const waiter = p.waiters.shift();
  if (waiter) waiter.resolve(connection);
  else p.idle.push(connection);
}

const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'ENETUNREACH']);

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error ? String((error as { code?: unknown }).code) : '';
  return unavailableCodes.has(code) || /timeout|socket|connection|closed/i.test(error.message);
}

/** Maps whatever ldapts throws to an AppError with a sentence for the UI and the detail for the log. */
export function toAppError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof NoSuchObjectError) return new AppError('not-found', `${what}: the entry does not exist in the directory.`, detail);
  if (error instanceof InvalidCredentialsError) {
    return new AppError('directory-unavailable', 'The console cannot bind to the directory: its bind DN or password is wrong.', detail);
  }
  if (isConnectionError(error)) {
    return new AppError('directory-unavailable', 'The directory (LDAP server) cannot be reached right now. Try again in a moment.', detail);
  }
  return new AppError('directory-error', `${what}: the directory refused the request.`, detail);
}

export async function withDirectory<T>(what: string, work: (client: Client) => Promise<T>): Promise<T> {
  let connection: Connection | undefined;
  let broken = false;
  try {
    connection = await acquire();
    return await work(connection.client);
  } catch (error) {
    // A connection that failed at the socket level is not handed on; a refused search is fine.
    broken = !(error instanceof ResultCodeError) && !(error instanceof AppError);
    const appError = toAppError(error, what);
    if (appError.code === 'directory-unavailable' || appError.code === 'directory-error') {
      console.error(`[ldap] ${what}: ${appError.detail ?? appError.message}`);
      countDirectoryError(appError.code);
    }
    throw appError;
  } finally {
    if (connection) release(connection, broken);
  }
}

export interface SearchRequest {
  base: string;
  scope: 'base' | 'one' | 'sub';
  filter?: string;
  attributes: readonly string[];
}

export const PAGE_SIZE = 400;

/**
 * With LDAP_TRACE=1, one line per search on stdout: what was asked and how long it took. The
 * benchmark replays exactly these searches with ldapsearch to compare against.
 */
function trace(request: SearchRequest, paged: boolean, entries: number, started: number): void {
  if (!env().ldap.trace) return;
  const line = { ...request, filter: request.filter ?? '(objectClass=*)', pageSize: paged ? PAGE_SIZE : null, entries, ms: Math.round(performance.now() - started) };
  console.log(`[ldap-trace] ${JSON.stringify(line)}`);
}

/** Paged search returning every entry; the page size stays under slapd's default size limit of 500. */
export async function searchAll(what: string, request: SearchRequest): Promise<RawEntry[]> {
  return withDirectory(what, async (client) => {
    const started = performance.now();
    const paged = request.scope !== 'base';
    const options: SearchOptions = {
      scope: request.scope,
      filter: request.filter ?? '(objectClass=*)',
      attributes: [...request.attributes],
      paged: paged ? { pageSize: PAGE_SIZE } : false,
    };
    try {
      const entries: RawEntry[] = [];
      if (paged) {
        // Page by page, so only one page of ldapts' own objects is alive at a time.
        for await (const page of client.searchPaginated(request.base, options)) {
          for (const e of page.searchEntries) entries.push(toRawEntry(e));
        }
      } else {
        for (const e of (await client.search(request.base, options)).searchEntries) entries.push(toRawEntry(e));
      }
      trace(request, paged, entries.length, started);
      return entries;
    } catch (error) {
      // A missing container is an empty result for listing purposes, not an outage.
      if (error instanceof NoSuchObjectError && request.scope !== 'base') {
        trace(request, paged, 0, started);
        return [];
      }
      throw error;
    }
  });
}

/** Reads one entry, or null when it does not exist. */
export async function readEntry(what: string, dn: string, attributes: readonly string[]): Promise<RawEntry | null> {
  return withDirectory(what, async (client) => {
    const started = performance.now();
    const request: SearchRequest = { base: dn, scope: 'base', attributes };
    try {
      const result = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [...attributes] });
      const entry = result.searchEntries[0];
      trace(request, false, result.searchEntries.length, started);
      return entry ? toRawEntry(entry) : null;
    } catch (error) {
      if (error instanceof NoSuchObjectError) {
        trace(request, false, 0, started);
        return null;
      }
      throw error;
    }
  });
}

/**
 * Verifies a person's password by binding as that person on a separate, short-lived connection,
 * so the shared service connection never changes identity.
 */
export async function verifyPassword(dn: string, password: string): Promise<boolean> {
  const client = newClient();
  try {
    await client.bind(dn, password);
    return true;
  } catch (error) {
    if (error instanceof InvalidCredentialsError) return false;
    const appError = toAppError(error, 'Checking the password');
    countDirectoryError(appError.code);
    throw appError;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Drops the idle connections (tests switching directories, and orderly shutdown). */
export async function closeDirectory(): Promise<void> {
  const p = holder.__consoleDirectory;
  holder.__consoleDirectory = undefined;
  if (p) await Promise.all(p.idle.map((c) => c.client.unbind().catch(() => undefined)));
}
