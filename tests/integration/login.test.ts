import { describe, expect, it } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { login } from '@/lib/auth/login';

describe('login against the demo directory', () => {
  it('lets administrators in, by role or by the configured group', async () => {
    const admin = await login(DEMO.logins.admin.login, DEMO.logins.admin.password);
    expect(admin).toMatchObject({ ok: true, person: { uid: '4000002' } });
    const operator = await login(DEMO.logins.operator.login, DEMO.logins.operator.password);
    expect(operator).toMatchObject({ ok: true, adminBy: 'group 4000014' });
  });

  it('gives each refusal its own reason', async () => {
    expect(await login(DEMO.logins.user.login, DEMO.logins.user.password)).toEqual({ ok: false, reason: 'not-admin' });
    expect(await login(DEMO.logins.admin.login, 'wrong')).toEqual({ ok: false, reason: 'wrong-password' });
    expect(await login('nobody-here', 'x')).toEqual({ ok: false, reason: 'unknown-user' });
    // An empty password would be an anonymous bind that LDAP accepts.
    expect(await login(DEMO.logins.admin.login, '')).toEqual({ ok: false, reason: 'wrong-password' });
    expect(await login('*', 'x')).toEqual({ ok: false, reason: 'unknown-user' });
  });
});
