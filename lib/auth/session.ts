import 'server-only';
import { cookies, headers } from 'next/headers';
import { env } from '@/lib/env';
import { isAppError } from '@/lib/errors';
import { addSessionEntry, deleteSessionEntry, readSessionEntry, searchSessionEntries } from '@/lib/ldap/sessions';
import { forgetAccess } from './access-cache';
import { clientAddressOf } from './client-address';
import {
  newSessionRecord,
  newSessionToken,
  parseSessionRecord,
  SESSION_COOKIE,
  sessionKeyOfToken,
  type SessionRecord,
} from './session-token';

export { SESSION_COOKIE } from './session-token';

/**
 * Sessions live on the server, in the directory (lib/ldap/sessions.ts): the cookie only names one.
 * Signing out deletes the entry, which ends the session for every copy of the cookie on every
 * console instance; an entry past its time is refused and removed.
 */
export interface Session extends SessionRecord {
  /** SHA-256 of the cookie's id: the entry's name and the cache key. */
  key: string;
  dn: string;
}

async function isHttps(): Promise<boolean> {
  const h = await headers();
  return (h.get('x-forwarded-proto') ?? '').split(',')[0].trim() === 'https';
}

export async function requestAddress(): Promise<string> {
  return clientAddressOf((await headers()).get('x-forwarded-for'), env().signIn.trustedProxies);
}

export async function startSession(person: { dn: string; login: string; name: string }, address: string): Promise<Session> {
  const { secret, maxAgeSeconds } = env().session;
  const { token, key } = newSessionToken(secret);
  const record = newSessionRecord(person, maxAgeSeconds, address);
  await addSessionEntry({ key, personDn: person.dn, json: JSON.stringify(record) });
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: await isHttps(),
    path: '/',
    maxAge: maxAgeSeconds,
  });
  return { ...record, key, dn: person.dn };
}

/** The key of the session the request's cookie names, when the cookie is genuine. */
export async function sessionKeyFromCookie(): Promise<string | null> {
  return sessionKeyOfToken(env().session.secret, (await cookies()).get(SESSION_COOKIE)?.value);
}

/** The session as the directory has it now; null when it was ended, never existed or ran out (then it is removed). */
export async function readSession(key: string, now = Date.now()): Promise<Session | null> {
  const entry = await readSessionEntry(key);
  if (!entry) return null;
  const record = parseSessionRecord(entry.json);
  if (!record || !entry.personDn || !(Date.parse(record.expiresAt) > now)) {
    await deleteSessionEntry(key).catch(() => undefined);
    return null;
  }
  return { ...record, key, dn: entry.personDn };
}

/** Ends a session on the server (every instance) and forgets it here at once. */
export async function revokeSession(key: string): Promise<void> {
  forgetAccess(key);
  await deleteSessionEntry(key);
  forgetAccess(key);
}

/** Signs the request's session out: the entry, this instance's cache and the browser's cookie. Returns what was ended. */
export async function endSession(): Promise<Session | null> {
  const key = await sessionKeyFromCookie();
  const jar = await cookies();
  jar.delete(SESSION_COOKIE);
  if (!key) return null;
  const session = await readSession(key).catch(() => null);
  await revokeSession(key);
  return session;
}

/**
 * Removes sessions past their time, so they do not pile up in the directory. Sessions are few (one
 * per sign-in within SESSION_MAX_AGE_HOURS), so one search reads them all.
 */
export async function sweepExpiredSessions(now = Date.now()): Promise<number> {
  let removed = 0;
  for (const entry of await searchSessionEntries()) {
    const record = parseSessionRecord(entry.json);
    if (record && Date.parse(record.expiresAt) > now) continue;
    try {
      await deleteSessionEntry(entry.key);
      removed += 1;
    } catch (error) {
      if (!isAppError(error)) throw error;
      console.error(`[session] could not remove expired session ${entry.key.slice(0, 12)}…: ${error.detail ?? error.message}`);
    }
  }
  return removed;
}
