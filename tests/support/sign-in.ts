import { signIn } from '@/lib/auth/sign-in';
import { browser } from './next-headers';

/**
 * Signs a demo person in through the console's own sign-in (password check, rights, throttling,
 * a session entry in the directory); the session cookie lands in the stand-in browser. Needs
 * `vi.mock('next/headers', () => import('../support/next-headers'))` in the test file.
 */
export async function signInAs(person: { login: string; password: string }, address = '192.0.2.10'): Promise<string> {
  browser.clearCookies();
  const result = await signIn(person.login, person.password, address);
  if (!result.ok) throw new Error(`${person.login} could not sign in: ${result.error}`);
  const cookie = browser.cookie();
  if (!cookie) throw new Error('no session cookie was set');
  return cookie;
}
