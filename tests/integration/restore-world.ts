import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, lstatSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from 'ldapts';
import { buildDemoDirectory, DEMO, type DemoKind } from '../../scripts/directory/demo-directory';
import { startSlapd, type RunningSlapd } from '../../scripts/directory/slapd';
import { startDemoNode, type DemoNode } from '../../scripts/node/demo-node';
import { readDomain, type StandInDomain } from '../../scripts/node/virsh-state';
import { startNodeDaemon, type RunningNodeDaemon } from '../fixtures/daemons/node-daemon';
import { startBrokerTransitions, testNodeVirsh, type RunningBrokerTransitions } from '../fixtures/daemons/broker-transitions';

/**
 * A private world for restore tests: its own slapd with the demo directory and its own test
 * node (real sshd, virsh stand-in) whose tree matches it. Restores change machines for real,
 * so these tests never share the directory or node the other test files read.
 */
export interface RestoreWorld {
  slapd: RunningSlapd;
  node: DemoNode;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** `kind` stoney-cloud: one leaf per machine, the older iterations only as folders on the node, and the console told so. */
export async function startRestoreWorld(extraEnv: Record<string, string> = {}, kind: DemoKind = 'foss-cloud'): Promise<RestoreWorld> {
  const now = new Date();
  const node = await startDemoNode(now, {}, {}, kind);
  const demo = buildDemoDirectory(now, node.paths, { kind });
  const slapd = await startSlapd({ baseDn: demo.baseDn, rootDn: DEMO.rootDn, rootPassword: DEMO.rootPassword, ldif: [demo.ldif] });
  const env = {
    LDAP_URL: slapd.url,
    LDAP_BASE_DN: slapd.baseDn,
    LDAP_BIND_DN: slapd.rootDn,
    LDAP_BIND_PASSWORD: slapd.rootPassword,
    SESSION_SECRET: 'integration-test-secret-integration-test-secret',
    CONSOLE_TIME_ZONE: 'Europe/Zurich',
    NODE_TIME_ZONE: 'Europe/Zurich',
    CONSOLE_CACHE_SECONDS: '0',
    RESTORE_SHUTDOWN_TIMEOUT_SECONDS: '3',
    // Deterministic unless a test says otherwise: the console executes. A daemon stand-in of
    // another test run on this machine would otherwise be found on the shared /proc.
    NODE_DAEMON: '*=absent',
    INSTALLATION_KIND: kind,
    ...node.env,
    ...extraEnv,
  };
  Object.assign(process.env, env);
  return {
    slapd,
    node,
    env,
    // The console's own connections go first, so nothing reconnects to what is stopping.
    stop: async () => {
      const [{ closeNodeConnections }, { closeDirectory }] = await Promise.all([import('@/lib/ssh'), import('@/lib/ldap/client')]);
      await Promise.allSettled([closeNodeConnections(), closeDirectory()]);
      await Promise.allSettled([slapd.stop(), node.stop()]);
    },
  };
}

/** The node daemon stand-in on the world's test node, serving `environment` (a demo node's name). */
export function startWorldNodeDaemon(world: RestoreWorld, environment: string, pollMs = 100): Promise<RunningNodeDaemon> {
  return startNodeDaemon({
    nodeDir: world.node.node.dir,
    virshStateDir: world.node.node.virshStateDir,
    environment,
    ldap: { url: world.slapd.url, bindDn: world.slapd.rootDn, password: world.slapd.rootPassword, baseDn: world.slapd.baseDn },
    virtualizationRoot: world.node.paths.virtualizationRoot,
    pollMs,
  });
}

/** The broker's transitions (fact 2) against the world's directory, every `periodMs` instead of ~30 s. */
export function startWorldBroker(world: RestoreWorld, periodMs = 500): Promise<RunningBrokerTransitions> {
  return startBrokerTransitions({
    ldap: { url: world.slapd.url, bindDn: world.slapd.rootDn, password: world.slapd.rootPassword, baseDn: world.slapd.baseDn },
    periodMs,
    logPath: join(world.node.node.dir, `broker-${Date.now()}.log`),
    virsh: testNodeVirsh(world.node.node.dir, world.node.node.virshStateDir),
  });
}

export function demoMachine(name: string) {
  const m = DEMO.machines.find((x) => x.name === name);
  if (!m) throw new Error(`demo machine ${name} missing`);
  return m;
}

export async function withDirectoryClient<T>(world: RestoreWorld, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: world.slapd.url });
  await client.bind(world.slapd.rootDn, world.slapd.rootPassword);
  try {
    return await work(client);
  } finally {
    await client.unbind();
  }
}

type Entries = Record<string, Record<string, string[]>>;

function toEntries(found: { dn: string; [k: string]: unknown }[]): Entries {
  const out: Entries = {};
  for (const e of found) {
    const attrs: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(e)) {
      if (name === 'dn') continue;
      attrs[name] = (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))).sort();
    }
    out[e.dn.toLowerCase()] = attrs;
  }
  return out;
}

/** The machine's whole subtree (iterations and journals included) and its DHCP reservation, as stored. */
export async function directorySnapshot(world: RestoreWorld, machineUuid: string): Promise<Entries> {
  return withDirectoryClient(world, async (client) => {
    const base = `sstVirtualMachine=${machineUuid},ou=virtual machines,ou=virtualization,ou=services,${world.slapd.baseDn}`;
    const subtree = await client.search(base, { scope: 'sub', attributes: ['*'] });
    const dhcp = await client.search(`ou=dhcp,ou=networks,ou=virtualization,ou=services,${world.slapd.baseDn}`, {
      scope: 'sub',
      filter: `(cn=${machineUuid})`,
      attributes: ['*'],
    });
    return toEntries([...subtree.searchEntries, ...dhcp.searchEntries]);
  });
}

export async function directoryEntry(world: RestoreWorld, dn: string): Promise<Record<string, string[]> | null> {
  return withDirectoryClient(world, async (client) => {
    try {
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['*'] });
      return searchEntries[0] ? (Object.values(toEntries(searchEntries))[0] ?? null) : null;
    } catch (error) {
      if (error instanceof Error && error.name === 'NoSuchObjectError') return null;
      throw error;
    }
  });
}

/** Every file, folder and link under `folder` (relative path -> sha256, "dir <mode>" or "link <target>"; links are not followed). */
export function fileSnapshot(folder: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = lstatSync(path);
      if (st.isSymbolicLink()) {
        out[relative(folder, path)] = `link ${readlinkSync(path)}`;
      } else if (st.isDirectory()) {
        out[relative(folder, path)] = `dir ${(st.mode & 0o7777).toString(8)}`;
        walk(path);
      } else {
        out[relative(folder, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
      }
    }
  };
  walk(folder);
  return out;
}

export const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

export function domainOf(world: RestoreWorld, uuid: string): StandInDomain | null {
  return readDomain(world.node.node.virshStateDir, uuid);
}
