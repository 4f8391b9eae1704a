/**
 * Measuring helpers for the benchmarks: timed HTTP requests, ldapsearch replays of the searches
 * the console traced, peak memory of a process tree, and plain-text tables.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from 'ldapts';
import { newSessionRecord, newSessionToken, SESSION_COOKIE } from '../lib/auth/session-token';

/** `bash -c true` with standard input from /dev/null (bash also reads ~/.bashrc when its input is a socket, as node's pipes are). */
export function bashTrue(env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', 'true'], { env, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `once` warm-up times without counting, then `repeats` times; returns the timings in ms. */
export async function timed(warmUps: number, repeats: number, once: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < warmUps; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await once();
    times.push(performance.now() - started);
  }
  return times;
}

/** Like `timed` for two things at once, alternating them; returns both lists of timings. */
export async function timedPair(
  warmUps: number,
  repeats: number,
  a: () => Promise<void>,
  b: () => Promise<void>,
): Promise<[number[], number[]]> {
  for (let i = 0; i < warmUps; i++) {
    await a();
    await b();
  }
  const timesA: number[] = [];
  const timesB: number[] = [];
  for (let i = 0; i < repeats; i++) {
    for (const [run, times] of [
      [a, timesA],
      [b, timesB],
    ] as const) {
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
  }
  return [timesA, timesB];
}

/**
 * A signed-in session the console accepts: an entry in the directory (where the console keeps its
 * sessions) and the matching cookie, made with lib/auth/session-token.ts and the secret the
 * benchmark gave the console. Signing in through the form would measure the login too and needs a
 * browser-like flow; this is what a signed-in browser sends.
 */
export async function createSession(
  ldap: { url: string; bindDn: string; password: string; baseDn: string },
  secret: string,
  person: { dn: string; login: string; name: string },
): Promise<string> {
  const { token, key } = newSessionToken(secret);
  const record = newSessionRecord(person, 8 * 3600, null);
  const client = new Client({ url: ldap.url });
  await client.bind(ldap.bindDn, ldap.password);
  try {
    const services = `ou=services,${ldap.baseDn}`;
    for (const [dn, ou] of [
      [services, 'services'],
      [`ou=backup-console,${services}`, 'backup-console'],
      [`ou=sessions,ou=backup-console,${services}`, 'sessions'],
    ]) {
      await client.add(dn, { objectClass: ['top', 'organizationalUnit'], ou }).catch((error: Error) => {
        if (error.name !== 'AlreadyExistsError') throw error;
      });
    }
    await client.add(`ou=${key},ou=sessions,ou=backup-console,${services}`, {
      objectClass: ['top', 'organizationalUnit'],
      ou: key,
      seeAlso: person.dn,
      description: JSON.stringify(record),
    });
  } finally {
    await client.unbind();
  }
  return `${SESSION_COOKIE}=${token}`;
}

/** One GET, read to the end; anything but 200 (a redirect to /login, an error page) is a failure. */
export async function getPage(url: string, cookie: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(url, { headers: { cookie, ...headers }, redirect: 'manual' });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${body.slice(0, 300)}`);
  if (body.includes('This page cannot be shown right now')) throw new Error(`GET ${url} shows a load error`);
  return body.length;
}

/** A search as lib/ldap/client.ts traces it with LDAP_TRACE=1. */
export interface TracedSearch {
  base: string;
  scope: 'base' | 'one' | 'sub';
  filter: string;
  attributes: string[];
  pageSize: number | null;
  entries: number;
  ms: number;
}

export function parseTrace(line: string): TracedSearch | null {
  const at = line.indexOf('[ldap-trace] ');
  if (at < 0) return null;
  return JSON.parse(line.slice(at + '[ldap-trace] '.length)) as TracedSearch;
}

export interface Bind {
  url: string;
  dn: string;
  password: string;
}

/** The ldapsearch command line for a traced search: same base, scope, filter, attributes and paging. */
export function ldapsearchArgs(bind: Bind, s: TracedSearch): string[] {
  return [
    '-x',
    '-H',
    bind.url,
    '-D',
    bind.dn,
    '-w',
    bind.password,
    '-LLL',
    '-b',
    s.base,
    '-s',
    s.scope,
    ...(s.pageSize ? ['-E', `pr=${s.pageSize}/noprompt`] : []),
    s.filter,
    ...s.attributes,
  ];
}

function runLdapsearch(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // Output goes to /dev/null: ldapsearch still receives, decodes and formats every entry.
    const child = spawn('ldapsearch', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 || code === 32 ? resolve() : reject(new Error(`ldapsearch ${args.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

/** All of a page's searches at once, as separate ldapsearch processes (the console runs them concurrently too). */
export async function replay(bind: Bind, searches: TracedSearch[]): Promise<void> {
  await Promise.all(searches.map((s) => runLdapsearch(ldapsearchArgs(bind, s))));
}

/** The process and all its descendants, from /proc. */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name is in parentheses and may contain spaces; fields after it are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** Peak resident memory (VmHWM) of each process in the tree, in MiB. */
export function peakMemory(root: number): Array<{ pid: number; name: string; mib: number }> {
  return processTree(root).flatMap((pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
      // Name: is cut at 15 characters; Next.js sets a readable process title, found in cmdline.
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      const name = (title || /^Name:\s+(.*)$/m.exec(status)?.[1] || '?').slice(0, 60);
      return hwm ? [{ pid, name, mib: Number(hwm[1]) / 1024 }] : [];
    } catch {
      return [];
    }
  });
}

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [
    line(cells[0]),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

export const ms = (value: number): string => value.toFixed(value < 100 ? 1 : 0);

/**
 * A generated directory of `machines` machines in a private slapd, with the console's settings
 * in process.env pointing at it, for benchmarks that call lib/ in their own process.
 */
export async function largeCloudInProcess(machines: number, extraEnv: Record<string, string> = {}): Promise<{ stop: () => Promise<void> }> {
  const { buildLargeCloud, LARGE, LARGE_DEFAULTS } = await import('../scripts/directory/large-cloud');
  const { startSlapd } = await import('../scripts/directory/slapd');
  const cloud = buildLargeCloud({ ...LARGE_DEFAULTS, machines, now: new Date() });
  const slapd = await startSlapd({ baseDn: cloud.baseDn, rootDn: LARGE.rootDn, rootPassword: LARGE.rootPassword, ldif: [cloud.ldif] });
  Object.assign(process.env, {
    LDAP_URL: slapd.url,
    LDAP_BASE_DN: cloud.baseDn,
    LDAP_BIND_DN: LARGE.rootDn,
    LDAP_BIND_PASSWORD: LARGE.rootPassword,
    SESSION_SECRET: 'x'.repeat(32),
    NODE_TIME_ZONE: 'UTC',
    CONSOLE_TIME_ZONE: 'UTC',
    ...extraEnv,
  });
  return { stop: () => slapd.stop() };
}
