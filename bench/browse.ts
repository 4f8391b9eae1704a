/**
 * Browse benchmark: a large generated directory in a private slapd, the production build of the
 * console on its own port, and for each page the server response time (median of repeated
 * requests after warm-up) next to raw `ldapsearch` fetching the same data — the very searches
 * the console made for that page, replayed from its LDAP trace (same bases, scopes, filters,
 * attributes and paging).
 *
 * The console is measured twice: with its fleet cache off (every request reads the directory,
 * which is what the ldapsearch column is compared with; console requests and ldapsearch replays
 * take turns) and with the default cache.
 *
 *   npx tsx bench/browse.ts [--machines 5000] [--pools 20] [--nodes 8] [--seed s] [--repeats 15] [--warmups 5] [--port 3147] [--years 0]
 *
 * --years N generates a directory whose histories ended N years ago (stuck merges, prunes and
 * restores left half-way: every unfinished iteration needs its step times read).
 */
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildLargeCloud, LARGE, LARGE_DEFAULTS } from '../scripts/directory/large-cloud';
import { startSlapd } from '../scripts/directory/slapd';
import { startConsole, type RunningConsole } from '../scripts/console-server';
import { getPage, median, ms, parseTrace, peakMemory, replay, createSession, table, timed, timedPair, type Bind, type TracedSearch } from './measure';

interface Page {
  name: string;
  path: string;
  /** Sent besides the session cookie (the metrics endpoint's bearer token). */
  headers?: Record<string, string>;
}

interface ConsoleRun {
  medians: Map<string, number>;
  /** Raw ldapsearch medians, when measured alongside (alternating with the console's requests). */
  rawMedians: Map<string, number>;
  traces: Map<string, TracedSearch[]>;
  bytes: Map<string, number>;
  memory: Array<{ pid: number; name: string; mib: number }>;
}

function options() {
  const { values } = parseArgs({
    options: {
      machines: { type: 'string', default: String(LARGE_DEFAULTS.machines) },
      pools: { type: 'string', default: String(LARGE_DEFAULTS.pools) },
      nodes: { type: 'string', default: String(LARGE_DEFAULTS.nodes) },
      seed: { type: 'string', default: LARGE_DEFAULTS.seed },
      repeats: { type: 'string', default: '15' },
      warmups: { type: 'string', default: '5' },
      port: { type: 'string', default: '3147' },
      years: { type: 'string', default: '0' },
    },
    strict: true,
  });
  const int = (name: keyof typeof values) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, not ${values[name]}`);
    return n;
  };
  const years = Number(values.years);
  if (!Number.isFinite(years) || years < 0) throw new Error(`--years must be a number of years, not ${values.years}`);
  return { machines: int('machines'), pools: int('pools'), nodes: int('nodes'), seed: String(values.seed), repeats: Math.max(1, int('repeats')), warmups: int('warmups'), port: int('port'), years };
}

/** Other work on the machine skews every figure; the load average says how much there was. */
function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function machineDescription(): string {
  const model = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return `${cpus().length} CPUs (${model}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB memory, Node ${process.version}`;
}

/** Collects the console's [ldap-trace] lines so each request's searches can be picked out. */
function traceCollector(app: RunningConsole) {
  let buffer = '';
  let lines: string[] = [];
  app.process.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  return {
    clear: () => {
      lines = [];
    },
    take: async (): Promise<TracedSearch[]> => {
      // stdout is a pipe: give the last lines a moment to arrive after the response.
      await new Promise((r) => setTimeout(r, 150));
      const found = lines.map(parseTrace).filter((s): s is TracedSearch => s !== null);
      lines = [];
      return found;
    },
  };
}

async function measureConsole(
  pages: Page[],
  env: Record<string, string>,
  o: ReturnType<typeof options>,
  cookie: string,
  label: string,
  raw?: (searches: TracedSearch[]) => Promise<void>,
): Promise<ConsoleRun> {
  const started = performance.now();
  const app = await startConsole({ port: o.port, env, quiet: true });
  console.log(`  console (${label}) started in ${ms(performance.now() - started)} ms`);
  const collector = traceCollector(app);
  const run: ConsoleRun = { medians: new Map(), rawMedians: new Map(), traces: new Map(), bytes: new Map(), memory: [] };
  try {
    // A fresh server compiles its code on first use; every page once, so that the page measured
    // first does not pay for warming up the code all pages share.
    for (const page of pages) await getPage(`${app.url}${page.path}`, cookie, page.headers);
    for (const page of pages) {
      // The first request is traced: it tells which searches this page makes.
      collector.clear();
      run.bytes.set(page.name, await getPage(`${app.url}${page.path}`, cookie, page.headers));
      const searches = await collector.take();
      run.traces.set(page.name, searches);
      const request = async () => {
        await getPage(`${app.url}${page.path}`, cookie, page.headers);
      };
      // Console request and ldapsearch replay take turns, so a burst of other work on the
      // machine hits both columns alike instead of skewing the ratio.
      const [times, rawTimes] = raw ? await timedPair(o.warmups, o.repeats, request, () => raw(searches)) : [await timed(o.warmups, o.repeats, request), []];
      run.medians.set(page.name, median(times));
      const spread = (t: number[]) => `${ms(median(t))} ms (min ${ms(Math.min(...t))}, max ${ms(Math.max(...t))})`;
      if (raw) {
        run.rawMedians.set(page.name, median(rawTimes));
        console.log(`  ${page.name}: console ${spread(times)}; ldapsearch, ${searches.length} searches, ${searches.reduce((a, x) => a + x.entries, 0)} entries: ${spread(rawTimes)}`);
      } else {
        console.log(`  ${page.name}: ${spread(times)}`);
      }
    }
    run.memory = peakMemory(app.process.pid ?? -1);
  } finally {
    await app.stop();
  }
  return run;
}

async function main(): Promise<void> {
  const o = options();
  const out = join(process.cwd(), 'bench', 'out');
  mkdirSync(out, { recursive: true });
  const loadBefore = loadAverage();
  console.log(`Browse benchmark on ${machineDescription()}; load average ${loadBefore}`);

  let t = performance.now();
  const cloud = buildLargeCloud({ seed: o.seed, machines: o.machines, pools: o.pools, nodes: o.nodes, disksPerMachine: 2, iterationsPerMachine: 10, now: new Date(), dataAgeYears: o.years });
  const generateMs = performance.now() - t;
  writeFileSync(join(out, 'large.ldif'), cloud.ldif);
  console.log(`Generated ${cloud.entries} entries (${(cloud.ldif.length / 1024 ** 2).toFixed(1)} MiB LDIF, bench/out/large.ldif) in ${ms(generateMs)} ms`);
  console.log(`  intended statuses (either side): ${Object.entries(cloud.facets).map(([k, v]) => `${k} ${v}`).join(', ')}`);

  t = performance.now();
  const slapd = await startSlapd({ baseDn: cloud.baseDn, rootDn: LARGE.rootDn, rootPassword: LARGE.rootPassword, ldif: [cloud.ldif] });
  const loadMs = performance.now() - t;
  console.log(`Loaded into slapd (slapadd -q, then start) in ${ms(loadMs)} ms: ${slapd.url}`);

  try {
    const bind: Bind = { url: slapd.url, dn: LARGE.rootDn, password: LARGE.rootPassword };
    // The biggest persistent pool and a machine in it whose newest iteration failed: the
    // machine page then shows a pool, a failure and ten iterations.
    const persistent = cloud.spec.pools.filter((p) => p.type === 'persistent');
    const sizeOf = (uuid: string) => cloud.spec.machines.filter((m) => m.poolUuid === uuid).length;
    const pool = persistent.reduce((a, b) => (sizeOf(b.uuid) > sizeOf(a.uuid) ? b : a));
    const machine = cloud.spec.machines.find((m) => m.poolUuid === pool.uuid && m.expectedActivity === 'failed' && m.iterations.length > 1) ?? cloud.spec.machines[0];
    const metricsToken = randomBytes(24).toString('hex');
    const pages: Page[] = [
      { name: 'overview', path: '/' },
      { name: 'machine list, first page', path: '/machines' },
      { name: 'machine list, filtered', path: `/machines?pool=${pool.uuid}&status=protected&page=2` },
      { name: 'machine list, search', path: '/machines?q=db-0' },
      { name: `pool page (${sizeOf(pool.uuid)} machines)`, path: `/pools/${pool.uuid}` },
      { name: 'history grid, first page', path: '/history' },
      { name: 'metrics (Prometheus)', path: '/api/metrics', headers: { authorization: `Bearer ${metricsToken}` } },
      { name: 'machine page', path: `/machines/${machine.uuid}` },
    ];

    const secret = randomBytes(32).toString('hex');
    const cookie = await createSession({ url: slapd.url, bindDn: LARGE.rootDn, password: LARGE.rootPassword, baseDn: cloud.baseDn }, secret, { dn: LARGE.admin.dn, login: LARGE.admin.login, name: 'Ada Admin' });
    const env = {
      LDAP_URL: slapd.url,
      LDAP_BASE_DN: cloud.baseDn,
      LDAP_BIND_DN: LARGE.rootDn,
      LDAP_BIND_PASSWORD: LARGE.rootPassword,
      SESSION_SECRET: secret,
      CONSOLE_TIME_ZONE: 'UTC',
      NODE_TIME_ZONE: 'UTC',
      METRICS_TOKEN: metricsToken,
    };

    console.log(
      `\nConsole without cache (CONSOLE_CACHE_SECONDS=0), ${o.warmups} warm-ups + ${o.repeats} requests per page, taking turns with raw\n` +
        `ldapsearch replaying the page's traced searches (all at once, paged pr=400 like the console):`,
    );
    const uncached = await measureConsole(pages, { ...env, CONSOLE_CACHE_SECONDS: '0', LDAP_TRACE: '1' }, o, cookie, 'no cache', (searches) => replay(bind, searches));
    const raw = uncached.rawMedians;

    console.log(`\nConsole with its default cache (CONSOLE_CACHE_SECONDS unset = 5 s):`);
    const cached = await measureConsole(pages, env, o, cookie, 'default cache');

    const rows = pages.map((p) => {
      const c = uncached.medians.get(p.name) ?? NaN;
      const r = raw.get(p.name) ?? NaN;
      const searches = uncached.traces.get(p.name) ?? [];
      return [
        p.name,
        ms(c),
        ms(r),
        `${(c / r).toFixed(2)}x`,
        ms(cached.medians.get(p.name) ?? NaN),
        String(searches.length),
        String(searches.reduce((a, s) => a + s.entries, 0)),
        ms(Math.max(0, ...searches.map((s) => s.ms))),
        `${Math.round((uncached.bytes.get(p.name) ?? 0) / 1024)}`,
      ];
    });
    console.log(`\n## Browse benchmark: ${o.machines} machines, ${o.pools} pools, ${o.nodes} nodes, ${cloud.entries} entries (seed ${o.seed})`);
    console.log(`Machine: ${machineDescription()}`);
    console.log(`Medians of ${o.repeats} requests after ${o.warmups} warm-ups, in ms.\n`);
    console.log(
      table(
        ['page', 'console, no cache', 'raw ldapsearch', 'ratio', 'console, cached', 'searches', 'entries', 'slowest search in console', 'HTML KiB'],
        rows,
      ),
    );
    const memory = (run: ConsoleRun) =>
      `${run.memory.map((m) => `${m.name} (pid ${m.pid}) ${m.mib.toFixed(0)} MiB`).join(', ')}; total ${run.memory.reduce((a, m) => a + m.mib, 0).toFixed(0)} MiB`;
    console.log(`\nPeak memory (VmHWM) of the console processes — no cache: ${memory(uncached)}`);
    console.log(`Peak memory (VmHWM) of the console processes — cached: ${memory(cached)}`);
    console.log(`Directory: generated in ${ms(generateMs)} ms, loaded and started in ${ms(loadMs)} ms.`);
    console.log(`Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAverage()}.`);
  } finally {
    await slapd.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
