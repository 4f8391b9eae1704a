import 'server-only';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

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

const schema = z
  .object({
    LDAP_URL: ldapUrl,
    LDAP_BASE_DN: dn,
    LDAP_BIND_DN: dn,
    LDAP_BIND_PASSWORD: z.string().optional(),
    LDAP_BIND_PASSWORD_FILE: z.string().optional(),
    LDAP_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().min(500).max(120_000).default(10_000),
    CONSOLE_ADMIN_GROUP: z.string().trim().optional(),
    SESSION_SECRET: z
      .string({ error: 'is not set (use at least 32 random characters, e.g. `openssl rand -hex 32`)' })
      .min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
    SESSION_MAX_AGE_HOURS: z.coerce.number({ error: 'must be a number of hours' }).positive().max(24 * 7).default(8),
    CONSOLE_TIME_ZONE: timeZone.optional(),
    NODE_TIME_ZONE: timeZone.optional(),
    VIRTUALIZATION_ROOT: z
      .string()
      .trim()
      .refine((v) => v.startsWith('/') && !v.split('/').includes('..'), 'must be an absolute path without ..')
      .default('/var/virtualization'),
    RESTORE_SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int().min(1).max(3600).default(120),
    RESTORE_LEASE_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int().min(2).max(600).default(30),
  });

export interface ConsoleEnv {
  ldap: { url: string; baseDn: string; bindDn: string; bindPassword: string; timeoutMs: number };
  adminGroup: string | null;
  session: { secret: string; maxAgeSeconds: number };
  consoleTimeZone: string;
  nodeTimeZone: string;
  virtualizationRoot: string;
  restore: { shutdownTimeoutMs: number; leaseMs: number };
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

export function parseEnv(source: Record<string, string | undefined>): ConsoleEnv {
  const parsed = schema.safeParse(source);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0] ?? 'configuration')} ${i.message}`);
  const password = passwordProblem(source);
  if (password) problems.push(password);
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
    ldap: { url: v.LDAP_URL, baseDn: v.LDAP_BASE_DN, bindDn: v.LDAP_BIND_DN, bindPassword, timeoutMs: v.LDAP_TIMEOUT_MS },
    adminGroup: v.CONSOLE_ADMIN_GROUP ? v.CONSOLE_ADMIN_GROUP : null,
    session: { secret: v.SESSION_SECRET, maxAgeSeconds: Math.round(v.SESSION_MAX_AGE_HOURS * 3600) },
    consoleTimeZone,
    nodeTimeZone: v.NODE_TIME_ZONE ?? consoleTimeZone,
    virtualizationRoot: v.VIRTUALIZATION_ROOT.replace(/\/+$/, '') || '/',
    restore: { shutdownTimeoutMs: v.RESTORE_SHUTDOWN_TIMEOUT_SECONDS * 1000, leaseMs: v.RESTORE_LEASE_SECONDS * 1000 },
  };
}

let cached: ConsoleEnv | undefined;

export function env(): ConsoleEnv {
  cached ??= parseEnv(process.env);
  return cached;
}
