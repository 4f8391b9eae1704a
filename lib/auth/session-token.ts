import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * The session cookie and the record kept for it in the directory, as plain functions (no request,
 * no directory) so the benchmarks can create a session the way the console does.
 *
 * The cookie is a random id and its HMAC under SESSION_SECRET: a forged or mangled cookie is
 * refused without asking the directory. The directory keeps only the SHA-256 of the id (the
 * session's key), so whoever can read the directory cannot build a cookie from it.
 */
export const SESSION_COOKIE = 'console_session';

function mac(secret: string, id: string): string {
  return createHmac('sha256', secret).update(id).digest('base64url');
}

export const sessionKeyOfId = (id: string): string => createHash('sha256').update(id).digest('hex');

/** `value` with its signature under SESSION_SECRET, as the cookie carries it. */
export function signedToken(secret: string, value: string): string {
  return `${value}.${mac(secret, value)}`;
}

export function newSessionToken(secret: string): { token: string; key: string } {
  const id = randomBytes(32).toString('base64url');
  return { token: signedToken(secret, id), key: sessionKeyOfId(id) };
}

/** The session's key when the cookie carries a valid signature, otherwise null. */
export function sessionKeyOfToken(secret: string, token: string | undefined): string | null {
  if (!token || token.length > 200) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const id = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(mac(secret, id), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return sessionKeyOfId(id);
}

export const sessionRecordSchema = z.object({
  version: z.literal(1),
  login: z.string(),
  name: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** The client address it was signed in from, for the administrator reading the directory. */
  address: z.string().nullable(),
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

export function parseSessionRecord(json: string): SessionRecord | null {
  try {
    const parsed = sessionRecordSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The record of a session signed in now, good for `maxAgeSeconds`. */
export function newSessionRecord(
  person: { login: string; name: string },
  maxAgeSeconds: number,
  address: string | null,
  now = Date.now(),
): SessionRecord {
  return {
    version: 1,
    login: person.login,
    name: person.name,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + maxAgeSeconds * 1000).toISOString(),
    address,
  };
}
