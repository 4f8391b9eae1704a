/**
 * A throw-away OpenLDAP server for demos and tests: writes a slapd.conf with the stoney cloud
 * schema, bulk-loads LDIF offline with slapadd (much faster than adding over the wire) and runs
 * slapd in the foreground on 127.0.0.1 as a child process we own.
 *
 * Node built-ins only, so the demo and the tests need nothing beyond Debian's slapd package.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { freePort } from '../free-port';

export interface SlapdOptions {
  /** Folder for config and database; kept after stop() so it can be inspected. Default: a fresh temp folder, removed on stop(). */
  dir?: string;
  /** TCP port on 127.0.0.1; default: a free one. */
  port?: number;
  baseDn: string;
  rootDn: string;
  rootPassword: string;
  /** LDIF texts to load, in order (parents before children). */
  ldif: string[];
}

export interface RunningSlapd {
  url: string;
  port: number;
  dir: string;
  baseDn: string;
  rootDn: string;
  rootPassword: string;
  pid: number;
  stop(): Promise<void>;
}

/** The console's settings (LDAP_*) for a directory in this slapd, bound as its root. */
export function directoryEnv(slapd: Pick<RunningSlapd, 'url' | 'baseDn' | 'rootDn' | 'rootPassword'>): Record<string, string> {
  return {
    LDAP_URL: slapd.url,
    LDAP_BASE_DN: slapd.baseDn,
    LDAP_BIND_DN: slapd.rootDn,
    LDAP_BIND_PASSWORD: slapd.rootPassword,
  };
}

const SCHEMA_IN_REPO = join('scripts', 'directory', 'schema', 'stoney-cloud.schema');

/**
 * The repository is found by walking up to the schema file rather than from import.meta.url:
 * this module is loaded by tsx, Vitest and Playwright, and Playwright compiles it to CommonJS,
 * where import.meta is a syntax error (and __dirname is the only location available).
 */
function findRepoRoot(): string {
  const starts = [typeof __dirname === 'string' ? __dirname : undefined, process.cwd()];
  for (const start of starts) {
    if (start === undefined) continue;
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (existsSync(join(dir, SCHEMA_IN_REPO))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find the repository: no ${SCHEMA_IN_REPO} above ${process.cwd()}`);
}

// Lazy, so that merely importing this module (e.g. for sshaHash) never depends on the cwd.
let repoRoot: string | undefined;

/** Path of the project's stoney cloud schema file. */
export function stoneySchemaPath(): string {
  repoRoot ??= findRepoRoot();
  return join(repoRoot, SCHEMA_IN_REPO);
}

/** Where ensureDhcpSchema() keeps the unpacked ISC DHCP schema (git-ignored). */
export function dhcpSchemaCachePath(): string {
  repoRoot ??= findRepoRoot();
  return join(repoRoot, '.cache', 'schema', 'dhcp.schema');
}

const DHCP_PACKAGE = 'isc-dhcp-server-ldap';
const DHCP_SCHEMA_IN_PACKAGE = '/usr/share/doc/isc-dhcp-server-ldap/dhcp.schema.gz';
const SYSTEM_SCHEMA_DIR = '/etc/ldap/schema';
const SYSTEM_SCHEMAS = ['core', 'cosine', 'inetorgperson', 'nis', 'dyngroup'];
const MODULE_PATH = '/usr/lib/ldap';

const STARTUP_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Passwords
// ---------------------------------------------------------------------------------------------

/**
 * {SSHA} as slappasswd writes it. The salt is a parameter so that generators can produce the
 * same LDIF text for the same input (tests compare whole files).
 */
export function sshaHash(password: string, salt: Buffer = randomBytes(8)): string {
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

// ---------------------------------------------------------------------------------------------
// DHCP schema
// ---------------------------------------------------------------------------------------------

/**
 * Path of the ISC DHCP LDAP schema. Debian ships it only inside the DHCP server's LDAP package,
 * and installing that would bring a DHCP daemon along, so the file is unpacked from the
 * downloaded .deb into a git-ignored cache instead.
 */
export async function ensureDhcpSchema(): Promise<string> {
  const cache = dhcpSchemaCachePath();
  if (isNonEmptyFile(cache)) return cache;

  let gz: Buffer | undefined;
  if (isNonEmptyFile(DHCP_SCHEMA_IN_PACKAGE)) {
    gz = readFileSync(DHCP_SCHEMA_IN_PACKAGE);
  } else {
    gz = await downloadDhcpSchemaGz();
  }

  const text = gunzipSync(gz);
  await mkdir(dirname(cache), { recursive: true });
  // Parallel test files may race here; rename makes the last writer win with a complete file.
  const partial = `${cache}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(partial, text);
  await rename(partial, cache);
  return cache;
}

async function downloadDhcpSchemaGz(): Promise<Buffer> {
  const help =
    `The ISC DHCP LDAP schema is needed (${dhcpSchemaCachePath()}). It comes from the Debian package ` +
    `"${DHCP_PACKAGE}" (file ${DHCP_SCHEMA_IN_PACKAGE}); run scripts/setup-system.sh, or ` +
    `"apt-get download ${DHCP_PACKAGE}" and "dpkg -x" it, then copy the gunzipped file there.`;
  const work = await mkdtemp(join(tmpdir(), 'dhcp-schema-'));
  try {
    // As root, apt drops to the _apt user for downloads, which cannot write into our 0700 temp folder.
    const sandbox = process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : [];
    const download = await run('apt-get', [...sandbox, '-q', 'download', DHCP_PACKAGE], { cwd: work });
    if (download.code !== 0) throw new Error(`${help}\napt-get download failed:\n${download.stderr.trim()}`);
    const deb = (await readdir(work)).find((f) => f.startsWith(`${DHCP_PACKAGE}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`${help}\napt-get download produced no .deb file.`);
    const extract = await run('dpkg', ['-x', join(work, deb), join(work, 'root')]);
    if (extract.code !== 0) throw new Error(`${help}\ndpkg -x failed:\n${extract.stderr.trim()}`);
    const gzPath = join(work, 'root', DHCP_SCHEMA_IN_PACKAGE);
    if (!existsSync(gzPath)) throw new Error(`${help}\nThe package no longer contains ${DHCP_SCHEMA_IN_PACKAGE}.`);
    return readFileSync(gzPath);
  } catch (error) {
    if (isErrnoException(error) && error.code === 'ENOENT') throw new Error(`${help}\n(${error.message})`);
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// slapd
// ---------------------------------------------------------------------------------------------

export async function startSlapd(opts: SlapdOptions): Promise<RunningSlapd> {
  const dhcpSchema = await ensureDhcpSchema();
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir !== undefined ? resolve(opts.dir) : await mkdtemp(join(tmpdir(), 'stoney-slapd-'));

  try {
    const dataDir = join(dir, 'data');
    // A caller-supplied folder may hold an earlier run's database; slapadd must start empty.
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });

    const confPath = join(dir, 'slapd.conf');

    const ldifPath = join(dir, 'load.ldif');
    const ldifText =
      opts.ldif
        .map((t) => t.trim())
        .filter((t) => t !== '')
        .join('\n\n') + '\n';
    await writeFile(ldifPath, ldifText, { mode: 0o600 });
    await writeFile(confPath, slapdConf({ ...opts, dir, dataDir, dhcpSchema, ldifBytes: Buffer.byteLength(ldifText) }), { mode: 0o600 });
    // -q (quick mode) skips the per-entry database consistency work and syncs once at the end:
    // 100,000 entries load in seconds instead of minutes. Schema and missing-parent checks
    // still apply, and a failed load throws away the folder anyway.
    const load = await run('slapadd', ['-q', '-f', confPath, '-l', ldifPath]).catch((error: unknown) => {
      throw isErrnoException(error) && error.code === 'ENOENT'
        ? new Error('slapadd was not found: install the Debian package "slapd" (scripts/setup-system.sh does).')
        : error;
    });
    if (load.code !== 0) {
      throw new Error(`slapadd could not load the LDIF (exit ${load.code}):\n${load.stderr.trim() || load.stdout.trim()}`);
    }

    // A port found free may be taken before slapd binds it; only then is a retry worth it.
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort());
      try {
        return await launch({ ...opts, dir, confPath, port, ownsDir });
      } catch (error) {
        if (!(error instanceof PortInUseError) || opts.port !== undefined || attempt >= 3) throw error;
      }
    }
  } catch (error) {
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

class PortInUseError extends Error {}

interface LaunchOptions extends SlapdOptions {
  dir: string;
  confPath: string;
  port: number;
  ownsDir: boolean;
}

async function launch(o: LaunchOptions): Promise<RunningSlapd> {
  const url = `ldap://127.0.0.1:${o.port}`;
  // "-d none" keeps slapd in the foreground and prints only what is logged at every level
  // (start-up errors, "slapd starting"), so failures can be reported with slapd's own words.
  const child = spawn('slapd', ['-f', o.confPath, '-h', `${url}/`, '-d', 'none'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    // Bounded: a long-running server would otherwise grow this forever.
    stderr = (stderr + chunk).slice(-16_000);
  });

  const exited = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code) => resolveExit(code));
    child.once('error', () => resolveExit(null));
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });

  // An orphaned slapd would keep the port and the temp folder after a crashed test run.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || spawnError) {
      process.removeListener('exit', killOnExit);
      const why = spawnError
        ? `could not be started (${spawnError.message}; is Debian's slapd package installed?)`
        : `exited with ${child.exitCode ?? child.signalCode}`;
      const message = `slapd ${why} while starting on ${url}:\n${tidyLog(stderr)}`;
      if (/Address already in use/.test(stderr)) throw new PortInUseError(message);
      throw new Error(message);
    }
    // slapd logs "slapd starting" only after binding its listeners; the TCP probe alone could be
    // answered by whoever else holds the port.
    if (stderr.includes('slapd starting') && (await portAnswers(o.port))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      process.removeListener('exit', killOnExit);
      throw new Error(`slapd did not answer on ${url} within ${STARTUP_TIMEOUT_MS / 1000} s:\n${tidyLog(stderr)}`);
    }
    await sleep(50);
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', killOnExit);
      if (o.ownsDir) await rm(o.dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  return {
    url,
    port: o.port,
    dir: o.dir,
    baseDn: o.baseDn,
    rootDn: o.rootDn,
    rootPassword: o.rootPassword,
    pid: child.pid ?? -1,
    stop,
  };
}

interface ConfInput {
  dir: string;
  dataDir: string;
  dhcpSchema: string;
  baseDn: string;
  rootDn: string;
  rootPassword: string;
  /** Size of the LDIF to load; the database map is sized from it. */
  ldifBytes: number;
}

const GiB = 1024 ** 3;

function slapdConf(c: ConfInput): string {
  const includes = [...SYSTEM_SCHEMAS.map((s) => join(SYSTEM_SCHEMA_DIR, `${s}.schema`)), stoneySchemaPath(), c.dhcpSchema];
  return [
    '# Generated by scripts/directory/slapd.ts for a disposable test/demo directory.',
    ...includes.map((p) => `include ${confValue(p)}`),
    '',
    `pidfile ${confValue(join(c.dir, 'slapd.pid'))}`,
    `argsfile ${confValue(join(c.dir, 'slapd.args'))}`,
    // Debian builds the mdb backend as a module; other builds link it in.
    ...(existsSync(join(MODULE_PATH, 'back_mdb.so')) ? [`modulepath ${MODULE_PATH}`, 'moduleload back_mdb'] : []),
    // The console lists whole subtrees (all machines with their iterations); a server-side cap
    // would silently truncate them.
    'sizelimit unlimited',
    '',
    'database mdb',
    // Sparse file; the default 10 MiB is too small once tests write many iterations. A loaded
    // mdb database takes about 2.5 times its LDIF; 8 times leaves room for writes.
    `maxsize ${Math.max(GiB, Math.ceil((c.ldifBytes * 8) / GiB) * GiB)}`,
    `suffix ${confValue(c.baseDn)}`,
    `rootdn ${confValue(c.rootDn)}`,
    `rootpw ${confValue(sshaHash(c.rootPassword))}`,
    `directory ${confValue(c.dataDir)}`,
    '',
    // Equality indexes on what the console and the daemons filter by (as in the FOSS-Cloud
    // production slapd.conf); entryCSN/entryUUID serve sync searches.
    'index objectClass eq',
    'index cn,ou,uid eq',
    'index sstVirtualMachine,sstVirtualMachinePool,sstNode,sstVirtualMachineType,sstProvisioningMode eq',
    'index sstDisplayName,sstGroupUID,sstStoragePool,sstVirtualMachinePoolType eq',
    'index entryCSN,entryUUID eq',
    '',
    // Passwords are only ever compared by a bind; nobody may read them back.
    'access to attrs=userPassword',
    '  by self write',
    '  by anonymous auth',
    '  by * none',
    'access to *',
    '  by users read',
    '  by * none',
    '',
  ].join('\n');
}

/** slapd.conf splits on white space; values with spaces or quotes must be quoted and escaped. */
function confValue(value: string): string {
  if (/[\n\r]/.test(value)) throw new Error(`slapd.conf value must be a single line: ${JSON.stringify(value)}`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolveProbe(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** slapd prefixes every line with a hex timestamp and thread id that only add noise to errors. */
function tidyLog(log: string): string {
  const lines = log
    .split('\n')
    .map((l) => l.replace(/^[0-9a-f]+\.[0-9a-f]+ 0x[0-9a-f]+ /, '').trimEnd())
    .filter((l) => l !== '');
  return lines.length > 0 ? lines.map((l) => `  ${l}`).join('\n') : '  (slapd printed nothing)';
}

function isNonEmptyFile(path: string): boolean {
  try {
    const s = statSync(path);
    return s.isFile() && s.size > 0;
  } catch {
    return false;
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
