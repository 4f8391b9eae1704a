import 'server-only';
import { randomBytes } from 'node:crypto';
import { recordAudit } from '@/lib/audit';
import { env } from '@/lib/env';
import { isAppError } from '@/lib/errors';
import { peopleDn } from '@/lib/ldap/layout';
import { addFailure, deleteFailures, readFailures, removeFailures, searchFailureEntries } from '@/lib/ldap/sign-in-failures';
import { describeGrants } from './capabilities';
import { login, loginMessages, type LoginFailure } from './login';
import { endSession, startSession } from './session';
import { expiredFailures, failureValue, pausedUntil, recentFailures, type ThrottleRule } from './throttle';

export type SignInResult = { ok: true } | { ok: false; error: string };

/** Login names as the directory compares them (cn is case-insensitive); the key of the per-name counter. */
const nameKey = (loginName: string) => `login ${loginName.trim().toLowerCase()}`;
const addressKey = (address: string) => `address ${address}`;

function rules(): { name: ThrottleRule; address: ThrottleRule } {
  const s = env().signIn;
  return {
    name: { maxFailures: s.maxFailures, windowMs: s.windowMs, lockMs: s.lockMs },
    address: { maxFailures: s.maxFailuresPerAddress, windowMs: s.windowMs, lockMs: s.lockMs },
  };
}

/** A login name as it goes into the log and the audit trail: whatever was typed, cut short. */
const shown = (loginName: string) => JSON.stringify(loginName.length > 64 ? `${loginName.slice(0, 64)}…` : loginName);

function pauseSentence(until: number, by: 'name' | 'address', now: number): string {
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: env().consoleTimeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(until);
  const seconds = Math.max(1, Math.ceil((until - now) / 1000));
  const wait = seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return (
    `Too many failed sign-ins ${by === 'name' ? 'for this login name' : 'from your address'}: signing in is paused until ${time} (in ${wait}). ` +
    'Each further failure after that makes the pause longer.'
  );
}

/** The audit trail keeps sign-ins next to changes; a failure to write it must not decide the sign-in. */
async function auditSignIn(
  action: string,
  who: { dn: string; login: string; name: string },
  targetDn: string,
  note: string,
): Promise<void> {
  try {
    await recordAudit({ session: who, action, targetDn, changes: [], note });
  } catch (error) {
    console.error(`[audit] could not record ${action} of ${shown(who.login)}`, error);
  }
}

const FAILURE_WORDS: Partial<Record<LoginFailure, string>> = { 'unknown-user': 'unknown login name', 'wrong-password': 'wrong password' };

/** Which counter pauses sign-in, and until when; null when neither does. */
function pauseOf(values: { name: string[]; address: string[] }, now: number): { by: 'name' | 'address'; until: number } | null {
  const { name: nameRule, address: addressRule } = rules();
  const byName = pausedUntil(values.name, nameRule, now);
  const byAddress = pausedUntil(values.address, addressRule, now);
  if (byName === null && byAddress === null) return null;
  return byName !== null && (byAddress === null || byName >= byAddress)
    ? { by: 'name', until: byName }
    : { by: 'address', until: byAddress as number };
}

/**
 * Signs a person in: refuses while the name or the address is paused, checks the password and the
 * person's rights in the directory, counts failures where every console instance sees them, logs
 * each failure with name and address (server log and audit trail), and starts a server-side session.
 *
 * The attempt is counted before the password is checked and taken back if it succeeds: attempts
 * sent all at once each see the ones recorded before them, so a burst cannot slip past the limit.
 */
export async function signIn(loginName: string, password: string, address: string, now = Date.now()): Promise<SignInResult> {
  const { name: nameRule } = rules();
  const keys = { name: nameKey(loginName), address: addressKey(address) };
  const attempt = failureValue(now, randomBytes(4).toString('hex'));
  let before: { name: string[]; address: string[] };
  try {
    const earlier = { name: await readFailures(keys.name), address: await readFailures(keys.address) };
    const paused = pauseOf(earlier, now);
    if (paused) {
      console.warn(
        `[login] refused sign-in of ${shown(loginName)} from ${address}: paused by failures of this ${paused.by} until ${new Date(paused.until).toISOString()}`,
      );
      return { ok: false, error: pauseSentence(paused.until, paused.by, now) };
    }
    await Promise.all([addFailure(keys.name, attempt), addFailure(keys.address, attempt)]);
    const [name, addr] = await Promise.all([readFailures(keys.name), readFailures(keys.address)]);
    before = { name: name.filter((v) => v < attempt), address: addr.filter((v) => v < attempt) };
    const paused2 = pauseOf(before, now);
    if (paused2) {
      await Promise.all([removeFailures(keys.name, [attempt]), removeFailures(keys.address, [attempt])]);
      console.warn(
        `[login] refused sign-in of ${shown(loginName)} from ${address}: the limit for this ${paused2.by} was reached by attempts at the same moment`,
      );
      return { ok: false, error: pauseSentence(paused2.until, paused2.by, now) };
    }
    // Failures that have left the window go now, so a counter holds only what it counts.
    await Promise.all([
      removeFailures(keys.name, expiredFailures(before.name, nameRule.windowMs, now)),
      removeFailures(keys.address, expiredFailures(before.address, rules().address.windowMs, now)),
    ]);
  } catch (error) {
    if (!isAppError(error)) throw error;
    console.error(`[login] cannot read or count failed sign-ins: ${error.detail ?? error.message}`);
    return { ok: false, error: loginMessages['directory-unavailable'] };
  }

  const result = await login(loginName, password);
  const words = result.ok ? undefined : FAILURE_WORDS[result.reason];
  if (!words) {
    // Not a guess: signed in, the directory is down, or the password was right (no rights, shared name).
    await Promise.all([
      result.ok ? deleteFailures(keys.name) : removeFailures(keys.name, [attempt]),
      removeFailures(keys.address, [attempt]),
    ]).catch(() => undefined);
  }
  if (result.ok) {
    const { person } = result;
    await startSession({ dn: person.dn, login: person.login, name: person.displayName }, address);
    console.info(
      `[login] ${person.login} (${person.dn}) signed in from ${address}: ${describeGrants(result.grants)} by ${result.grantedBy.join(', ')}`,
    );
    await auditSignIn(
      'sign-in',
      { dn: person.dn, login: person.login, name: person.displayName },
      person.dn,
      `Signed in from ${address} (${describeGrants(result.grants)}).`,
    );
    return { ok: true };
  }
  if (!words) {
    if (result.reason !== 'directory-unavailable')
      console.warn(`[login] refused sign-in of ${shown(loginName)} from ${address}: ${result.reason}`);
    return { ok: false, error: loginMessages[result.reason] };
  }

  const counted = { name: [...before.name, attempt], address: [...before.address, attempt] };
  const inWindow = recentFailures(counted.name, nameRule.windowMs, now).length;
  const note = `Sign-in failed from ${address}: ${words} (failure ${inWindow} of ${nameRule.maxFailures} allowed for this name within ${Math.round(nameRule.windowMs / 60_000)} minutes).`;
  console.warn(`[login] failed sign-in of ${shown(loginName)} from ${address}: ${words} (${inWindow} within the window)`);
  const actor = { dn: '', login: loginName.slice(0, 64), name: '' };
  await auditSignIn('sign-in.failed', actor, peopleDn(), note);

  const paused = pauseOf(counted, now);
  if (!paused) return { ok: false, error: loginMessages[result.reason] };
  const what = paused.by === 'name' ? `login name ${shown(loginName)}` : `address ${address}`;
  console.warn(`[login] sign-in paused for ${what} until ${new Date(paused.until).toISOString()}`);
  await auditSignIn(
    'sign-in.paused',
    actor,
    peopleDn(),
    `Sign-in paused for the ${what} until ${new Date(paused.until).toISOString()} after repeated failures.`,
  );
  return { ok: false, error: `${loginMessages[result.reason]} ${pauseSentence(paused.until, paused.by, now)}` };
}

/** Signs the request's session out everywhere and records it. */
export async function signOut(): Promise<void> {
  const ended = await endSession();
  if (!ended) return;
  console.info(`[login] ${ended.login} (${ended.dn}) signed out`);
  await auditSignIn(
    'sign-out',
    { dn: ended.dn, login: ended.login, name: ended.name },
    ended.dn,
    'Signed out; the session was ended on every console instance.',
  );
}

/** Removes counters whose failures have all left the window, so the container does not grow without end. */
export async function sweepSignInFailures(now = Date.now()): Promise<number> {
  const { windowMs } = env().signIn;
  let removed = 0;
  for (const entry of await searchFailureEntries()) {
    if (recentFailures(entry.values, windowMs, now).length > 0) continue;
    await deleteFailures(entry.key);
    removed += 1;
  }
  return removed;
}
