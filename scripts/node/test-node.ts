/**
 * A throw-away VM node for demos and tests: a real OpenSSH server on 127.0.0.1 in a temporary
 * folder, with its own host key (pinned in a known_hosts file we write), a client key for the
 * console, and a `virsh` stand-in first on the PATH of every session (bin/virsh). The
 * hypervisor is the only thing that is not real; cp, mv, stat, df and qemu-img are.
 *
 * Needs Debian's openssh-server (/usr/sbin/sshd) and openssh-client (ssh-keygen). sshd runs as
 * the current user, who is also the login user (root in CI and the demo).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../free-port';

const run = promisify(execFile);

export interface TestNodeOptions {
  /** Folder for keys, config, the node's file tree and virsh state; default: a fresh temp folder, removed on stop(). */
  dir?: string;
  /** TCP port on 127.0.0.1; default: a free one. */
  port?: number;
  /**
   * false: the login shell of each command does not read the login user's ~/.bashrc (Debian's
   * bash reads it for commands run by sshd, which on a developer machine can cost 100 ms or
   * more per command); sshd passes SHLVL=1, so bash does not take itself for a top-level
   * shell. Default true, as on a real node.
   */
  loginShellRc?: boolean;
  /** More variables every session on the node gets (sshd SetEnv; values without spaces or quotes). */
  env?: Record<string, string>;
}

/** How to reach a test node and where its files are: what another process (a test file) needs, as plain data. */
export interface TestNodeInfo {
  host: string;
  port: number;
  user: string;
  /** The console's key (NODE_SSH_PRIVATE_KEY_FILE). */
  privateKeyPath: string;
  /** Pins the node's host key for 127.0.0.1 and [127.0.0.1]:port (NODE_SSH_KNOWN_HOSTS_FILE). */
  knownHostsPath: string;
  /** The node's host public key, "ssh-ed25519 AAAA…". */
  hostPublicKey: string;
  /** The node's folder tree (what /var would be on a real node); buildNodeTree fills it. */
  root: string;
  /** VIRSH_STATE_DIR of the virsh stand-in (domains/, calls.log). */
  virshStateDir: string;
  /** NODE_SYSTEM_DIR of the crontab and timedatectl stand-ins (see node-system.ts). */
  systemDir: string;
}

/** A running node's data alone (for Vitest's provide, which passes only plain values between processes). */
export function testNodeInfo(node: TestNodeInfo): TestNodeInfo {
  const { host, port, user, privateKeyPath, knownHostsPath, hostPublicKey, root, virshStateDir, systemDir } = node;
  return { host, port, user, privateKeyPath, knownHostsPath, hostPublicKey, root, virshStateDir, systemDir };
}

export interface TestNode extends TestNodeInfo {
  dir: string;
  /** PID of the listening sshd. */
  pid(): number;
  /**
   * Kills every sshd process serving an open connection and, unless `keepCommands`, what they
   * run (as a node reboot would). With `keepCommands` only sshd goes, as in a network cut: the
   * commands keep running on the node. Returns how many processes were killed.
   */
  dropConnections(options?: { keepCommands?: boolean }): Promise<number>;
  /** Stops the listener and every connection; keys and files stay. */
  stopListener(): Promise<void>;
  /** Starts the listener again on the same port. */
  startListener(): Promise<void>;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const STARTUP_TIMEOUT_MS = 15_000;
const VIRSH_IN_REPO = join('scripts', 'node', 'bin', 'virsh');
/** Stand-ins next to virsh that every node session finds first on its PATH. */
const STAND_INS = ['virsh', 'crontab', 'timedatectl'];

/** Found by walking up (Playwright compiles to CommonJS, where import.meta is not available). */
function virshStandIn(): string {
  for (const start of [typeof __dirname === 'string' ? __dirname : undefined, process.cwd()]) {
    if (start === undefined) continue;
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (existsSync(join(dir, VIRSH_IN_REPO))) return join(dir, VIRSH_IN_REPO);
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find ${VIRSH_IN_REPO} above ${process.cwd()}`);
}

export async function startTestNode(options: TestNodeOptions = {}): Promise<TestNode> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} was not found: install Debian's openssh-server (scripts/setup-system.sh does).`);
  const ownsDir = options.dir === undefined;
  // Only letters, digits, _ and / survive the node daemon's reading of a directory URL (daemons.md,
  // fact 6), so the tree's paths avoid '-' and the console can save them as configuration.
  const dir = options.dir !== undefined ? resolve(options.dir) : await mkdtemp(join(tmpdir(), 'stoney_node_'));
  const paths = {
    hostKey: join(dir, 'ssh_host_ed25519_key'),
    clientKey: join(dir, 'console_ed25519_key'),
    authorizedKeys: join(dir, 'authorized_keys'),
    knownHosts: join(dir, 'known_hosts'),
    config: join(dir, 'sshd_config'),
    pidFile: join(dir, 'sshd.pid'),
    bin: join(dir, 'bin'),
    root: join(dir, 'node'),
    virsh: join(dir, 'virsh'),
    system: join(dir, 'system'),
  };
  try {
    await Promise.all([
      mkdir(paths.bin, { recursive: true }),
      mkdir(paths.root, { recursive: true }),
      mkdir(paths.virsh, { recursive: true }),
      mkdir(paths.system, { recursive: true }),
    ]);
    const standIns = dirname(virshStandIn());
    for (const name of STAND_INS) {
      await copyFile(join(standIns, name), join(paths.bin, name));
      await chmod(join(paths.bin, name), 0o755);
    }
    for (const [file, comment] of [
      [paths.hostKey, 'stoney test node host key'],
      [paths.clientKey, 'backup console (test)'],
    ] as const) {
      if (!existsSync(file)) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
    }
    await writeFile(paths.authorizedKeys, await readFile(`${paths.clientKey}.pub`, 'utf8'));
    // sshd's privilege separation directory; Debian creates it only when the service starts.
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 }).catch(() => undefined);
    const hostPublicKey = (await readFile(`${paths.hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');

    let port = options.port ?? (await freePort());
    let child: ChildProcess | null = null;
    for (let attempt = 1; ; attempt++) {
      await writeFile(paths.config, sshdConfig({ ...paths, port, loginShellRc: options.loginShellRc ?? true, env: options.env ?? {} }));
      try {
        child = await launch(paths.config, port);
        break;
      } catch (error) {
        if (!(error instanceof PortInUseError) || options.port !== undefined || attempt >= 3) throw error;
        port = await freePort();
      }
    }
    await writeFile(paths.knownHosts, `127.0.0.1 ${hostPublicKey}\n[127.0.0.1]:${port} ${hostPublicKey}\n`);

    let current: ChildProcess | null = child;
    const stopListener = async (): Promise<void> => {
      const listener = current;
      current = null;
      if (!listener) return;
      // Found before the listener stops: afterwards its sessions belong to init.
      const sessions = listener.pid ? await descendants(listener.pid) : [];
      await stopProcess(listener);
      for (const pid of sessions) killQuietly(pid);
    };
    return {
      host: '127.0.0.1',
      port,
      user: userInfo().username,
      privateKeyPath: paths.clientKey,
      knownHostsPath: paths.knownHosts,
      hostPublicKey,
      root: paths.root,
      virshStateDir: paths.virsh,
      systemDir: paths.system,
      dir,
      pid: () => current?.pid ?? -1,
      dropConnections: async (options = {}) => {
        let pids = current?.pid ? await descendants(current.pid) : [];
        if (options.keepCommands) pids = (await Promise.all(pids.map(async (p) => ((await processName(p)) === 'sshd' ? [p] : [])))).flat();
        for (const pid of pids) killQuietly(pid);
        return pids.length;
      },
      stopListener,
      startListener: async () => {
        if (current) return;
        current = await launch(paths.config, port);
      },
      stop: async () => {
        await stopListener();
        if (ownsDir) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function sshdConfig(p: {
  port: number;
  hostKey: string;
  authorizedKeys: string;
  pidFile: string;
  bin: string;
  virsh: string;
  system: string;
  loginShellRc: boolean;
  env: Record<string, string>;
}): string {
  const extra = Object.entries(p.env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /[\s"'\\]/.test(value))
      throw new Error(`cannot pass ${name}=${value} through sshd's SetEnv`);
    return ` ${name}=${value}`;
  });
  return [
    '# Generated by scripts/node/test-node.ts for a disposable test node.',
    `ListenAddress 127.0.0.1:${p.port}`,
    `HostKey ${p.hostKey}`,
    `AuthorizedKeysFile ${p.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    `PidFile ${p.pidFile}`,
    // The key files live in a temp folder whose modes sshd would otherwise reject.
    'StrictModes no',
    'PrintMotd no',
    // The console opens several channels per connection (a copy and its progress poll).
    'MaxSessions 20',
    'MaxStartups 50',
    // What every command on the "node" sees: the virsh stand-in first, and where it keeps state.
    `SetEnv PATH=${p.bin}:/usr/sbin:/usr/bin:/sbin:/bin VIRSH_STATE_DIR=${p.virsh} NODE_SYSTEM_DIR=${p.system}${p.loginShellRc ? '' : ' SHLVL=1'}${extra.join('')}`,
    '',
  ].join('\n');
}

class PortInUseError extends Error {}

async function launch(config: string, port: number): Promise<ChildProcess> {
  // -D: foreground, a child we own; -e: log to stderr, where we wait for "Server listening".
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    log = (log + chunk).slice(-16_000);
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const message = `sshd exited with ${child.exitCode ?? child.signalCode} while starting on 127.0.0.1:${port}:\n${log.trim()}`;
      if (/Address already in use/.test(log)) throw new PortInUseError(message);
      throw new Error(message);
    }
    if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not listen on 127.0.0.1:${port} within ${STARTUP_TIMEOUT_MS / 1000} s:\n${log.trim()}`);
    }
    await sleep(25);
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Every process below `pid` (sshd's per-connection children and the commands they run). */
async function processName(pid: number): Promise<string | null> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
  } catch {
    return null;
  }
}

async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Field 4 is the parent PID; the command name (field 2) may contain spaces, so split after ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
