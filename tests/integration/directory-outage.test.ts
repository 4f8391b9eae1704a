import { describe, expect, it } from 'vitest';
import { withDirectory } from './env-setup';
import { login, loginMessages } from '@/lib/auth/login';
import { signIn } from '@/lib/auth/sign-in';
import { readFleet } from '@/lib/inventory/fleet';
import { freePort } from '../../scripts/free-port';

describe('when the directory is down', () => {
  it('says so instead of failing with a stack trace', async () => {
    withDirectory('demoDirectory', { LDAP_URL: `ldap://127.0.0.1:${await freePort()}`, LDAP_TIMEOUT_MS: '2000' });
    expect(await login('admin', 'admin-demo')).toEqual({ ok: false, reason: 'directory-unavailable' });
    expect(await signIn('admin', 'admin-demo', '192.0.2.1')).toEqual({ ok: false, error: loginMessages['directory-unavailable'] });
    await expect(readFleet()).rejects.toMatchObject({ code: 'directory-unavailable', message: expect.stringMatching(/cannot be reached/) });
  });
});
