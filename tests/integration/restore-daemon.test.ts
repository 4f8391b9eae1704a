import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunningNodeDaemon } from '../fixtures/daemons/node-daemon';
import type { RunningBrokerTransitions } from '../fixtures/daemons/broker-transitions';
import {
  directoryEntry,
  directorySnapshot,
  domainOf,
  expectImagesFrom,
  restoreWorldForFile,
  retainFolderOf,
  startWorldBroker,
  startWorldNodeDaemon,
  treeMachine,
  virshVerbs,
  withDirectoryClient,
} from './restore-world';
import { fileSnapshot, sha256 } from '../support/file-snapshot';
import { consoleProcess, killConsoleProcesses } from './console-process';
import { DEMO } from '../../scripts/directory/demo-directory';
import { sleep, waitFor } from '../support/wait-for';
import { decideAll } from '../fixtures/decisions';

// The actions run exactly as in the console, signed in as the demo administrator; only the browser and Next's cache are stand-ins.
vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

/**
 * Issue #10: restores beside the node daemon and the broker, against the daemon stand-in
 * (tests/fixtures/daemons/node-daemon.ts, found over SSH like the real daemon) and the broker's
 * transitions (broker-transitions.ts). node-01's executor is found out over SSH; NODE_DAEMON says
 * the daemon does not run on node-02, so the console executes there even while a daemon
 * stand-in serves node-02.
 */
const NODE_1 = 'node-01.stoney-cloud.org';
const NODE_2 = 'node-02.stoney-cloud.org';
const DAEMON_TIMEOUT_SECONDS = 4;
const LEASE_SECONDS = 2;

/** How long a test waits for the daemon stand-in or a console to get somewhere, unless it says otherwise. */
const DAEMON_WAIT_MS = 90_000;

let daemon: RunningNodeDaemon | null = null;
let broker: RunningBrokerTransitions | null = null;

// The cp and rm fixtures first on the node's PATH: the real ones unless a fault of world.faults is on.
const world = restoreWorldForFile({
  env: {
    NODE_DAEMON: `${NODE_2}=absent`,
    RESTORE_DAEMON_TIMEOUT_SECONDS: String(DAEMON_TIMEOUT_SECONDS),
    RESTORE_LEASE_SECONDS: String(LEASE_SECONDS),
    // The broker's transitions run every 300 ms where a test starts them; the console leaves it 2 s.
    RESTORE_BROKER_WAIT_SECONDS: '2',
  },
  signedInAs: DEMO.logins.admin,
  nodeTools: ['cp', 'rm'],
});

afterEach(async () => {
  world.faults.slowCopies(null);
  world.faults.failRemoval(null);
  killConsoleProcesses();
  await broker?.stop();
  broker = null;
  await daemon?.stop();
  daemon = null;
});

const actions = () => import('@/app/(console)/machines/[uuid]/restore/[iteration]/actions');
const service = () => import('@/lib/restore/service');

async function iterationEntry(uuid: string, iteration: string) {
  const { readIterationStatus } = await import('@/lib/ldap/restore');
  return readIterationStatus(uuid, iteration);
}

async function stageOf(uuid: string, iteration: string) {
  const { readRestoreStatus, iterationRef } = await service();
  return (await readRestoreStatus(iterationRef(uuid, iteration))).view.stage;
}

/**
 * Waits until the restore's page shows `stage`; `settling`: what this console drives in the
 * background is let finish between two looks.
 */
async function untilStage(what: string, uuid: string, iteration: string, stage: string, { settling = false } = {}): Promise<void> {
  const { settle } = await import('@/lib/restore/runner');
  await waitFor(
    what,
    async () => {
      if (settling) await settle();
      return (await stageOf(uuid, iteration)) === stage;
    },
    DAEMON_WAIT_MS,
  );
}

/** Every SSH command the console runs meanwhile (lib/ssh's observer). */
async function observeCommands() {
  const { observeNodeCommands } = await import('@/lib/ssh');
  const seen: string[][] = [];
  const stop = observeNodeCommands((c) => seen.push([...c.argv]));
  return { seen, stop };
}

/** The commands the daemon executed for one iteration, once it has logged `count` of them (it logs after its last write). */
async function executedFor(dn: string, count: number): Promise<[string | undefined, number | undefined][]> {
  await waitFor(
    `the daemon to log ${count} executed command(s)`,
    () => (daemon?.logFor(dn).filter((l) => l.event === 'executed').length ?? 0) >= count,
    30_000,
  );
  return (daemon?.logFor(dn) ?? []).filter((l) => l.event === 'executed').map((l) => [l.command, l.returnValue]);
}

/** Commands that copy, move or restore on the node: the node steps the daemon executes in a daemon-driven restore. */
function nodeStepsIn(commands: string[][]): string[] {
  return commands.flatMap((argv) => {
    if (argv[0] === 'sh' && /\bcp -p -T\b/.test(argv[2] ?? '')) return [`copy ${argv[4]}`];
    if (argv[0] === 'sh' && /\bmv -T\b/.test(argv[2] ?? '')) return [`move ${argv[4]}`];
    if (argv[0] === 'cp' || argv[0] === 'mv') return [argv.join(' ')];
    if (argv[0] === 'virsh' && argv.some((a) => ['restore', 'start', 'undefine'].includes(a))) return [argv.join(' ')];
    return [];
  });
}

async function journalChildren(uuid: string, iteration: string): Promise<string[]> {
  return withDirectoryClient(world, async (client) => {
    const { searchEntries } = await client.search(world.dn.iteration(uuid, iteration), { scope: 'one', attributes: ['ou'] });
    return searchEntries.map((e) => e.dn);
  });
}

/** Phase 1 through the actions (every conflict from the backup), up to the plan. */
async function decideEverything(uuid: string, iteration: string, choice: 'backup' | 'live' = 'backup') {
  const { resolveConflictsAction } = await actions();
  const { loadConflicts, iterationRef } = await service();
  const conflicts = await loadConflicts(iterationRef(uuid, iteration));
  const decisions = decideAll(conflicts, choice);
  expect(await resolveConflictsAction({ uuid, iteration, decisions })).toEqual({ ok: true, data: null });
  return conflicts;
}

describe('knowing who executes on each node', () => {
  it('finds the daemon stand-in over SSH as it finds the real daemon, and shows how on the Nodes page', async () => {
    const { nodeDaemonStatus } = await import('@/lib/restore/executor');
    // Nothing decides for node-01 but what the console finds there.
    expect((await nodeDaemonStatus(NODE_1)).source).toBe('detected');

    daemon = await startWorldNodeDaemon(world, NODE_1);
    const found = await nodeDaemonStatus(NODE_1);
    expect(found).toMatchObject({ runs: true, source: 'detected' });
    expect(found.summary).toContain(`process ${daemon.pid}`);
    expect(found.summary).toContain(daemon.configPath);
    expect(found.detected?.evidence.join(' ')).toMatch(/SERVICE Backup, TYPE KVM, ENVIRONMENT node-01\.stoney-cloud\.org/);
    // The same daemon seen from node-02 (the one test node plays both): it serves node-01 only.
    // NODE_DAEMON decides for node-02, and the page shows what was found there as well.
    const other = await nodeDaemonStatus(NODE_2, 'always');
    expect(other).toMatchObject({ runs: false, source: 'NODE_DAEMON' });
    expect(other.detected?.summary).toMatch(/serves node-01\.stoney-cloud\.org .* ignores the machines of node-02/);

    const { readNodes } = await import('@/lib/inventory/nodes');
    const nodes = await readNodes();
    expect(nodes.nodes.find((n) => n.name === NODE_1)?.daemon).toMatchObject({ runs: true, source: 'detected' });
    expect(nodes.nodes.find((n) => n.name === NODE_2)?.daemon).toMatchObject({ runs: false, source: 'NODE_DAEMON' });
  }, 120_000);
});

describe('a daemon-driven restore', () => {
  it('of web-01 completes through the node daemon: each command executed once, no node step run by the console, the result byte-identical', async () => {
    daemon = await startWorldNodeDaemon(world, NODE_1);
    const { startRestoreAction, confirmRestoreAction } = await actions();
    const { loadPreflight, loadConflicts, readRestoreStatus, iterationRef } = await service();
    const { settle } = await import('@/lib/restore/runner');
    const web = treeMachine(world, 'web-01');
    const chosen = web.iterations[0];
    const ref = iterationRef(web.uuid, chosen.name);
    const dn = world.dn.iteration(web.uuid, chosen.name);
    const retainBefore = fileSnapshot(world.node.tree.retainRoot);
    const since = new Date();

    const preflight = await loadPreflight(ref);
    expect(preflight.checks.filter((c) => !c.ok)).toEqual([]);
    expect(preflight.executor).toMatchObject({ executor: 'daemon', source: 'detected' });
    expect(preflight.checks.map((c) => c.label)).toContain('The node daemon reads the backup root as configured');

    const commands = await observeCommands();
    try {
      expect(await startRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
      // The lock is a command with state 0 only for the daemon; the page follows its answer.
      await untilStage('the daemon to unretain the small files', web.uuid, chosen.name, 'deciding');
      const conflicts = await loadConflicts(ref);
      expect(conflicts.conflicts.map((c) => c.id).sort()).toEqual(['ldap:vm:description', 'memory', 'xml:devices/video/model@vram']);
      const { resolveConflictsAction } = await actions();
      expect(
        await resolveConflictsAction({
          uuid: web.uuid,
          iteration: chosen.name,
          decisions: {
            memory: { choice: 'backup' },
            'ldap:vm:description': { choice: 'live' },
            'xml:devices/video/model@vram': { choice: 'backup' },
          },
        }),
      ).toEqual({ ok: true, data: null });
      expect(domainOf(world, web.uuid)?.state).toBe('running');
      expect(await confirmRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
      await waitFor(
        'the restore to finish',
        async () => {
          await settle();
          return (await iterationEntry(web.uuid, chosen.name))?.mode === 'finished';
        },
        DAEMON_WAIT_MS,
      );
      await settle();
    } finally {
      commands.stop();
    }

    const status = await readRestoreStatus(ref);
    expect(status.view.failure).toBeNull();
    expect(status.view).toMatchObject({ stage: 'finished', executor: 'daemon' });
    expect(status.view.steps.every((s) => s.status === 'done')).toBe(true);
    // The daemon executed each command exactly once, successfully.
    expect(await executedFor(dn, 3)).toEqual([
      ['unretainSmallFiles', 0],
      ['unretainLargeFiles', 0],
      ['restore', 0],
    ]);
    expect(daemon.logFor(dn).filter((l) => l.event === 'answered-18')).toEqual([]);
    // The console copied, moved and restored nothing itself; it stopped the machine and defined the resolved XML, the daemon restored it.
    expect(nodeStepsIn(commands.seen)).toEqual([]);
    expect(virshVerbs(world, since, web.uuid)).toEqual(['define', 'shutdown', 'restore']);
    // Byte-identical live images, the directory and domain as decided, every iteration kept.
    expectImagesFrom(web, chosen);
    const vm = await directoryEntry(world, world.dn.machine(web.uuid));
    expect(vm?.sstMemory).toEqual(['2147483648']);
    expect(vm?.description).toEqual(['Public web server, memory raised to 4 GiB for the spring sale']);
    const domain = domainOf(world, web.uuid);
    expect(domain).toMatchObject({ state: 'running', persistent: true });
    expect(domain?.xml).toContain("<memory unit='KiB'>2097152</memory>");
    expect(domain?.xml).toMatch(/vram='16384'/);
    expect(await iterationEntry(web.uuid, chosen.name)).toMatchObject({ mode: 'finished', returnValue: 0 });
    expect(fileSnapshot(world.node.tree.retainRoot)).toEqual(retainBefore);
    // Nothing below the iteration leaf; the journal is in the console's own subtree, and closed.
    expect(await journalChildren(web.uuid, chosen.name)).toEqual([]);
    const journalEntry = await directoryEntry(world, world.dn.restoreJournal(web.uuid, chosen.name));
    expect(journalEntry?.seeAlso?.[0]?.toLowerCase()).toBe(dn.toLowerCase());
    expect(journalEntry?.businessCategory).toBeUndefined();
    expect(status.journal.map((r) => r.step)).toEqual(
      expect.arrayContaining([
        'started',
        'commanded',
        'daemon-answered',
        'xml-installed',
        'large-files-verified',
        'directory-restored',
        'domain-defined',
        'machine-stopped',
        'domain-started',
        'finished',
      ]),
    );
  }, 120_000);

  it('is refused by the pre-flight when the console’s copy of the resolved files would be reached through a link', async () => {
    daemon = await startWorldNodeDaemon(world, NODE_1);
    const { loadPreflight, iterationRef } = await service();
    const web = treeMachine(world, 'web-01');
    const chosen = web.iterations[1];
    const retainFolder = retainFolderOf(world, chosen);
    const elsewhere = join(world.node.tree.root, 'elsewhere');
    const created = mkdirSync(dirname(retainFolder), { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
    symlinkSync(elsewhere, `${retainFolder}.resolved`);
    try {
      const preflight = await loadPreflight(iterationRef(web.uuid, chosen.name));
      expect(preflight.executor?.executor).toBe('daemon');
      const paths = preflight.checks.find((c) => c.label === 'Every path stays in its folder on the node');
      expect(paths).toMatchObject({ ok: false, detail: expect.stringMatching(/\.resolved is a symbolic link/) });
    } finally {
      rmSync(`${retainFolder}.resolved`);
      rmSync(elsewhere, { recursive: true });
      if (created) rmSync(created, { recursive: true });
    }
  }, 120_000);

  it('with the broker moving modes on every 300 ms: it stops the machine and asks for the restore, the console follows, and the restore completes', async () => {
    daemon = await startWorldNodeDaemon(world, NODE_1);
    broker = await startWorldBroker(world, 300);
    const { startRestoreAction, confirmRestoreAction } = await actions();
    const { readRestoreStatus, iterationRef } = await service();
    const files = treeMachine(world, 'files-01');
    const chosen = files.iterations[0];
    const dn = world.dn.iteration(files.uuid, chosen.name);
    const since = new Date();
    expect(await startRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await untilStage('the daemon to unretain the small files', files.uuid, chosen.name, 'deciding');
    await decideEverything(files.uuid, chosen.name, 'live');
    expect(await confirmRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await untilStage('the restore to finish', files.uuid, chosen.name, 'finished', { settling: true });
    const status = await readRestoreStatus(iterationRef(files.uuid, chosen.name));
    expect(status.view.failure).toBeNull();
    expect(await executedFor(dn, 3)).toEqual([
      ['unretainSmallFiles', 0],
      ['unretainLargeFiles', 0],
      ['restore', 0],
    ]);
    // The broker did what fact 2 says, once: it stopped the machine and asked for the restore; the console asked for neither.
    expect(
      broker
        .logFor(dn)
        .map((l) => l.event)
        .slice(0, 2),
    ).toEqual(['machine-stopped', 'restore-asked']);
    expect(broker.logFor(dn).filter((l) => l.event === 'restore-asked')).toHaveLength(1);
    expect(status.view.followedBroker).toBe(true);
    expect(status.journal.filter((r) => r.step === 'commanded').map((r) => (r as { mode: string }).mode)).toEqual([
      'unretainSmallFiles',
      'unretainLargeFiles',
    ]);
    // The decisions are the console's whoever asked for the restore: the directory entries and the definition.
    expect(status.journal.map((r) => r.step)).toEqual(expect.arrayContaining(['directory-restored', 'domain-defined', 'followed']));
    expect([...virshVerbs(world, since, files.uuid)].sort()).toEqual(['define', 'destroy', 'restore']);
    expect(await iterationEntry(files.uuid, chosen.name)).toMatchObject({ mode: 'finished', returnValue: 0 });
    expect(domainOf(world, files.uuid)).toMatchObject({ state: 'running', persistent: true });
    expectImagesFrom(files, chosen);
  }, 120_000);

  it('aborted in phase 1 leaves images, domain, directory and retain directory as they were', async () => {
    daemon = await startWorldNodeDaemon(world, NODE_1);
    const { startRestoreAction, abortRestoreAction } = await actions();
    const web = treeMachine(world, 'web-01');
    const chosen = web.iterations[1];
    const before = {
      files: fileSnapshot(world.node.tree.virtualizationRoot),
      directory: await directorySnapshot(world, web.uuid),
      domain: domainOf(world, web.uuid),
    };
    expect(await startRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await untilStage('the daemon to unretain the small files', web.uuid, chosen.name, 'deciding');
    await decideEverything(web.uuid, chosen.name);
    expect(await abortRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    expect(await stageOf(web.uuid, chosen.name)).toBe('not-a-restore');
    expect(fileSnapshot(world.node.tree.virtualizationRoot)).toEqual(before.files);
    expect(await directorySnapshot(world, web.uuid)).toEqual(before.directory);
    expect(domainOf(world, web.uuid)).toEqual(before.domain);
    const dn = world.dn.iteration(web.uuid, chosen.name);
    expect(await executedFor(dn, 1)).toEqual([['unretainSmallFiles', 0]]);
  }, 120_000);

  it('a failure answered by the daemon is explained with its code, changes nothing live, and can be aborted', async () => {
    daemon = await startWorldNodeDaemon(world, NODE_1);
    const { startRestoreAction, confirmRestoreAction, abortRestoreAction } = await actions();
    const { readRestoreStatus, iterationRef } = await service();
    const files = treeMachine(world, 'files-01');
    const chosen = files.iterations[1] ?? files.iterations[0];
    const image = chosen.files.find((f) => f.kind === 'disk')!;
    const original = readFileSync(image.path);
    const damaged = Buffer.from(original);
    damaged.write('XXXX', 0, 'latin1');
    writeFileSync(image.path, damaged);
    const liveBefore = files.liveImages.map((i) => sha256(i.path));
    const domainBefore = domainOf(world, files.uuid);
    try {
      expect(await startRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
      await untilStage('the daemon to unretain the small files', files.uuid, chosen.name, 'deciding');
      await decideEverything(files.uuid, chosen.name, 'live');
      expect(await confirmRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
      await untilStage('the failure', files.uuid, chosen.name, 'failed', { settling: true });
      const status = await readRestoreStatus(iterationRef(files.uuid, chosen.name));
      expect(status.view.failure).toMatchObject({
        returnValue: 38,
        returnName: 'CORRUPT_DISK_IMAGE_FOUND',
        by: 'daemon',
        reissue: 'unretainLargeFiles',
      });
      expect(status.view.failure?.reason).toMatch(
        /node daemon on node-01\.stoney-cloud\.org was asked to copy the saved state and the disk images .* answered 38 \(CORRUPT_DISK_IMAGE_FOUND\): A disk image failed qemu-img check\./,
      );
      expect(status.view.failure?.machineState).toMatch(/Nothing live has changed/);
      // The daemon's failure keeps its code; the state is no longer 0, so it does not read as a command.
      const entry = await iterationEntry(files.uuid, chosen.name);
      expect(entry).toMatchObject({ mode: 'unretainingLargeFiles', returnValue: 38 });
      expect(entry?.state).not.toBe('0');
      expect(status.view.canAbort).toBe(true);
      expect(files.liveImages.map((i) => sha256(i.path))).toEqual(liveBefore);
      expect(domainOf(world, files.uuid)).toEqual(domainBefore);
      expect(await abortRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
      expect(await iterationEntry(files.uuid, chosen.name)).toMatchObject({ mode: 'finished' });
    } finally {
      writeFileSync(image.path, original);
    }
  }, 120_000);

  it('a daemon that never answers: the command is withdrawn after the stated time and explained; a retry asks again', async () => {
    daemon = await startWorldNodeDaemon(world, NODE_1);
    daemon.pause();
    const { startRestoreAction, retryRestoreAction, abortRestoreAction } = await actions();
    const { readRestoreStatus, iterationRef } = await service();
    const web = treeMachine(world, 'web-01');
    const chosen = web.iterations[1];
    const ref = iterationRef(web.uuid, chosen.name);
    expect(await startRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    // Waiting: the page says for what, and the restore cannot be aborted under the daemon's feet.
    const waiting = await readRestoreStatus(ref);
    expect(waiting.view.waitingForDaemon).toMatchObject({ command: 'unretainSmallFiles', taken: false });
    expect(waiting.view.canAbort).toBe(false);
    expect(waiting.view.abortBlocked).toMatch(/node daemon has been asked/);
    await untilStage('the console to give up', web.uuid, chosen.name, 'failed', { settling: true });
    const status = await readRestoreStatus(ref);
    expect(status.view.failure).toMatchObject({
      returnValue: 901,
      returnName: 'NODE_DAEMON_DID_NOT_ANSWER',
      during: 'waiting for the node daemon to take unretainSmallFiles',
    });
    expect(status.view.failure?.reason).toContain(
      `did not take the command unretainSmallFiles within ${DAEMON_TIMEOUT_SECONDS} s (RESTORE_DAEMON_TIMEOUT_SECONDS)`,
    );
    const withdrawn = await iterationEntry(web.uuid, chosen.name);
    expect(withdrawn).toMatchObject({ mode: 'unretainSmallFiles', returnValue: 901 });
    expect(withdrawn?.state).toMatch(/^\d{8}T\d{6}Z$/);
    expect(status.view.canAbort).toBe(true);

    // The daemon comes back: a retry asks it again, and it answers.
    daemon.resume();
    expect(await retryRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await untilStage('the daemon to unretain the small files', web.uuid, chosen.name, 'deciding');
    expect(await executedFor(world.dn.iteration(web.uuid, chosen.name), 1)).toEqual([['unretainSmallFiles', 0]]);
    expect(await abortRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
  }, 120_000);
});

describe('a daemon-driven restore whose last step fails', () => {
  it('after the daemon restored the machine: the console’s removal is retried, then marked as finished naming what it leaves', async () => {
    daemon = await startWorldNodeDaemon(world, NODE_1);
    const { startRestoreAction, confirmRestoreAction, retryRestoreAction, finishRestoreAction } = await actions();
    const { readRestoreStatus, iterationRef } = await service();
    const { listAudit } = await import('@/lib/audit');
    const files = treeMachine(world, 'files-01');
    const chosen = files.iterations[1] ?? files.iterations[0];
    const ref = iterationRef(files.uuid, chosen.name);
    const retainFolder = retainFolderOf(world, chosen);
    // The daemon removes the retain folder itself; the console's copy of the resolved files beside it cannot be removed.
    const resolvedCopy = `${retainFolder}.resolved`;
    world.faults.failRemoval(resolvedCopy);
    expect(await startRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await untilStage('the daemon to unretain the small files', files.uuid, chosen.name, 'deciding');
    await decideEverything(files.uuid, chosen.name, 'live');
    expect(await confirmRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await untilStage('the failure', files.uuid, chosen.name, 'failed', { settling: true });
    const failed = await readRestoreStatus(ref);
    expect(failed.view.failure).toMatchObject({ during: 'removing the retain folder', returnValue: 46, by: 'console' });
    expect(failed.view).toMatchObject({ canRetry: true, canRetryWithoutState: false, canAbort: false, finishByHandBlocked: null });
    expect(failed.view.finishByHand).toMatchObject({ domainMustBeDefined: false, remains: [expect.stringContaining(resolvedCopy)] });
    expect(await iterationEntry(files.uuid, chosen.name)).toMatchObject({ mode: 'restored', returnValue: 46 });
    expect(domainOf(world, files.uuid)?.state).toBe('running');
    // A retry of the console's own step does not ask the daemon again; with the cause still there it fails the same way.
    expect(await retryRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await untilStage('the failure again', files.uuid, chosen.name, 'failed', { settling: true });
    const again = await readRestoreStatus(ref);
    expect(again.view.failure).toMatchObject({ during: 'removing the retain folder', returnValue: 46 });
    expect(again.journal.filter((r) => r.step === 'followed')).toEqual([]);
    expect(again.journal.filter((r) => r.step === 'commanded').map((r) => (r as { mode: string }).mode)).toEqual([
      'unretainSmallFiles',
      'unretainLargeFiles',
      'restore',
    ]);
    expect(await executedFor(world.dn.iteration(files.uuid, chosen.name), 3)).toEqual([
      ['unretainSmallFiles', 0],
      ['unretainLargeFiles', 0],
      ['restore', 0],
    ]);

    expect(await finishRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    const status = await readRestoreStatus(ref);
    expect(status.view.stage).toBe('finished');
    expect(status.journal[status.journal.length - 1]).toMatchObject({
      step: 'finished',
      by: 'admin',
      remains: [expect.stringContaining(resolvedCopy)],
    });
    expect(await iterationEntry(files.uuid, chosen.name)).toMatchObject({ mode: 'finished', returnValue: 0 });
    // The journal is closed (no lease): no console takes it for an open restore.
    const journalEntry = await directoryEntry(world, world.dn.restoreJournal(files.uuid, chosen.name));
    expect(journalEntry?.businessCategory).toBeUndefined();
    expect((await listAudit({ machineUuid: files.uuid })).records[0]).toMatchObject({
      action: 'restore.finish',
      note: expect.stringContaining(resolvedCopy),
    });
    // Nothing on the node was touched by marking it finished.
    expect(existsSync(resolvedCopy)).toBe(true);
    rmSync(resolvedCopy, { recursive: true });
  }, 120_000);
});

describe('a console killed in phase 2 of a daemon-driven restore and started again', () => {
  it('leaves the daemon to its step; the next console takes over, follows its answers and finishes, each command executed once', async () => {
    daemon = await startWorldNodeDaemon(world, NODE_1);
    const { startRestore, resolveConflicts, confirmRestore } = await import('@/lib/restore/phase1');
    const { loadConflicts, readRestoreStatus, iterationRef } = await service();
    const { consoleInstance } = await import('@/lib/restore/runner');
    const web = treeMachine(world, 'web-01');
    const chosen = web.iterations[2] ?? web.iterations[1];
    const ref = iterationRef(web.uuid, chosen.name);
    const dn = world.dn.iteration(web.uuid, chosen.name);
    expect(await startRestore(ref, 'admin', consoleInstance())).toBe('daemon');
    await waitFor(
      'the daemon to unretain the small files',
      async () => (await iterationEntry(web.uuid, chosen.name))?.mode === 'unretainedSmallFiles',
      DAEMON_WAIT_MS,
    );
    const conflicts = await loadConflicts(ref);
    expect(await resolveConflicts(ref, decideAll(conflicts, 'backup'), 'admin')).toEqual({ ok: true });
    world.faults.slowCopies(6);
    await confirmRestore(ref, 'admin');
    // A console drives (waits for the daemon's copies); the daemon copies slowly; the console dies.
    const first = consoleProcess(['drive', ref.machineUuid, ref.iteration], { RESTORE_DAEMON_TIMEOUT_SECONDS: '60' });
    await first.said('driving');
    const retainFolder = retainFolderOf(world, chosen);
    await waitFor(
      'a copy under way',
      () =>
        chosen.files.some(
          (f) => f.kind === 'disk' && existsSync(join(retainFolder, f.name)) && statSync(join(retainFolder, f.name)).size < f.sizeBytes,
        ),
      DAEMON_WAIT_MS,
    );
    first.child.kill('SIGKILL');
    world.faults.slowCopies(null);
    // Nobody watches: the daemon finishes its step regardless, and the restore waits there, nothing live changed.
    await waitFor(
      'the daemon to finish the copies',
      async () => (await iterationEntry(web.uuid, chosen.name))?.mode === 'unretainedLargeFiles',
      DAEMON_WAIT_MS,
    );
    await sleep(LEASE_SECONDS * 1000 + 200);
    const meanwhile = await readRestoreStatus(ref);
    expect(meanwhile.view).toMatchObject({ stage: 'copying-large-files', executor: 'daemon' });
    expect(meanwhile.view.driver?.stale).toBe(true);
    expect(domainOf(world, web.uuid)?.state).toBe('running');

    const second = consoleProcess(['start'], { RESTORE_DAEMON_TIMEOUT_SECONDS: '60' });
    await waitFor('the restore to finish', async () => (await stageOf(web.uuid, chosen.name)) === 'finished', 150_000);
    const after = await readRestoreStatus(ref);
    expect(after.view.failure).toBeNull();
    expect(after.journal.find((r) => r.step === 'resumed')).toBeDefined();
    expect(await executedFor(dn, 3)).toEqual([
      ['unretainSmallFiles', 0],
      ['unretainLargeFiles', 0],
      ['restore', 0],
    ]);
    expectImagesFrom(web, chosen);
    expect(domainOf(world, web.uuid)).toMatchObject({ state: 'running', persistent: true });
    second.child.kill('SIGKILL');
  }, 180_000);
});

describe('a console-driven restore beside a daemon and the broker', () => {
  it('of db-01 completes while the daemon stand-in serves its node and the broker runs, and neither ever acts on it', async () => {
    // The daemon serves node-02 but NODE_DAEMON says the console executes there: it sees every change and must find nothing to do.
    daemon = await startWorldNodeDaemon(world, NODE_2);
    broker = await startWorldBroker(world, 300);
    const { startRestoreAction, confirmRestoreAction } = await actions();
    const { readRestoreStatus, iterationRef } = await service();
    const { settle } = await import('@/lib/restore/runner');
    const db = treeMachine(world, 'db-01');
    const chosen = db.iterations[0];
    const dn = world.dn.iteration(db.uuid, chosen.name);
    const since = new Date();
    expect(await startRestoreAction({ uuid: db.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    expect(await stageOf(db.uuid, chosen.name)).toBe('deciding');
    // The daemon has looked at the leaf in phase 1 (how often it looks depends on how fast the node is).
    await waitFor('the daemon stand-in to see the restore in phase 1', () => daemon?.logFor(dn).length);
    await decideEverything(db.uuid, chosen.name);
    expect(await confirmRestoreAction({ uuid: db.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await settle();
    await waitFor('the daemon stand-in to see the finished iteration', () => daemon?.logFor(dn).some((l) => l.mode === 'finished'));
    // Give both a few more rounds to act, if they were going to.
    await sleep(1500);
    const status = await readRestoreStatus(iterationRef(db.uuid, chosen.name));
    expect(status.view.failure).toBeNull();
    expect(status.view).toMatchObject({ stage: 'finished', executor: 'console' });
    expect(await iterationEntry(db.uuid, chosen.name)).toMatchObject({ mode: 'finished', returnValue: 0 });
    expectImagesFrom(db, chosen);
    expect(virshVerbs(world, since, db.uuid)).toEqual(['shutdown', 'undefine', 'define', 'restore']);
    // The daemon saw the iteration change, in phase 1 and at the end, and never acted: no state 0 ever.
    const seen = daemon.logFor(dn);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((l) => l.event === 'ignored' && l.why === 'state is not 0')).toBe(true);
    expect(seen.map((l) => l.mode)).toContain('finished');
    // The broker never moved it: neither unretainedLargeFiles nor restored with return value 0 was ever written.
    expect(broker.logFor(dn)).toEqual([]);
    expect(broker.log().some((l) => l.event === 'started')).toBe(true);
  }, 120_000);
});
