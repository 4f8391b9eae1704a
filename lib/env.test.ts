import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, parseEnv } from './env';

const good = {
  LDAP_URL: 'ldap://127.0.0.1:3389',
  LDAP_BASE_DN: 'dc=stoney-cloud,dc=org',
  LDAP_BIND_DN: 'cn=Manager,dc=stoney-cloud,dc=org',
  LDAP_BIND_PASSWORD: 'secret',
  SESSION_SECRET: 'x'.repeat(32),
};

function problems(source: Record<string, string | undefined>): string[] {
  try {
    parseEnv(source);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
}

describe('configuration', () => {
  it('accepts a complete configuration with defaults', () => {
    const config = parseEnv({ ...good, CONSOLE_TIME_ZONE: 'Europe/Zurich' });
    expect(config.ldap).toMatchObject({ url: good.LDAP_URL, bindPassword: 'secret', timeoutMs: 10_000 });
    expect(config.nodeTimeZone).toBe('Europe/Zurich');
    expect(config.virtualizationRoot).toBe('/var/virtualization');
    expect(config.session.maxAgeSeconds).toBe(8 * 3600);
  });

  it('reports every mistake at once, one line each', () => {
    expect(problems({ LDAP_URL: 'http://x/y', SESSION_SECRET: 'short', CONSOLE_TIME_ZONE: 'Mars/Olympus' })).toEqual([
      'LDAP_URL must look like ldap://host:389 or ldaps://host:636 (no path)',
      'LDAP_BASE_DN is not set',
      'LDAP_BIND_DN is not set',
      'SESSION_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)',
      'CONSOLE_TIME_ZONE is not a known IANA time zone such as Europe/Zurich',
      'LDAP_BIND_PASSWORD is not set (or set LDAP_BIND_PASSWORD_FILE to a file holding it)',
    ]);
    expect(problems({ ...good, LDAP_BIND_PASSWORD_FILE: '/x' })).toEqual(['LDAP_BIND_PASSWORD and LDAP_BIND_PASSWORD_FILE are both set; set only one']);
    expect(problems({ ...good, VIRTUALIZATION_ROOT: '/var/../etc' })).toEqual(['VIRTUALIZATION_ROOT must be an absolute path without ..']);
  });

  it('reads the bind password from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    writeFileSync(join(dir, 'pw'), 'from-file\n');
    expect(parseEnv({ ...good, LDAP_BIND_PASSWORD: undefined, LDAP_BIND_PASSWORD_FILE: join(dir, 'pw') }).ldap.bindPassword).toBe('from-file');
    expect(problems({ ...good, LDAP_BIND_PASSWORD: undefined, LDAP_BIND_PASSWORD_FILE: join(dir, 'missing') })[0]).toMatch(/cannot be read \(ENOENT\)/);
  });
});
