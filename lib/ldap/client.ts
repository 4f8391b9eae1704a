import 'server-only';
import { Client, InvalidCredentialsError, NoSuchObjectError, type Entry, type SearchOptions } from 'ldapts';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { toRawEntry, type RawEntry } from './entry';

/**
 * One bound connection to the directory, shared by every request of this process. ldapts
 * reconnects and replays the bind after a dropped connection, so the client survives an LDAP
 * restart; a failed first bind is not cached, so the next request tries again.
 */
type Shared = { client: Client; ready: Promise<void> };
const holder = globalThis as unknown as { __consoleDirectory?: Shared };

function newClient(): Client {
  const { url, timeoutMs } = env().ldap;
  return new Client({ url, timeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 5000), strictDN: false });
}

async function sharedClient(): Promise<Client> {
  let shared = holder.__consoleDirectory;
  if (!shared) {
    const client = newClient();
    const { bindDn, bindPassword } = env().ldap;
    shared = { client, ready: client.bind(bindDn, bindPassword) };
    holder.__consoleDirectory = shared;
  }
  try {
    await shared.ready;
  } catch (error) {
    if (holder.__consoleDirectory === shared) holder.__consoleDirectory = undefined;
    await shared.client.unbind().catch(() => undefined);
    throw error;
  }
  return shared.client;
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
  try {
    return await work(await sharedClient());
  } catch (error) {
    const appError = toAppError(error, what);
    if (appError.code === 'directory-unavailable' || appError.code === 'directory-error') {
      console.error(`[ldap] ${what}: ${appError.detail ?? appError.message}`);
    }
    throw appError;
  }
}

export interface SearchRequest {
  base: string;
  scope: 'base' | 'one' | 'sub';
  filter?: string;
  attributes: readonly string[];
}

/** Paged search returning every entry; the page size stays under slapd's default size limit of 500. */
export async function searchAll(what: string, request: SearchRequest): Promise<RawEntry[]> {
  return withDirectory(what, async (client) => {
    const options: SearchOptions = {
      scope: request.scope,
      filter: request.filter ?? '(objectClass=*)',
      attributes: [...request.attributes],
      paged: request.scope === 'base' ? false : { pageSize: 400 },
    };
    try {
      const result = await client.search(request.base, options);
      return result.searchEntries.map((e: Entry) => toRawEntry(e));
    } catch (error) {
      // A missing container is an empty result for listing purposes, not an outage.
      if (error instanceof NoSuchObjectError && request.scope !== 'base') return [];
      throw error;
    }
  });
}

/** Reads one entry, or null when it does not exist. */
export async function readEntry(what: string, dn: string, attributes: readonly string[]): Promise<RawEntry | null> {
  return withDirectory(what, async (client) => {
    try {
      const result = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [...attributes] });
      const entry = result.searchEntries[0];
      return entry ? toRawEntry(entry) : null;
    } catch (error) {
      if (error instanceof NoSuchObjectError) return null;
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
    throw toAppError(error, 'Checking the password');
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Drops the shared connection (tests switching directories, and orderly shutdown). */
export async function closeDirectory(): Promise<void> {
  const shared = holder.__consoleDirectory;
  holder.__consoleDirectory = undefined;
  if (shared) await shared.client.unbind().catch(() => undefined);
}
