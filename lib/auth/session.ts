import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { env } from '@/lib/env';

export const SESSION_COOKIE = 'console_session';

const sessionSchema = z.object({
  dn: z.string(),
  uid: z.string(),
  login: z.string(),
  name: z.string(),
  iat: z.number(),
  exp: z.number(),
});
export type Session = z.infer<typeof sessionSchema>;

function sign(payload: string): string {
  return createHmac('sha256', env().session.secret).update(payload).digest('base64url');
}

export function encodeSession(session: Session): string {
  const payload = Buffer.from(JSON.stringify(session), 'utf8').toString('base64url');
  return `${payload}.${sign(payload)}`;
}

export function decodeSession(token: string | undefined, now = Date.now()): Session | null {
  if (!token) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(sign(payload), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const parsed = sessionSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success || parsed.data.exp * 1000 <= now) return null;
    return parsed.data;
  } catch {
    return null;
  }
}

async function isHttps(): Promise<boolean> {
  const h = await headers();
  return (h.get('x-forwarded-proto') ?? '').split(',')[0].trim() === 'https';
}

export async function startSession(person: { dn: string; uid: string; login: string; name: string }): Promise<void> {
  const iat = Math.floor(Date.now() / 1000);
  const maxAge = env().session.maxAgeSeconds;
  const jar = await cookies();
  jar.set(SESSION_COOKIE, encodeSession({ ...person, iat, exp: iat + maxAge }), {
    httpOnly: true,
    sameSite: 'lax',
    secure: await isHttps(),
    path: '/',
    maxAge,
  });
}

export async function endSession(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}

export async function currentSession(): Promise<Session | null> {
  return decodeSession((await cookies()).get(SESSION_COOKIE)?.value);
}

/**
 * Every page, server action and lib read calls this first. Without a valid session the request
 * goes to the login page; route handlers check `currentSession()` themselves to answer 401.
 */
export async function requireAdmin(): Promise<Session> {
  const session = await currentSession();
  if (!session) redirect('/login');
  return session;
}
