import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { browser } from '../support/next-headers';
import { withDirectory } from './env-setup';
import { rawAdd, rawEntry } from './raw-directory';
import { listAudit } from '@/lib/audit';
import { loginMessages } from '@/lib/auth/login';
import { signIn, sweepSignInFailures } from '@/lib/auth/sign-in';

vi.mock('next/headers', () => import('../support/next-headers'));

withDirectory('demoDirectory', { CONSOLE_ADMIN_GROUP: DEMO.adminGroupUid, ...DEMO.grants, SIGN_IN_MAX_FAILURES_PER_ADDRESS: '20' });

const WRONG = loginMessages['wrong-password'];
const base = () => inject('demoDirectory').baseDn;
const counterDn = (key: string) => `ou=${key},ou=sign-in-failures,ou=backup-console,ou=services,${base()}`;
const warnings = vi.spyOn(console, 'warn');

afterAll(() => {
  warnings.mockRestore();
});

async function signInRecords(login: string) {
  const { records } = await listAudit({ limit: 500 });
  return records.filter((r) => r.actor.login === login && r.action.startsWith('sign-in'));
}

describe('signing in', () => {
  it('says the same for an unknown name and a wrong password', async () => {
    const unknown = await signIn('nobody-at-all', 'whatever', '192.0.2.31');
    const wrong = await signIn(DEMO.logins.operator.login, 'not-the-password', '192.0.2.31');
    expect(unknown).toEqual({ ok: false, error: WRONG });
    expect(wrong).toEqual({ ok: false, error: WRONG });
    expect(WRONG).toBe('The login name or the password is not correct.');
  });

  it('pauses a login name after ten failures: the eleventh attempt in a minute is refused unchecked, and every failure is logged', async () => {
    const { login, password } = DEMO.logins.restorer;
    const address = '198.51.100.7';
    const answers: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const result = await signIn(login, `guess-${i}`, address);
      answers.push(result.ok ? 'signed in' : result.error);
    }
    expect(answers.slice(0, 9)).toEqual(Array(9).fill(WRONG));
    expect(answers[9]).toMatch(
      /^The login name or the password is not correct\. Too many failed sign-ins for this login name: signing in is paused until \d\d:\d\d:\d\d \(in 30 seconds\)\./,
    );
    // The eleventh, even with the right password, is not even checked.
    const eleventh = await signIn(login, password, '198.51.100.8');
    expect(eleventh).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Too many failed sign-ins for this login name: signing in is paused until .* \(in (29|30) seconds\)/),
    });
    expect(browser.cookie()).toBeUndefined();

    const records = await signInRecords(login);
    expect(records.filter((r) => r.action === 'sign-in.failed')).toHaveLength(10);
    expect(records.find((r) => r.action === 'sign-in.failed')?.note).toMatch(
      /^Sign-in failed from 198\.51\.100\.7: wrong password \(failure 10 of 10 allowed/,
    );
    expect(records.filter((r) => r.action === 'sign-in.paused')).toHaveLength(1);
    expect(warnings.mock.calls.map((c) => String(c[0]))).toContain(
      `[login] failed sign-in of "${login}" from ${address}: wrong password (10 within the window)`,
    );
    expect(
      warnings.mock.calls
        .map((c) => String(c[0]))
        .some((l) => l.startsWith(`[login] refused sign-in of "${login}" from 198.51.100.8: paused`)),
    ).toBe(true);
  });

  it('pauses an address after its failures, whatever names it tries', async () => {
    const address = '203.0.113.44';
    for (let i = 0; i < 20; i += 1) expect(await signIn(`spray-${i}`, 'Summer2026!', address)).toMatchObject({ ok: false });
    const next = await signIn(DEMO.logins.viewer.login, DEMO.logins.viewer.password, address);
    expect(next).toMatchObject({ ok: false, error: expect.stringMatching(/^Too many failed sign-ins from your address/) });
    // The same person from another address is not affected.
    expect(await signIn(DEMO.logins.viewer.login, DEMO.logins.viewer.password, '203.0.113.45')).toEqual({ ok: true });
  });

  it('lets a burst of attempts sent at once past the limit by no more than the attempts in flight', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn('burst-target', `guess-${i}`, `192.0.2.${100 + i}`)));
    const checked = results.filter((r) => !r.ok && r.error.startsWith(WRONG)).length;
    expect(checked).toBeGreaterThanOrEqual(10);
    expect(checked).toBeLessThanOrEqual(14);
    expect(results.filter((r) => !r.ok && r.error.startsWith('Too many failed sign-ins')).length).toBe(40 - checked);
  });

  it('forgets a name’s failures once the person gets in, and old counters are swept', async () => {
    const { login, password } = DEMO.logins.configurer;
    expect(await signIn(login, 'wrong', '192.0.2.60')).toEqual({ ok: false, error: WRONG });
    expect((await rawEntry(counterDn(`login ${login}`)))?.description).toHaveLength(1);
    expect(await signIn(login, password, '192.0.2.60')).toEqual({ ok: true });
    expect(await rawEntry(counterDn(`login ${login}`))).toBeNull();
    // The address keeps its count: a person with one valid password cannot wipe it for others.
    expect((await rawEntry(counterDn('address 192.0.2.60')))?.description).toHaveLength(1);

    await rawAdd(counterDn('login long-ago'), {
      objectClass: ['top', 'organizationalUnit'],
      ou: ['login long-ago'],
      description: ['1600000000000-aa', '1600000000001-bb'],
    });
    expect(await sweepSignInFailures()).toBeGreaterThanOrEqual(1);
    expect(await rawEntry(counterDn('login long-ago'))).toBeNull();
  });

  it('records sign-ins in the audit trail, and one refused for lack of rights is not counted as a guess', async () => {
    expect(await signIn(DEMO.logins.user.login, DEMO.logins.user.password, '192.0.2.61')).toEqual({
      ok: false,
      error: loginMessages['not-permitted'],
    });
    expect((await rawEntry(counterDn('login user')))?.description ?? []).toEqual([]);
    expect(await signIn(DEMO.logins.operator.login, DEMO.logins.operator.password, '192.0.2.61')).toEqual({ ok: true });
    const [latest] = await signInRecords(DEMO.logins.operator.login);
    expect(latest).toMatchObject({
      action: 'sign-in',
      actor: { dn: DEMO.logins.operator.dn },
      note: 'Signed in from 192.0.2.61 (view, configure, restore).',
    });
  });
});
