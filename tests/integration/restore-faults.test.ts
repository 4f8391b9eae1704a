import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ignoreShutdown, readVirshCalls } from '../../scripts/node/virsh-state';
import { demoMachine, domainOf, fileSnapshot, sha256, startRestoreWorld, type RestoreWorld } from './restore-world';
import { DEMO } from '../../scripts/directory/demo-directory';
import { signInAs } from '../support/sign-in';

// The actions run exactly as in the console, signed in as the demo administrator; only the browser and Next's cache are stand-ins.
vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));
// A restore runs dozens of commands on the node, each a round trip that a busy machine makes slow.
vi.setConfig({ testTimeout: 120_000 });

/**
 * What happens when things break in the middle of a restore: the SSH connection is cut while
 * the large files are copied, the console process is killed (during the copy, and while it
 * waits for the machine to shut down) and started again, and a second restore of the same
 * machine is started while one is open. Each time the state is explained and nothing live is
 * half-written.
 */
let world: RestoreWorld;
const children: ChildProcess[] = [];
const LEASE_SECONDS = 2;

beforeAll(async () => {
  world = await startRestoreWorld({ RESTORE_LEASE_SECONDS: String(LEASE_SECONDS) });
  await signInAs(DEMO.logins.admin);
  // The slow cp and failing mv fixtures go first on the node's PATH; they are the real ones unless slowCopies() or failRenames() is on.
  for (const tool of ['cp', 'mv']) {
    const path = join(world.node.node.dir, 'bin', tool);
    copyFileSync(join(process.cwd(), 'tests', 'fixtures', 'node-bin', tool), path);
    chmodSync(path, 0o755);
  }
}, 60_000);

afterEach(() => {
  slowCopies(null);
  failRenames(null);
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

afterAll(async () => {
  await world?.stop();
});

function slowCopies(seconds: number | null): void {
  const flag = join(world.node.node.virshStateDir, 'slow-cp');
  if (seconds === null) rmSync(flag, { force: true });
  else writeFileSync(flag, String(seconds));
}

/** While set, `mv -T -- src dst` of a source whose path contains `pattern` fails on the node. */
function failRenames(pattern: string | null): void {
  const flag = join(world.node.node.virshStateDir, 'fail-mv');
  if (pattern === null) rmSync(flag, { force: true });
  else writeFileSync(flag, pattern);
}

function treeMachine(name: string) {
  const uuid = demoMachine(name).uuid;
  const m = world.node.tree.machines.find((x) => x.uuid === uuid);
  if (!m) throw new Error(`${name} is not in the node tree`);
  return { ...m, iterations: [...m.iterations].filter((i) => i.folder).sort((a, b) => b.name.localeCompare(a.name)) };
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Phase 1 as the administrator does it (every conflict taken from the backup), up to the confirmation. */
async function confirmedRestore(name: string, iterationIndex: number) {
  const { startRestore, resolveConflicts, confirmRestore } = await import('@/lib/restore/phase1');
  const { loadConflicts, iterationRef } = await import('@/lib/restore/service');
  const { consoleInstance } = await import('@/lib/restore/runner');
  const machine = treeMachine(name);
  const iteration = machine.iterations[iterationIndex];
  const ref = iterationRef(machine.uuid, iteration.name);
  await startRestore(ref, 'admin', consoleInstance());
  const conflicts = await loadConflicts(ref);
  expect(
    await resolveConflicts(ref, Object.fromEntries(conflicts.conflicts.map((c) => [c.id, { choice: 'backup' as const }])), 'admin'),
  ).toEqual({ ok: true });
  await confirmRestore(ref, 'admin');
  return { machine, iteration, ref };
}

/** A retain copy that has started but not finished: the copy is under way. */
function partialCopy(folder: string, iteration: { files: { name: string; kind: string; sizeBytes: number }[] }): string | null {
  if (!existsSync(folder)) return null;
  for (const f of iteration.files.filter((x) => x.kind === 'disk' || x.kind === 'state')) {
    const path = join(folder, f.name);
    if (existsSync(path) && statSync(path).size > 0 && statSync(path).size < f.sizeBytes) return path;
  }
  return null;
}

function retainFolderOf(machine: ReturnType<typeof treeMachine>, iteration: string): string {
  const backupFolder = machine.iterations.find((i) => i.name === iteration)?.folder ?? '';
  return join(world.node.tree.retainRoot, backupFolder.slice(world.node.tree.backupRoot.length + 1));
}

/** Copies still running on the node from the slow cp fixture. */
function fixtureCopiesRunning(): number {
  try {
    return execFileSync('pgrep', ['-f', join(world.node.node.dir, 'bin', 'cp')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** A console process (tests/fixtures/restore-console.ts) the test can kill with SIGKILL. */
function consoleProcess(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string; said: (text: string) => Promise<void> } {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'tests/fixtures/restore-console.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
  return {
    child,
    output: () => text,
    said: (what) => waitFor(`the console to say ${what} (it said: ${text})`, () => text.includes(what), 30_000).then(() => undefined),
  };
}

async function iterationEntry(ref: { machineUuid: string; iteration: string }) {
  const { readIterationModes } = await import('@/lib/ldap/restore');
  return (await readIterationModes(ref.machineUuid)).find((i) => i.name === ref.iteration);
}

describe('the SSH connection is cut while the large files are copied', () => {
  it('fails with the reason, leaves the live machine untouched, and a retry finishes the restore', async () => {
    const { launchPhase2, launchRetry, settle } = await import('@/lib/restore/runner');
    const { readRestoreStatus } = await import('@/lib/restore/service');
    const web = treeMachine('web-01');
    const liveBefore = web.liveImages.map((i) => sha256(i.path));
    const domainBefore = domainOf(world, web.uuid);
    slowCopies(20);
    const { ref, iteration } = await confirmedRestore('web-01', 0);
    expect(await launchPhase2(ref)).toBe(true);
    await waitFor('a copy under way', () => partialCopy(retainFolderOf(web, iteration.name), iteration));
    expect(await world.node.node.dropConnections({ keepCommands: true })).toBeGreaterThan(0);
    await settle();

    const status = await readRestoreStatus(ref);
    expect(status.view.stage).toBe('failed');
    expect(status.view.failure?.during).toMatch(/^copying /);
    expect(status.view.failure?.reason).toMatch(/connection .* was lost/);
    expect(status.view.failure?.machineState).toMatch(/Nothing live has changed/);
    expect(status.view.canRetry).toBe(true);
    expect(await iterationEntry(ref)).toMatchObject({ mode: 'unretainingLargeFiles' });
    expect((await iterationEntry(ref))?.returnValue).not.toBe(0);
    expect(web.liveImages.map((i) => sha256(i.path))).toEqual(liveBefore);
    expect(domainOf(world, web.uuid)).toEqual(domainBefore);
    // sshd does not hang up a command without a terminal: the cut copy is still writing.
    expect(fixtureCopiesRunning()).toBeGreaterThan(0);

    slowCopies(null);
    expect(await launchRetry(ref, 'admin')).toBe(true);
    await settle();
    const after = await readRestoreStatus(ref);
    expect(after.view.failure).toBeNull();
    expect(after.view.stage).toBe('finished');
    // The retry stopped the copy left over from the cut connection before writing the file again.
    expect(fixtureCopiesRunning()).toBe(0);
    for (const live of web.liveImages) {
      expect(sha256(live.path)).toBe(sha256(iteration.files.find((f) => f.kind === 'disk' && f.disk === live.disk)!.path));
    }
    expect(after.journal.map((r) => r.step)).toContain('retried');
  });
});

describe('the console process is killed in phase 2 and started again', () => {
  it('during the copy: the next console takes over once the lease runs out and finishes the restore', async () => {
    const { readRestoreStatus } = await import('@/lib/restore/service');
    const web = treeMachine('web-01');
    slowCopies(30);
    const { ref, iteration } = await confirmedRestore('web-01', 1);
    const first = consoleProcess(['drive', ref.machineUuid, ref.iteration]);
    await first.said('driving');
    await waitFor('a copy under way', () => partialCopy(retainFolderOf(web, iteration.name), iteration));
    first.child.kill('SIGKILL');
    slowCopies(null);

    // What an administrator sees meanwhile: the copy stands, its driver is gone.
    await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 200));
    const meanwhile = await readRestoreStatus(ref);
    expect(meanwhile.view.stage).toBe('copying-large-files');
    expect(meanwhile.view.driver?.stale).toBe(true);
    expect(await iterationEntry(ref)).toMatchObject({ mode: 'unretainingLargeFiles', returnValue: 0 });

    const second = consoleProcess(['start']);
    await waitFor('the restore to finish', async () => (await iterationEntry(ref))?.mode === 'finished', 60_000);
    const after = await readRestoreStatus(ref);
    expect(after.view.stage).toBe('finished');
    expect(after.journal.find((r) => r.step === 'resumed')).toMatchObject({ after: expect.stringMatching(/large-file-copied|confirmed/) });
    expect(fixtureCopiesRunning()).toBe(0);
    for (const live of web.liveImages) {
      expect(sha256(live.path)).toBe(sha256(iteration.files.find((f) => f.kind === 'disk' && f.disk === live.disk)!.path));
    }
    second.child.kill('SIGKILL');
  });

  it('stood still past its lease: the console that took over finishes, and the frozen one steps back without a word', async () => {
    const { readRestoreStatus } = await import('@/lib/restore/service');
    slowCopies(30);
    const web = treeMachine('web-01');
    const { ref, iteration } = await confirmedRestore('web-01', 1);
    const frozen = consoleProcess(['drive', ref.machineUuid, ref.iteration]);
    await frozen.said('driving');
    await waitFor('a copy under way', () => partialCopy(retainFolderOf(web, iteration.name), iteration));
    frozen.child.kill('SIGSTOP');
    slowCopies(null);
    await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 200));
    const other = consoleProcess(['start']);
    await waitFor('the restore to finish', async () => (await iterationEntry(ref))?.mode === 'finished', 60_000);
    frozen.child.kill('SIGCONT');
    await frozen.said('settled');
    const after = await readRestoreStatus(ref);
    expect(after.view.stage).toBe('finished');
    expect(after.journal.map((r) => r.step)).not.toContain('failed');
    expect(await iterationEntry(ref)).toMatchObject({ mode: 'finished', returnValue: 0 });
    other.child.kill('SIGKILL');
  });

  it('while it waits for the machine to shut down: the next console shuts it down again and goes on', async () => {
    const { readRestoreStatus } = await import('@/lib/restore/service');
    const web = treeMachine('web-01');
    ignoreShutdown(world.node.node.virshStateDir, web.uuid);
    try {
      const { ref, iteration } = await confirmedRestore('web-01', 0);
      const since = new Date();
      const first = consoleProcess(['drive', ref.machineUuid, ref.iteration], { RESTORE_SHUTDOWN_TIMEOUT_SECONDS: '60' });
      await first.said('driving');
      await waitFor('virsh shutdown', () => readVirshCalls(world.node.node.virshStateDir, since).some((c) => c.args.includes('shutdown')));
      first.child.kill('SIGKILL');

      // Killed before anything live changed: the machine runs, the directory says where it stopped.
      expect(domainOf(world, web.uuid)?.state).toBe('running');
      const meanwhile = await readRestoreStatus(ref);
      expect(meanwhile.view.stage).toBe('restoring');
      expect(meanwhile.journal.map((r) => r.step)).toContain('large-files-verified');
      expect(meanwhile.journal.map((r) => r.step)).not.toContain('machine-stopped');

      const second = consoleProcess(['start'], { RESTORE_SHUTDOWN_TIMEOUT_SECONDS: '1' });
      await waitFor('the restore to finish', async () => (await iterationEntry(ref))?.mode === 'finished', 60_000);
      const calls = readVirshCalls(world.node.node.virshStateDir, since)
        .map((c) => c.args.find((a) => ['shutdown', 'destroy', 'undefine', 'define', 'restore', 'start'].includes(a)))
        .filter(Boolean);
      expect(calls).toEqual(['shutdown', 'shutdown', 'destroy', 'undefine', 'define', 'restore']);
      expect((await readRestoreStatus(ref)).journal.find((r) => r.step === 'machine-stopped')).toMatchObject({ how: 'destroy' });
      expect(domainOf(world, web.uuid)).toMatchObject({ state: 'running', persistent: true });
      for (const live of web.liveImages) {
        expect(sha256(live.path)).toBe(sha256(iteration.files.find((f) => f.kind === 'disk' && f.disk === live.disk)!.path));
      }
      second.child.kill('SIGKILL');
    } finally {
      ignoreShutdown(world.node.node.virshStateDir, web.uuid, false);
    }
  });
});

describe('a second restore of the same machine', () => {
  it('is refused while one is open, for the same and for another iteration, even when both start at once', async () => {
    const { startRestoreAction, abortRestoreAction } = await import('@/app/(console)/machines/[uuid]/restore/[iteration]/actions');
    const web = treeMachine('web-01');
    const [newest, older] = web.iterations;
    const retainBefore = fileSnapshot(world.node.tree.retainRoot);
    expect(await startRestoreAction({ uuid: web.uuid, iteration: newest.name })).toEqual({ ok: true, data: null });

    const again = await startRestoreAction({ uuid: web.uuid, iteration: newest.name });
    expect(again).toMatchObject({ ok: false, error: expect.stringMatching(/a restore of this iteration is already open/i) });
    const other = await startRestoreAction({ uuid: web.uuid, iteration: older.name });
    expect(other).toMatchObject({ ok: false, error: expect.stringMatching(/one backup or restore per machine at a time/) });
    expect(await abortRestoreAction({ uuid: web.uuid, iteration: newest.name })).toEqual({ ok: true, data: null });

    // Two administrators at the same moment, on two iterations: never both.
    const both = await Promise.all([
      startRestoreAction({ uuid: web.uuid, iteration: newest.name }),
      startRestoreAction({ uuid: web.uuid, iteration: older.name }),
    ]);
    expect(both.filter((r) => r.ok).length).toBeLessThanOrEqual(1);
    for (const [i, r] of both.entries()) {
      if (r.ok) expect(await abortRestoreAction({ uuid: web.uuid, iteration: [newest, older][i].name })).toEqual({ ok: true, data: null });
    }
    // Both back in their previous state, nothing left in the retain directory.
    for (const it of [newest, older])
      expect(await iterationEntry({ machineUuid: web.uuid, iteration: it.name })).toMatchObject({ mode: 'finished' });
    expect(fileSnapshot(world.node.tree.retainRoot)).toEqual(retainBefore);
  });
});

/** Each live image's bytes and inode, the domain and the machine's subtree: what "exactly as before" compares. */
async function machineState(machine: ReturnType<typeof treeMachine>) {
  const { directorySnapshot } = await import('./restore-world');
  return {
    images: machine.liveImages.map((i) => ({ disk: i.disk, sha256: sha256(i.path), inode: statSync(i.path).ino })),
    domain: domainOf(world, machine.uuid),
    directory: await directorySnapshot(world, machine.uuid),
  };
}

async function keptRecordOf(uuid: string, iteration: string) {
  const { listKept } = await import('@/lib/restore/kept');
  const kept = (await listKept(uuid)).find((k) => k.iteration === iteration);
  if (!kept) throw new Error(`nothing kept for ${uuid} ${iteration}`);
  return kept;
}

describe('a copy that differs from the backup', () => {
  it('is caught by the checksums before the machine is touched, and an abort removes the copies beside the live images', async () => {
    const { launchPhase2, settle } = await import('@/lib/restore/runner');
    const { readRestoreStatus } = await import('@/lib/restore/service');
    const { abortRestoreAction } = await import('@/app/(console)/machines/[uuid]/restore/[iteration]/actions');
    const web = treeMachine('web-01');
    const before = await machineState(web);
    const folders = [...new Set(web.liveImages.map((i) => dirname(i.path)))];
    const filesBefore = folders.map((f) => fileSnapshot(f));
    const corrupt = join(world.node.node.virshStateDir, 'corrupt-cp');
    const { ref } = await confirmedRestore('web-01', 0);
    writeFileSync(corrupt, '');
    try {
      expect(await launchPhase2(ref)).toBe(true);
      await settle();
    } finally {
      rmSync(corrupt, { force: true });
    }
    const status = await readRestoreStatus(ref);
    expect(status.view.stage).toBe('failed');
    expect(status.view.failure).toMatchObject({
      returnValue: 37,
      during: expect.stringMatching(/^verifying /),
      machineState: expect.stringMatching(/Nothing live has changed/),
    });
    expect(status.view.failure?.reason).toMatch(/differs from the backup/);
    const failed = await machineState(web);
    expect({ images: failed.images, domain: failed.domain }).toEqual({ images: before.images, domain: before.domain });
    // The copies wait beside the live images; the abort takes them away again, and puts the iteration back.
    expect(folders.map((f) => fileSnapshot(f))).not.toEqual(filesBefore);
    expect(status.view.canAbort).toBe(true);
    expect(await abortRestoreAction({ uuid: ref.machineUuid, iteration: ref.iteration })).toEqual({ ok: true, data: null });
    expect(folders.map((f) => fileSnapshot(f))).toEqual(filesBefore);
    expect(await machineState(web)).toEqual(before);
  });
});

describe('renames interrupted half-way', () => {
  it('in a restore (a live image already renamed to its kept name, its copy not yet in place): the journal says so, a retry finishes from what it finds', async () => {
    const { launchPhase2, launchRetry, settle } = await import('@/lib/restore/runner');
    const { readRestoreStatus } = await import('@/lib/restore/service');
    const { ref, iteration, machine: web } = await confirmedRestore('web-01', 0);
    failRenames('.restoring-');
    expect(await launchPhase2(ref)).toBe(true);
    await settle();
    const failed = await readRestoreStatus(ref);
    expect(failed.view.stage).toBe('failed');
    expect(failed.view.failure).toMatchObject({
      during: 'renaming the images into place',
      returnValue: 40,
      machineState: expect.stringMatching(/stopped and undefined/),
    });
    expect(failed.view.failure?.reason).toMatch(/Input\/output error/);
    // On the node: the first disk's live image is under its kept name, its checked copy still beside it.
    const kept = await keptRecordOf(web.uuid, iteration.name);
    const first = kept.images[0];
    expect(existsSync(first.live)).toBe(false);
    expect(existsSync(first.kept)).toBe(true);
    expect(failed.view.canAbort).toBe(false);

    failRenames(null);
    expect(await launchRetry(ref, 'admin')).toBe(true);
    await settle();
    const after = await readRestoreStatus(ref);
    expect(after.view.failure).toBeNull();
    expect(after.view.stage).toBe('finished');
    for (const live of web.liveImages) {
      expect(sha256(live.path)).toBe(sha256(iteration.files.find((f) => f.kind === 'disk' && f.disk === live.disk)!.path));
    }
    expect((await keptRecordOf(web.uuid, iteration.name)).status).toBe('kept');
    // The kept images are the ones that were live: undoing brings them back (used by the next test).
  });

  it('in an undo (a restored image moved aside, the kept one not yet back): a retry finishes, and the machine is exactly as before the restore', async () => {
    const web = treeMachine('web-01');
    const before = await machineState(web);
    const { ref, iteration } = await confirmedRestore('web-01', 1);
    const { launchPhase2, launchUndo, launchUndoRetry, settle } = await import('@/lib/restore/runner');
    await launchPhase2(ref);
    await settle();
    const kept = await keptRecordOf(web.uuid, iteration.name);
    failRenames('.before-restore-');
    await launchUndo(kept.id, 'admin');
    await settle();
    const failed = await keptRecordOf(web.uuid, iteration.name);
    expect(failed.status).toBe('undo-failed');
    expect(failed.undo.failure).toMatchObject({ during: expect.stringMatching(/renaming the restored images aside/), returnValue: 40 });
    expect(failed.undo.canCancel).toBe(false);
    // The iteration stays taken (and failed), so no backup or restore starts on a half-undone machine.
    expect(await iterationEntry(ref)).toMatchObject({ mode: 'restoring' });
    expect((await iterationEntry(ref))?.returnValue).toBe(40);

    failRenames(null);
    await launchUndoRetry(kept.id, 'admin');
    await settle();
    expect((await keptRecordOf(web.uuid, iteration.name)).status).toBe('undone');
    expect(await machineState(web)).toEqual(before);
  });
});

describe('the console process is killed during an undo and started again', () => {
  it('the next console takes the undo over once the lease runs out and finishes it; meanwhile the pages say where it stands', async () => {
    const { readRestoreStatus } = await import('@/lib/restore/service');
    const web = treeMachine('web-01');
    const before = await machineState(web);
    // The restore runs in a console process of its own, which ends: the kept disks are in the directory, not in any console.
    const { ref, iteration } = await confirmedRestore('web-01', 0);
    const restorer = consoleProcess(['drive', ref.machineUuid, ref.iteration]);
    await restorer.said('settled');
    const { loadKeptDisks } = await import('@/lib/restore/undo-service');
    const listed = (await loadKeptDisks(web.uuid)).find((k) => k.iteration === iteration.name);
    expect(listed).toMatchObject({ status: 'kept', node: web.node });
    expect(
      listed?.images
        .filter((i) => i.held)
        .map((i) => i.live)
        .sort(),
    ).toEqual(web.liveImages.map((i) => i.path).sort());

    ignoreShutdown(world.node.node.virshStateDir, web.uuid);
    try {
      const since = new Date();
      const first = consoleProcess(['undo', listed!.id], { RESTORE_SHUTDOWN_TIMEOUT_SECONDS: '60' });
      await first.said('undoing');
      await waitFor('virsh shutdown', () => readVirshCalls(world.node.node.virshStateDir, since).some((c) => c.args.includes('shutdown')));
      first.child.kill('SIGKILL');

      await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 200));
      const meanwhile = await keptRecordOf(web.uuid, iteration.name);
      expect(meanwhile.status).toBe('undoing');
      expect(meanwhile.driver?.stale).toBe(true);
      expect(meanwhile.undo.steps.find((s) => s.key === 'stop')?.status).toBe('running');
      expect((await readRestoreStatus(ref)).view.stage).toBe('undoing');
      expect(await iterationEntry(ref)).toMatchObject({ mode: 'restoring', returnValue: 0 });
      expect(domainOf(world, web.uuid)?.state).toBe('running');

      const second = consoleProcess(['start'], { RESTORE_SHUTDOWN_TIMEOUT_SECONDS: '1' });
      await waitFor('the undo to finish', async () => (await keptRecordOf(web.uuid, iteration.name)).status === 'undone', 60_000);
      const done = await keptRecordOf(web.uuid, iteration.name);
      expect(done.journal.map((r) => r.step)).toContain('resumed');
      expect(await machineState(web)).toEqual(before);
      expect((await readRestoreStatus(ref)).view).toMatchObject({ stage: 'finished', undo: { state: 'undone' } });
      second.child.kill('SIGKILL');
    } finally {
      ignoreShutdown(world.node.node.virshStateDir, web.uuid, false);
    }
  });
});
