import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, parseEnv, parseNodeAddresses, parseNodeDaemonOverrides } from './env';

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

  it('takes the metrics token inline or from a file, and refuses a short one', () => {
    expect(parseEnv(good).metrics.token).toBeNull();
    const token = 'm'.repeat(40);
    expect(parseEnv({ ...good, METRICS_TOKEN: token }).metrics.token).toBe(token);
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    writeFileSync(join(dir, 'token'), `${token}\n`);
    expect(parseEnv({ ...good, METRICS_TOKEN_FILE: join(dir, 'token') }).metrics.token).toBe(token);
    expect(problems({ ...good, METRICS_TOKEN: 'short' })).toEqual([
      'METRICS_TOKEN must hold at least 32 characters and no white space (use at least 32 random characters without spaces, e.g. `openssl rand -hex 32`)',
    ]);
    expect(problems({ ...good, METRICS_TOKEN: token, METRICS_TOKEN_FILE: join(dir, 'token') })).toEqual(['METRICS_TOKEN and METRICS_TOKEN_FILE are both set; set only one']);
    expect(problems({ ...good, METRICS_TOKEN_FILE: join(dir, 'missing') })).toEqual([`METRICS_TOKEN_FILE ${join(dir, 'missing')} cannot be read (ENOENT)`]);
  });

  it('reads the bind password from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    writeFileSync(join(dir, 'pw'), 'from-file\n');
    expect(parseEnv({ ...good, LDAP_BIND_PASSWORD: undefined, LDAP_BIND_PASSWORD_FILE: join(dir, 'pw') }).ldap.bindPassword).toBe('from-file');
    expect(problems({ ...good, LDAP_BIND_PASSWORD: undefined, LDAP_BIND_PASSWORD_FILE: join(dir, 'missing') })[0]).toMatch(/cannot be read \(ENOENT\)/);
  });
});

describe('rights and sign-in configuration', () => {
  const pool = '356a6a56-652e-401c-961e-d56aa7c2c4a7';

  it('reads the grant rules per capability, the rights cache and the sign-in limits, with defaults', () => {
    const config = parseEnv({ ...good, CONSOLE_RESTORE_GRANTS: `group:restorers; role:VM-Admin@${pool}`, CONSOLE_VIEW_GRANTS: 'group:Backup viewers' });
    expect(config.access.rules).toEqual({
      view: [{ kind: 'group', name: 'Backup viewers', pools: null }],
      configure: [],
      restore: [
        { kind: 'group', name: 'restorers', pools: null },
        { kind: 'role', name: 'VM-Admin', pools: [pool] },
      ],
    });
    expect(config.access.cacheMs).toBe(10_000);
    expect(config.signIn).toEqual({ maxFailures: 10, maxFailuresPerAddress: 30, windowMs: 15 * 60_000, lockMs: 30_000, trustedProxies: 0 });
    expect(parseEnv({ ...good, CONSOLE_AUTH_CACHE_SECONDS: '0', CONSOLE_TRUSTED_PROXIES: '1' })).toMatchObject({ access: { cacheMs: 0 }, signIn: { trustedProxies: 1 } });
  });

  it('names each mistake', () => {
    expect(
      problems({
        ...good,
        CONSOLE_CONFIGURE_GRANTS: 'admins',
        CONSOLE_RESTORE_GRANTS: 'group:a@pool-1',
        CONSOLE_AUTH_CACHE_SECONDS: '600',
        SIGN_IN_MAX_FAILURES: '0',
        SIGN_IN_WINDOW_MINUTES: 'soon',
        CONSOLE_TRUSTED_PROXIES: '1.5',
      }),
    ).toEqual([
      'CONSOLE_AUTH_CACHE_SECONDS must be 0 to 60 seconds',
      'SIGN_IN_MAX_FAILURES must be at least 1',
      'SIGN_IN_WINDOW_MINUTES must be a number of minutes',
      'CONSOLE_TRUSTED_PROXIES must be a whole number',
      'CONSOLE_CONFIGURE_GRANTS item "admins" must be group:<name> or role:<name>, optionally followed by @<pool UUID>,<pool UUID>…',
      'CONSOLE_RESTORE_GRANTS item "group:a@pool-1": "pool-1" is not a pool UUID',
    ]);
  });
});

describe('node access configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'env-nodes-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'console', '-f', join(dir, 'id')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret', '-C', 'locked', '-f', join(dir, 'locked')]);
  writeFileSync(join(dir, 'known_hosts'), '');
  const nodes = { NODE_SSH_PRIVATE_KEY_FILE: join(dir, 'id'), NODE_SSH_KNOWN_HOSTS_FILE: join(dir, 'known_hosts') };

  it('starts without node access and says so through credentials: null', () => {
    expect(parseEnv(good).nodes).toEqual({ credentials: null, port: 22, timeoutMs: 15_000, addresses: {}, daemon: {} });
  });

  it('reads key, pinned host keys, user, port, timeout and address overrides', () => {
    const config = parseEnv({
      ...good,
      ...nodes,
      NODE_SSH_USER: 'backup',
      NODE_SSH_PORT: '2222',
      NODE_SSH_TIMEOUT_MS: '5000',
      NODE_ADDRESSES: 'node-01.example.org=127.0.0.1:2222, Node-02.example.org=10.0.0.5\nnode-03.example.org=[fd00::3]:22',
    });
    expect(config.nodes).toEqual({
      credentials: { user: 'backup', privateKeyFile: join(dir, 'id'), knownHostsFile: join(dir, 'known_hosts') },
      port: 2222,
      timeoutMs: 5000,
      addresses: {
        'node-01.example.org': { host: '127.0.0.1', port: 2222 },
        'node-02.example.org': { host: '10.0.0.5', port: null },
        'node-03.example.org': { host: 'fd00::3', port: 22 },
      },
      daemon: {},
    });
  });

  it('sends node commands through the command runner unless NODE_SSH_COMMAND_RUNNER=off', () => {
    expect(parseEnv(good).nodeCommandRunner).toBe(true);
    expect(parseEnv({ ...good, NODE_SSH_COMMAND_RUNNER: 'off' }).nodeCommandRunner).toBe(false);
    expect(problems({ ...good, NODE_SSH_COMMAND_RUNNER: 'no' })).toEqual(['NODE_SSH_COMMAND_RUNNER must be on or off']);
  });

  it('requires pinned host keys once a key is set, and a usable key', () => {
    expect(problems({ ...good, NODE_SSH_PRIVATE_KEY_FILE: join(dir, 'id') })).toEqual([
      'NODE_SSH_KNOWN_HOSTS_FILE is not set: the console only connects to nodes whose host keys are pinned (see README, "Nodes")',
    ]);
    expect(problems({ ...good, NODE_SSH_KNOWN_HOSTS_FILE: join(dir, 'known_hosts') })).toEqual([
      'NODE_SSH_KNOWN_HOSTS_FILE is set but NODE_SSH_PRIVATE_KEY_FILE is not; set both to reach the nodes, or neither',
    ]);
    expect(problems({ ...good, ...nodes, NODE_SSH_PRIVATE_KEY_FILE: join(dir, 'missing') })).toEqual([`NODE_SSH_PRIVATE_KEY_FILE ${join(dir, 'missing')} cannot be read (ENOENT)`]);
    expect(problems({ ...good, ...nodes, NODE_SSH_PRIVATE_KEY_FILE: join(dir, 'id.pub') })[0]).toMatch(/is not an unencrypted SSH private key/);
    expect(problems({ ...good, ...nodes, NODE_SSH_PRIVATE_KEY_FILE: join(dir, 'locked') })[0]).toMatch(/not an unencrypted SSH private key \(.*passphrase/);
    expect(problems({ ...good, ...nodes, NODE_SSH_KNOWN_HOSTS_FILE: join(dir, 'nope') })).toEqual([`NODE_SSH_KNOWN_HOSTS_FILE ${join(dir, 'nope')} cannot be read (ENOENT)`]);
  });

  it('reports each bad setting on its own line', () => {
    expect(problems({ ...good, ...nodes, NODE_SSH_USER: 'root; id', NODE_SSH_PORT: '70000', NODE_SSH_TIMEOUT_MS: 'soon', NODE_ADDRESSES: 'node-01=1.2.3.4:99999,node-02.example.org' })).toEqual([
      'NODE_SSH_USER must be a user name such as root',
      'NODE_SSH_PORT must be a TCP port number',
      'NODE_SSH_TIMEOUT_MS must be a number of milliseconds',
      'NODE_ADDRESSES item "node-01=1.2.3.4:99999" must look like node-01.example.org=10.0.0.5 or node-01.example.org=127.0.0.1:2222',
      'NODE_ADDRESSES item "node-02.example.org" must look like node-01.example.org=10.0.0.5 or node-01.example.org=127.0.0.1:2222',
    ]);
    expect(parseNodeAddresses('a.example.org=1.1.1.1,A.example.org=2.2.2.2').problems).toEqual(['NODE_ADDRESSES names a.example.org twice']);
    expect(parseNodeAddresses('a.example.org=$(id)').problems).toHaveLength(1);
  });
});

describe('who executes restores on a node (NODE_DAEMON, RESTORE_DAEMON_TIMEOUT_SECONDS)', () => {
  it('reads per-node overrides and a default for every other node', () => {
    const config = parseEnv({ ...good, NODE_DAEMON: 'Node-01.example.org=running, *=absent', RESTORE_DAEMON_TIMEOUT_SECONDS: '90', RESTORE_BROKER_WAIT_SECONDS: '0' });
    expect(config.nodes.daemon).toEqual({ 'node-01.example.org': 'running', '*': 'absent' });
    expect(config.restore).toMatchObject({ daemonTimeoutMs: 90_000, brokerWaitMs: 0 });
    expect(parseEnv(good).restore).toMatchObject({ daemonTimeoutMs: 300_000, brokerWaitMs: 60_000 });
  });

  it('says which item is wrong and why', () => {
    expect(problems({ ...good, NODE_DAEMON: 'node-01.example.org=yes,node-02.example.org', RESTORE_DAEMON_TIMEOUT_SECONDS: '1' })).toEqual([
      'RESTORE_DAEMON_TIMEOUT_SECONDS must be at least 2 seconds',
      'NODE_DAEMON item "node-01.example.org=yes" must look like node-01.example.org=running, node-01.example.org=absent or *=absent',
      'NODE_DAEMON item "node-02.example.org" must look like node-01.example.org=running, node-01.example.org=absent or *=absent',
    ]);
    expect(parseNodeDaemonOverrides('a.example.org=running A.example.org=absent').problems).toEqual(['NODE_DAEMON names a.example.org twice']);
    expect(parseNodeDaemonOverrides('$(id)=running').problems).toHaveLength(1);
  });
});
