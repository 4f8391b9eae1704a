import { describe, expect, it } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { login, loginMessages } from '@/lib/auth/login';

describe('login against the demo directory', () => {
  it('lets administrators in, by role or by the configured group, with every right', async () => {
    const admin = await login(DEMO.logins.admin.login, DEMO.logins.admin.password);
    expect(admin).toMatchObject({
      ok: true,
      person: { uid: '4000002' },
      grantedBy: ['role Admin Virtualization'],
      grants: { view: { all: true }, restore: { all: true } },
    });
    const operator = await login(DEMO.logins.operator.login, DEMO.logins.operator.password);
    expect(operator).toMatchObject({ ok: true, grantedBy: ['group 4000014'], grants: { configure: { all: true } } });
  });

  it('gives people in a granted group exactly that right, in the pools it names', async () => {
    expect(await login(DEMO.logins.viewer.login, DEMO.logins.viewer.password)).toMatchObject({
      ok: true,
      grants: { view: { all: true }, configure: { all: false, pools: [] }, restore: { all: false, pools: [] } },
    });
    const production = DEMO.pools.find((p) => p.name === 'Production servers')?.uuid;
    expect(await login(DEMO.logins.production.login, DEMO.logins.production.password)).toMatchObject({
      ok: true,
      grants: {
        view: { all: false, pools: [production] },
        configure: { all: false, pools: [production] },
        restore: { all: false, pools: [production] },
      },
    });
  });

  it('refuses; an unknown name and a wrong password read the same', async () => {
    expect(await login(DEMO.logins.user.login, DEMO.logins.user.password)).toEqual({ ok: false, reason: 'not-permitted' });
    expect(await login(DEMO.logins.admin.login, 'wrong')).toEqual({ ok: false, reason: 'wrong-password' });
    expect(await login('nobody-here', 'x')).toEqual({ ok: false, reason: 'unknown-user' });
    // An empty password would be an anonymous bind that LDAP accepts.
    expect(await login(DEMO.logins.admin.login, '')).toEqual({ ok: false, reason: 'wrong-password' });
    expect(await login('*', 'x')).toEqual({ ok: false, reason: 'unknown-user' });
    expect(loginMessages['unknown-user']).toBe(loginMessages['wrong-password']);
  });
});
