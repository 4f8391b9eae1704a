import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildDemoDirectory, DEMO, type DemoKind } from '../../scripts/directory/demo-directory';
import { startSlapd, type RunningSlapd } from '../../scripts/directory/slapd';
import { startDemoNode, type DemoNode } from '../../scripts/node/demo-node';
import type { NodeTreeIteration, NodeTreeMachine } from '../../scripts/node/node-tree';
import { readDomain, readVirshCalls, type StandInDomain } from '../../scripts/node/virsh-state';
import { startNodeDaemon, type RunningNodeDaemon } from '../fixtures/daemons/node-daemon';
import { startBrokerTransitions, testNodeVirsh, type RunningBrokerTransitions } from '../fixtures/daemons/broker-transitions';
import { demoMachine } from '../support/demo';
import { directoryDns, type DirectoryDns } from '../support/directory-dns';
import { sha256 } from '../support/file-snapshot';
import { nodeFaults, type NodeFaults, type NodeTool } from '../support/node-faults';
import { testConsoleEnv } from './env-setup';
import { storedStrings, withRootConnection } from './raw-directory';
import { decideAll } from '../fixtures/decisions';

/**
 * A private world for restore tests: its own slapd with the demo directory and its own test
 * node (real sshd, virsh stand-in) whose tree matches it. Restores change machines for real,
 * so these tests never share the directory or node the other test files read.
 */
export interface RestoreWorld {
  slapd: RunningSlapd;
  node: DemoNode;
  env: Record<string, string>;
  /** The DNs of the world's directory. */
  dn: DirectoryDns;
  /** Faults switched on and off on the world's node (tests/fixtures/node-bin). */
  faults: NodeFaults;
  stop(): Promise<void>;
}

export interface RestoreWorldOptions {
  /** Console settings over the world's own (RESTORE_LEASE_SECONDS …). */
  env?: Record<string, string>;
  /** stoney-cloud: one leaf per machine, the older iterations only as folders on the node, and the console told so. */
  kind?: DemoKind;
  /** Signed in before the tests (the file mocks next/headers with tests/support/next-headers). */
  signedInAs?: { login: string; password: string };
  /** The tools of tests/fixtures/node-bin put first on the node's PATH before the tests, for `world.faults`. */
  nodeTools?: NodeTool[];
}

/**
 * The test file's own restore world, started before its tests and stopped after them. The object
 * is filled in when the world has started: use it in hooks and tests, not while the file loads.
 */
export function restoreWorldForFile(options: RestoreWorldOptions = {}): RestoreWorld {
  const world = {} as RestoreWorld;
  beforeAll(async () => {
    Object.assign(world, await startRestoreWorld(options.env, options.kind));
    if (options.signedInAs) {
      const { signInAs } = await import('../support/sign-in');
      await signInAs(options.signedInAs);
    }
    world.faults.install(options.nodeTools ?? []);
  }, 60_000);
  afterAll(async () => {
    await world.stop?.();
  });
  return world;
}

async function startRestoreWorld(extraEnv: Record<string, string> = {}, kind: DemoKind = 'foss-cloud'): Promise<RestoreWorld> {
  const now = new Date();
  const node = await startDemoNode(now, {}, {}, kind);
  const demo = buildDemoDirectory(now, node.paths, { kind });
  const slapd = await startSlapd({ baseDn: demo.baseDn, rootDn: DEMO.rootDn, rootPassword: DEMO.rootPassword, ldif: [demo.ldif] });
  const env = {
    ...testConsoleEnv(slapd),
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
    dn: directoryDns(slapd.baseDn),
    faults: nodeFaults(node.node),
    // The console's own connections go first, so nothing reconnects to what is stopping.
    stop: async () => {
      const [{ closeNodeConnections }, { closeDirectory }] = await Promise.all([import('@/lib/ssh'), import('@/lib/ldap/client')]);
      await Promise.allSettled([closeNodeConnections(), closeDirectory()]);
      await Promise.allSettled([slapd.stop(), node.stop()]);
    },
  };
}

const rootBindOf = (world: RestoreWorld) => ({
  url: world.slapd.url,
  bindDn: world.slapd.rootDn,
  password: world.slapd.rootPassword,
  baseDn: world.slapd.baseDn,
});

/** The node daemon stand-in on the world's test node, serving `environment` (a demo node's name). */
export function startWorldNodeDaemon(world: RestoreWorld, environment: string, pollMs = 100): Promise<RunningNodeDaemon> {
  return startNodeDaemon({
    nodeDir: world.node.node.dir,
    virshStateDir: world.node.node.virshStateDir,
    environment,
    ldap: rootBindOf(world),
    virtualizationRoot: world.node.paths.virtualizationRoot,
    pollMs,
  });
}

/** The broker's transitions (fact 2) against the world's directory, every `periodMs` instead of ~30 s. */
export function startWorldBroker(world: RestoreWorld, periodMs = 500): Promise<RunningBrokerTransitions> {
  return startBrokerTransitions({
    ldap: rootBindOf(world),
    periodMs,
    logPath: join(world.node.node.dir, `broker-${Date.now()}.log`),
    virsh: testNodeVirsh(world.node.node.dir, world.node.node.virshStateDir),
  });
}

export type TreeMachine = NodeTreeMachine;

/** A demo machine as the world's node tree holds it, with only the iterations that have a folder, newest first. */
export function treeMachine(world: RestoreWorld, name: string): TreeMachine {
  const uuid = demoMachine(name).uuid;
  const m = world.node.tree.machines.find((x) => x.uuid === uuid);
  if (!m) throw new Error(`${name} is not in the node tree`);
  return { ...m, iterations: [...m.iterations].filter((i) => i.folder).sort((a, b) => b.name.localeCompare(a.name)) };
}

/** Where the restore of an iteration copies its files to: its folder's place in the retain directory. */
export function retainFolderOf(world: RestoreWorld, iteration: NodeTreeIteration): string {
  if (!iteration.folder) throw new Error(`iteration ${iteration.name} has no folder`);
  return join(world.node.tree.retainRoot, relative(world.node.tree.backupRoot, iteration.folder));
}

/** A file of the iteration (saved state or disk image) copied into its retain folder that has started but not finished: the copy is under way. */
export function copyUnderWay(world: RestoreWorld, iteration: NodeTreeIteration): string | null {
  const folder = retainFolderOf(world, iteration);
  if (!existsSync(folder)) return null;
  for (const f of iteration.files.filter((x) => x.kind === 'disk' || x.kind === 'state')) {
    const path = join(folder, f.name);
    if (existsSync(path) && statSync(path).size > 0 && statSync(path).size < f.sizeBytes) return path;
  }
  return null;
}

/** Each live image's bytes and inode, the domain and the machine's subtree: what "exactly as before" compares. */
export async function machineState(world: RestoreWorld, machine: TreeMachine) {
  return {
    images: machine.liveImages.map((i) => ({ disk: i.disk, sha256: sha256(i.path), inode: statSync(i.path).ino })),
    domain: domainOf(world, machine.uuid),
    directory: await directorySnapshot(world, machine.uuid),
  };
}

/** Each live image of the machine is byte for byte its disk's image in the iteration. */
export function expectImagesFrom(machine: TreeMachine, iteration: Pick<NodeTreeIteration, 'files'>): void {
  for (const live of machine.liveImages) {
    const backup = iteration.files.find((f) => f.kind === 'disk' && f.disk === live.disk);
    expect(backup, live.disk).toBeDefined();
    expect(sha256(live.path), live.disk).toBe(sha256(backup!.path));
  }
}

/** What virsh was asked to do to domains since `since` (to one machine's only, given its uuid), by anyone: the console, a daemon, the broker. */
export function virshVerbs(world: RestoreWorld, since: Date, uuid?: string): string[] {
  return readVirshCalls(world.node.node.virshStateDir, since)
    .filter((c) => !uuid || c.args.some((a) => a.toLowerCase() === uuid || a.includes(`/${uuid}/`) || a.includes(`${uuid}.`)))
    .map((c) => c.args.find((a) => ['shutdown', 'destroy', 'undefine', 'define', 'restore', 'start'].includes(a)))
    .filter((verb): verb is string => Boolean(verb));
}

/** Phase 1 as the administrator does it, every conflict decided `choice`, up to the confirmation (through lib/restore/phase1). */
export async function confirmRestoreAsAdmin(ref: { machineUuid: string; iteration: string }, choice: 'backup' | 'live' = 'backup') {
  const { startRestore, resolveConflicts, confirmRestore } = await import('@/lib/restore/phase1');
  const { loadConflicts } = await import('@/lib/restore/service');
  const { consoleInstance } = await import('@/lib/restore/runner');
  await startRestore(ref, 'admin', consoleInstance());
  const conflicts = await loadConflicts(ref);
  expect(await resolveConflicts(ref, decideAll(conflicts, choice), 'admin')).toEqual({
    ok: true,
  });
  await confirmRestore(ref, 'admin');
}

export function withDirectoryClient<T>(world: RestoreWorld, work: (client: Client) => Promise<T>): Promise<T> {
  return withRootConnection(world.slapd, (client) => work(client));
}

/** Replaces an attribute's values in the world's directory, behind the console's back. */
export async function replaceAttribute(world: RestoreWorld, dn: string, type: string, values: string[]): Promise<void> {
  await withDirectoryClient(world, (client) =>
    client.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type, values }) })]),
  );
}

type Entries = Record<string, Record<string, string[]>>;

function toEntries(found: { dn: string; [k: string]: unknown }[]): Entries {
  const out: Entries = {};
  for (const e of found) {
    const attrs: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(e)) {
      if (name === 'dn') continue;
      attrs[name] = storedStrings(value).sort();
    }
    out[e.dn.toLowerCase()] = attrs;
  }
  return out;
}

/** The machine's whole subtree (iterations and journals included) and its DHCP reservation, as stored. */
export async function directorySnapshot(world: RestoreWorld, machineUuid: string): Promise<Entries> {
  return withDirectoryClient(world, async (client) => {
    const subtree = await client.search(world.dn.machine(machineUuid), { scope: 'sub', attributes: ['*'] });
    const dhcp = await client.search(world.dn.dhcp, {
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

export function domainOf(world: RestoreWorld, uuid: string): StandInDomain | null {
  return readDomain(world.node.node.virshStateDir, uuid);
}
