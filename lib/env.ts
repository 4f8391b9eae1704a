import 'server-only';
import { readFileSync } from 'node:fs';
import { utils as sshUtils } from 'ssh2';
import { z } from 'zod';
import { CAPABILITIES, parseGrantRules, type GrantRules } from './auth/capabilities';

/**
 * The only reader of process.env. Parsed once; every problem is reported in one message so an
 * administrator fixing a deployment sees all mistakes at once instead of one per restart.
 */

const ldapUrl = z
  .string({ error: 'is not set' })
  .trim()
  .min(1, 'is not set')
  .refine((v) => /^ldaps?:\/\/[^/\s]+\/?$/i.test(v), 'must look like ldap://host:389 or ldaps://host:636 (no path)');

const dn = z
  .string({ error: 'is not set' })
  .trim()
  .min(1, 'is not set')
  .refine((v) => /^[A-Za-z][\w-]*=.+/.test(v), 'must be a distinguished name such as dc=stoney-cloud,dc=org');

const timeZone = z
  .string()
  .trim()
  .refine((v) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: v });
      return true;
    } catch {
      return false;
    }
  }, 'is not a known IANA time zone such as Europe/Zurich');

const schema = z.object({
  LDAP_URL: ldapUrl,
  LDAP_BASE_DN: dn,
  LDAP_BIND_DN: dn,
  LDAP_BIND_PASSWORD: z.string().optional(),
  LDAP_BIND_PASSWORD_FILE: z.string().optional(),
  LDAP_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(500).max(120_000).default(10_000),
  LDAP_TRACE: z.enum(['0', '1'], { error: 'must be 0 or 1' }).default('0'),
  CONSOLE_CACHE_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).min(0).max(300).default(5),
  CONSOLE_ADMIN_GROUP: z.string().trim().optional(),
  CONSOLE_VIEW_GRANTS: z.string().optional(),
  CONSOLE_CONFIGURE_GRANTS: z.string().optional(),
  CONSOLE_RESTORE_GRANTS: z.string().optional(),
  CONSOLE_AUTH_CACHE_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .min(0, 'must be 0 to 60 seconds')
    .max(60, 'must be 0 to 60 seconds')
    .default(10),
  SIGN_IN_MAX_FAILURES: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(10),
  SIGN_IN_MAX_FAILURES_PER_ADDRESS: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100_000, 'must be at most 100000')
    .default(30),
  SIGN_IN_WINDOW_MINUTES: z.coerce
    .number({ error: 'must be a number of minutes' })
    .int('must be a whole number of minutes')
    .min(1, 'must be 1 to 1440 minutes')
    .max(1440, 'must be 1 to 1440 minutes')
    .default(15),
  SIGN_IN_LOCK_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be 1 to 3600 seconds')
    .max(3600, 'must be 1 to 3600 seconds')
    .default(30),
  CONSOLE_TRUSTED_PROXIES: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must be 0 to 10')
    .max(10, 'must be 0 to 10')
    .default(0),
  SESSION_SECRET: z
    .string({ error: 'is not set (use at least 32 random characters, e.g. `openssl rand -hex 32`)' })
    .min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
  SESSION_MAX_AGE_HOURS: z.coerce
    .number({ error: 'must be a number of hours' })
    .positive()
    .max(24 * 7)
    .default(8),
  CONSOLE_TIME_ZONE: timeZone.optional(),
  NODE_TIME_ZONE: timeZone.optional(),
  VIRTUALIZATION_ROOT: z
    .string()
    .trim()
    .refine((v) => v.startsWith('/') && !v.split('/').includes('..'), 'must be an absolute path without ..')
    .default('/var/virtualization'),
  NODE_SSH_USER: z
    .string()
    .trim()
    .regex(/^[a-z_][a-z0-9_.-]*$/i, 'must be a user name such as root')
    .default('root'),
  NODE_SSH_PRIVATE_KEY_FILE: z.string().trim().optional(),
  NODE_SSH_KNOWN_HOSTS_FILE: z.string().trim().optional(),
  NODE_SSH_PORT: z.coerce
    .number({ error: 'must be a TCP port number' })
    .int('must be a TCP port number')
    .min(1, 'must be a TCP port number')
    .max(65_535, 'must be a TCP port number')
    .default(22),
  NODE_ADDRESSES: z.string().optional(),
  NODE_DAEMON: z.string().optional(),
  NODE_SSH_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(500).max(600_000).default(15_000),
  NODE_SSH_COMMAND_RUNNER: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
  RESTORE_SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int().min(1).max(3600).default(120),
  RESTORE_LEASE_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int().min(2).max(600).default(30),
  METRICS_TOKEN: z.string().optional(),
  METRICS_TOKEN_FILE: z.string().trim().optional(),
  RESTORE_BROKER_WAIT_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(0, 'must be 0 or more seconds')
    .max(3600, 'must be at most 3600 seconds')
    .default(60),
  RESTORE_KEEP_HOURS: z.coerce
    .number({ error: 'must be a number of hours' })
    .min(0, 'must be 0 or more hours')
    .max(8760, 'must be at most 8760 hours (a year)')
    .default(72),
  RESTORE_DAEMON_TIMEOUT_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(2, 'must be at least 2 seconds')
    .max(86_400, 'must be at most 86400 seconds (a day)')
    .default(300),
  INSTALLATION_KIND: z
    .enum(['foss-cloud', 'stoney-cloud', 'detect'], { error: 'must be foss-cloud, stoney-cloud or detect' })
    .default('detect'),
});

/** Where the console reaches a node: host name or IP, and a port when it is not NODE_SSH_PORT. */
export interface NodeAddress {
  host: string;
  port: number | null;
}

export interface NodeSshEnv {
  /** null: NODE_SSH_PRIVATE_KEY_FILE is not set, the console runs without node access. */
  credentials: { user: string; privateKeyFile: string; knownHostsFile: string } | null;
  port: number;
  timeoutMs: number;
  /** NODE_ADDRESSES, keyed by lower-case node name (sstNode). */
  addresses: Record<string, NodeAddress>;
  /** NODE_DAEMON: whether the node daemon runs, set by the administrator instead of found out; keyed by lower-case node name or `*`. */
  daemon: Record<string, NodeDaemonOverride>;
}

/** `running`: the node daemon executes restore commands there; `absent`: it does not, the console does. */
export type NodeDaemonOverride = 'running' | 'absent';

export interface ConsoleEnv {
  /** trace: print every search with its size and duration (for benchmarks and diagnosis). */
  ldap: { url: string; baseDn: string; bindDn: string; bindPassword: string; timeoutMs: number; trace: boolean };
  /** How long a fleet read is reused; 0 turns the cache off. */
  cacheSeconds: number;
  adminGroup: string | null;
  /** Who may do what besides administrators (CONSOLE_*_GRANTS), and how long a person's rights are reused. */
  access: { rules: GrantRules; cacheMs: number };
  session: { secret: string; maxAgeSeconds: number };
  /** Sign-in throttling; trustedProxies: how many reverse proxies in front append to X-Forwarded-For. */
  signIn: { maxFailures: number; maxFailuresPerAddress: number; windowMs: number; lockMs: number; trustedProxies: number };
  consoleTimeZone: string;
  nodeTimeZone: string;
  virtualizationRoot: string;
  nodes: NodeSshEnv;
  /** false: every node command on an SSH channel of its own, as before the command runner (lib/ssh/runner.ts). */
  nodeCommandRunner: boolean;
  /**
   * daemonTimeoutMs: how long the node daemon may stay silent (no answer, no progress) before a
   * daemon-driven step counts as failed; brokerWaitMs: how long a daemon-driven restore leaves the
   * broker to stop the machine and ask for the restore itself (daemons.md fact 2) before the
   * console does (0: no broker runs).
   */
  /**
   * keepHours: how long what a restore replaced (live images, domain XML, directory entries) is
   * kept for an undo; 0: the replaced images are removed as soon as the restore has finished.
   */
  restore: { shutdownTimeoutMs: number; leaseMs: number; daemonTimeoutMs: number; brokerWaitMs: number; keepHours: number };
  /** The kind of installation (lib/backup/installation.ts), or 'detect'. */
  installationKind: 'foss-cloud' | 'stoney-cloud' | 'detect';
  /** The bearer token GET /api/metrics requires; null: the endpoint is switched off. */
  metrics: { token: string | null };
}

export class ConfigurationError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`The console configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
    this.problems = problems;
  }
}

function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function passwordProblem(source: Record<string, string | undefined>): string | null {
  const inline = Boolean(source.LDAP_BIND_PASSWORD);
  const file = Boolean(source.LDAP_BIND_PASSWORD_FILE);
  if (inline && file) return 'LDAP_BIND_PASSWORD and LDAP_BIND_PASSWORD_FILE are both set; set only one';
  if (!inline && !file) return 'LDAP_BIND_PASSWORD is not set (or set LDAP_BIND_PASSWORD_FILE to a file holding it)';
  return null;
}

const hostName = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const ipv6 = /^[0-9a-f:.]+$/i;

/**
 * NODE_ADDRESSES: `node-01.example.org=10.0.0.5,node-02.example.org=127.0.0.1:2222` (commas or
 * white space between items; IPv6 as `[::1]:2222`). Returns the map or one problem per bad item.
 */
export function parseNodeAddresses(text: string | undefined): { addresses: Record<string, NodeAddress>; problems: string[] } {
  const addresses: Record<string, NodeAddress> = {};
  const problems: string[] = [];
  const shape = 'must look like node-01.example.org=10.0.0.5 or node-01.example.org=127.0.0.1:2222';
  for (const item of (text ?? '').split(/[\s,]+/).filter((i) => i !== '')) {
    const match = /^([^=]+)=(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(item);
    const name = match?.[1].trim().toLowerCase() ?? '';
    const host = match?.[2] ?? match?.[3] ?? '';
    const port = match?.[4] === undefined ? null : Number(match[4]);
    if (
      !match ||
      !hostName.test(name) ||
      !(match[2] ? ipv6.test(host) : hostName.test(host)) ||
      (port !== null && (port < 1 || port > 65_535))
    ) {
      problems.push(`NODE_ADDRESSES item ${JSON.stringify(item)} ${shape}`);
    } else if (addresses[name]) {
      problems.push(`NODE_ADDRESSES names ${name} twice`);
    } else {
      addresses[name] = { host, port };
    }
  }
  return { addresses, problems };
}

/**
 * NODE_DAEMON: `node-01.example.org=running,node-02.example.org=absent` or `*=absent` for every
 * node not named (commas or white space between items). Returns the map or one problem per bad item.
 */
export function parseNodeDaemonOverrides(text: string | undefined): { overrides: Record<string, NodeDaemonOverride>; problems: string[] } {
  const overrides: Record<string, NodeDaemonOverride> = {};
  const problems: string[] = [];
  for (const item of (text ?? '').split(/[\s,]+/).filter((i) => i !== '')) {
    const match = /^([^=]+)=(.*)$/.exec(item);
    const name = match?.[1].trim().toLowerCase() ?? '';
    const value = match?.[2].trim().toLowerCase() ?? '';
    if (!match || !(name === '*' || hostName.test(name)) || (value !== 'running' && value !== 'absent')) {
      problems.push(
        `NODE_DAEMON item ${JSON.stringify(item)} must look like node-01.example.org=running, node-01.example.org=absent or *=absent`,
      );
    } else if (overrides[name]) {
      problems.push(`NODE_DAEMON names ${name} twice`);
    } else {
      overrides[name] = value;
    }
  }
  return { overrides, problems };
}

function readableFile(variable: string, path: string): { text: string } | { problem: string } {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    return { problem: `${variable} ${path} cannot be read (${reason})` };
  }
}

/**
 * Node access is optional: without a key the console starts and says nodes are not
 * configured. With a key, pinned host keys are mandatory, because a console that accepted any
 * host key would hand root commands to whoever answers on the node's address.
 */
function nodeProblems(source: Record<string, string | undefined>): string[] {
  const keyFile = source.NODE_SSH_PRIVATE_KEY_FILE?.trim();
  const knownHostsFile = source.NODE_SSH_KNOWN_HOSTS_FILE?.trim();
  const problems: string[] = [];
  if (!keyFile) {
    if (knownHostsFile)
      problems.push('NODE_SSH_KNOWN_HOSTS_FILE is set but NODE_SSH_PRIVATE_KEY_FILE is not; set both to reach the nodes, or neither');
    return problems;
  }
  const key = readableFile('NODE_SSH_PRIVATE_KEY_FILE', keyFile);
  if ('problem' in key) problems.push(key.problem);
  else {
    const parsed = sshUtils.parseKey(key.text);
    if (parsed instanceof Error || !parsed.isPrivateKey()) {
      const why = parsed instanceof Error ? parsed.message : 'it holds a public key';
      problems.push(`NODE_SSH_PRIVATE_KEY_FILE ${keyFile} is not an unencrypted SSH private key (${why})`);
    }
  }
  if (!knownHostsFile) {
    problems.push(
      'NODE_SSH_KNOWN_HOSTS_FILE is not set: the console only connects to nodes whose host keys are pinned (see README, "Nodes")',
    );
  } else {
    const known = readableFile('NODE_SSH_KNOWN_HOSTS_FILE', knownHostsFile);
    if ('problem' in known) problems.push(known.problem);
  }
  return problems;
}

const TOKEN_HINT = 'use at least 32 random characters without spaces, e.g. `openssl rand -hex 32`';

/**
 * The metrics endpoint's bearer token, inline or in a file (first line). It guards data about
 * every machine without a session, so it must be long and random like SESSION_SECRET.
 */
function metricsToken(source: Record<string, string | undefined>): { token: string | null; problems: string[] } {
  const inline = source.METRICS_TOKEN;
  const file = source.METRICS_TOKEN_FILE?.trim();
  if (inline && file) return { token: null, problems: ['METRICS_TOKEN and METRICS_TOKEN_FILE are both set; set only one'] };
  let token: string | null = inline ?? null;
  let variable = 'METRICS_TOKEN';
  if (file) {
    variable = 'METRICS_TOKEN_FILE';
    const read = readableFile('METRICS_TOKEN_FILE', file);
    if ('problem' in read) return { token: null, problems: [read.problem] };
    token = read.text.split(/\r?\n/)[0] ?? '';
  }
  if (token === null) return { token: null, problems: [] };
  if (token.length < 32 || /\s/.test(token))
    return { token: null, problems: [`${variable} must hold at least 32 characters and no white space (${TOKEN_HINT})`] };
  return { token, problems: [] };
}

export function parseEnv(source: Record<string, string | undefined>): ConsoleEnv {
  const parsed = schema.safeParse(source);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0] ?? 'configuration')} ${i.message}`);
  const password = passwordProblem(source);
  if (password) problems.push(password);
  problems.push(...nodeProblems(source));
  const nodeAddresses = parseNodeAddresses(source.NODE_ADDRESSES);
  problems.push(...nodeAddresses.problems);
  const metrics = metricsToken(source);
  problems.push(...metrics.problems);
  const nodeDaemon = parseNodeDaemonOverrides(source.NODE_DAEMON);
  problems.push(...nodeDaemon.problems);
  const rules = {} as GrantRules;
  for (const capability of CAPABILITIES) {
    const variable = `CONSOLE_${capability.toUpperCase()}_GRANTS`;
    const parsedRules = parseGrantRules(variable, source[variable]);
    rules[capability] = parsedRules.rules;
    problems.push(...parsedRules.problems);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigurationError(problems);
  const v = parsed.data;
  let bindPassword = v.LDAP_BIND_PASSWORD ?? '';
  if (v.LDAP_BIND_PASSWORD_FILE) {
    try {
      bindPassword = readFileSync(v.LDAP_BIND_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
      throw new ConfigurationError([`LDAP_BIND_PASSWORD_FILE ${v.LDAP_BIND_PASSWORD_FILE} cannot be read (${reason})`]);
    }
    if (bindPassword === '') throw new ConfigurationError([`LDAP_BIND_PASSWORD_FILE ${v.LDAP_BIND_PASSWORD_FILE} is empty`]);
  }
  const consoleTimeZone = v.CONSOLE_TIME_ZONE ?? systemTimeZone();
  return {
    ldap: {
      url: v.LDAP_URL,
      baseDn: v.LDAP_BASE_DN,
      bindDn: v.LDAP_BIND_DN,
      bindPassword,
      timeoutMs: v.LDAP_TIMEOUT_MS,
      trace: v.LDAP_TRACE === '1',
    },
    cacheSeconds: v.CONSOLE_CACHE_SECONDS,
    adminGroup: v.CONSOLE_ADMIN_GROUP ? v.CONSOLE_ADMIN_GROUP : null,
    access: { rules, cacheMs: Math.round(v.CONSOLE_AUTH_CACHE_SECONDS * 1000) },
    session: { secret: v.SESSION_SECRET, maxAgeSeconds: Math.round(v.SESSION_MAX_AGE_HOURS * 3600) },
    signIn: {
      maxFailures: v.SIGN_IN_MAX_FAILURES,
      maxFailuresPerAddress: v.SIGN_IN_MAX_FAILURES_PER_ADDRESS,
      windowMs: v.SIGN_IN_WINDOW_MINUTES * 60_000,
      lockMs: v.SIGN_IN_LOCK_SECONDS * 1000,
      trustedProxies: v.CONSOLE_TRUSTED_PROXIES,
    },
    consoleTimeZone,
    nodeTimeZone: v.NODE_TIME_ZONE ?? consoleTimeZone,
    virtualizationRoot: v.VIRTUALIZATION_ROOT.replace(/\/+$/, '') || '/',
    nodes: {
      credentials: v.NODE_SSH_PRIVATE_KEY_FILE
        ? { user: v.NODE_SSH_USER, privateKeyFile: v.NODE_SSH_PRIVATE_KEY_FILE, knownHostsFile: v.NODE_SSH_KNOWN_HOSTS_FILE ?? '' }
        : null,
      port: v.NODE_SSH_PORT,
      timeoutMs: v.NODE_SSH_TIMEOUT_MS,
      addresses: nodeAddresses.addresses,
      daemon: nodeDaemon.overrides,
    },
    restore: {
      shutdownTimeoutMs: v.RESTORE_SHUTDOWN_TIMEOUT_SECONDS * 1000,
      leaseMs: v.RESTORE_LEASE_SECONDS * 1000,
      daemonTimeoutMs: v.RESTORE_DAEMON_TIMEOUT_SECONDS * 1000,
      brokerWaitMs: v.RESTORE_BROKER_WAIT_SECONDS * 1000,
      keepHours: v.RESTORE_KEEP_HOURS,
    },
    nodeCommandRunner: v.NODE_SSH_COMMAND_RUNNER === 'on',
    installationKind: v.INSTALLATION_KIND,
    metrics: { token: metrics.token },
  };
}

let cached: ConsoleEnv | undefined;

export function env(): ConsoleEnv {
  cached ??= parseEnv(process.env);
  return cached;
}
