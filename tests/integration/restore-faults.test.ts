import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ignoreShutdown, readVirshCalls } from '../../scripts/node/virsh-state';
import {
  confirmRestoreAsAdmin,
  copyUnderWay,
  domainOf,
  expectImagesFrom,
  machineState,
  restoreWorldForFile,
  treeMachine,
  virshVerbs,
} from './restore-world';
import { fileSnapshot, sha256 } from '../support/file-snapshot';
import { consoleProcess, killConsoleProcesses } from './console-process';
import { DEMO } from '../../scripts/directory/demo-directory';
import { sleep, waitFor } from '../support/wait-for';

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
const LEASE_SECONDS = 2;
// The slow cp and failing mv fixtures go first on the node's PATH; they are the real ones unless a fault is on.
const world = restoreWorldForFile({
  env: { RESTORE_LEASE_SECONDS: String(LEASE_SECONDS) },
  signedInAs: DEMO.logins.admin,
  nodeTools: ['cp', 'mv'],
});

afterEach(() => {
  world.faults.slowCopies(null);
  world.faults.failRenames(null);
  killConsoleProcesses();
});

/** Phase 1 as the administrator does it (every conflict taken from the backup), up to the confirmation. */
async function confirmedRestore(name: string, iterationIndex: number) {
  const { iterationRef } = await import('@/lib/restore/service');
  const machine = treeMachine(world, name);
  const iteration = machine.iterations[iterationIndex];
  const ref = iterationRef(machine.uuid, iteration.name);
  await confirmRestoreAsAdmin(ref);
  return { machine, iteration, ref };
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

async function iterationEntry(ref: { machineUuid: string; iteration: string }) {
  const { readIterationModes } = await import('@/lib/ldap/restore');
  return (await readIterationModes(ref.machineUuid)).find((i) => i.name === ref.iteration);
}

describe('the SSH connection is cut while the large files are copied', () => {
  it('fails with the reason, leaves the live machine untouched, and a retry finishes the restore', async () => {
    const { launchPhase2, launchRetry, settle } = await import('@/lib/restore/runner');
    const { readRestoreStatus } = await import('@/lib/restore/service');
    const web = treeMachine(world, 'web-01');
    const liveBefore = web.liveImages.map((i) => sha256(i.path));
    const domainBefore = domainOf(world, web.uuid);
    world.faults.slowCopies(20);
    const { ref, iteration } = await confirmedRestore('web-01', 0);
    expect(await launchPhase2(ref)).toBe(true);
    await waitFor('a copy under way', () => copyUnderWay(world, iteration));
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

    world.faults.slowCopies(null);
    expect(await launchRetry(ref, 'admin')).toBe(true);
    await settle();
    const after = await readRestoreStatus(ref);
    expect(after.view.failure).toBeNull();
    expect(after.view.stage).toBe('finished');
    // The retry stopped the copy left over from the cut connection before writing the file again.
    expect(fixtureCopiesRunning()).toBe(0);
    expectImagesFrom(web, iteration);
    expect(after.journal.map((r) => r.step)).toContain('retried');
  });
});

describe('the console process is killed in phase 2 and started again', () => {
  it('during the copy: the next console takes over once the lease runs out and finishes the restore', async () => {
    const { readRestoreStatus } = await import('@/lib/restore/service');
    const web = treeMachine(world, 'web-01');
    world.faults.slowCopies(30);
    const { ref, iteration } = await confirmedRestore('web-01', 1);
    const first = consoleProcess(['drive', ref.machineUuid, ref.iteration]);
    await first.said('driving');
    await waitFor('a copy under way', () => copyUnderWay(world, iteration));
    first.child.kill('SIGKILL');
    world.faults.slowCopies(null);

    // What an administrator sees meanwhile: the copy stands, its driver is gone.
    await sleep(LEASE_SECONDS * 1000 + 200);
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
    expectImagesFrom(web, iteration);
    second.child.kill('SIGKILL');
  });

  it('stood still past its lease: the console that took over finishes, and the frozen one steps back without a word', async () => {
    const { readRestoreStatus } = await import('@/lib/restore/service');
    world.faults.slowCopies(30);
    const { ref, iteration } = await confirmedRestore('web-01', 1);
    const frozen = consoleProcess(['drive', ref.machineUuid, ref.iteration]);
    await frozen.said('driving');
    await waitFor('a copy under way', () => copyUnderWay(world, iteration));
    frozen.child.kill('SIGSTOP');
    world.faults.slowCopies(null);
    await sleep(LEASE_SECONDS * 1000 + 200);
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
    const web = treeMachine(world, 'web-01');
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
      expect(virshVerbs(world, since)).toEqual(['shutdown', 'shutdown', 'destroy', 'undefine', 'define', 'restore']);
      expect((await readRestoreStatus(ref)).journal.find((r) => r.step === 'machine-stopped')).toMatchObject({ how: 'destroy' });
      expect(domainOf(world, web.uuid)).toMatchObject({ state: 'running', persistent: true });
      expectImagesFrom(web, iteration);
      second.child.kill('SIGKILL');
    } finally {
      ignoreShutdown(world.node.node.virshStateDir, web.uuid, false);
    }
  });
});

describe('a second restore of the same machine', () => {
  it('is refused while one is open, for the same and for another iteration, even when both start at once', async () => {
    const { startRestoreAction, abortRestoreAction } = await import('@/app/(console)/machines/[uuid]/restore/[iteration]/actions');
    const web = treeMachine(world, 'web-01');
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
    const web = treeMachine(world, 'web-01');
    const before = await machineState(world, web);
    const folders = [...new Set(web.liveImages.map((i) => dirname(i.path)))];
    const filesBefore = folders.map((f) => fileSnapshot(f));
    const { ref } = await confirmedRestore('web-01', 0);
    world.faults.corruptCopies(true);
    try {
      expect(await launchPhase2(ref)).toBe(true);
      await settle();
    } finally {
      world.faults.corruptCopies(false);
    }
    const status = await readRestoreStatus(ref);
    expect(status.view.stage).toBe('failed');
    expect(status.view.failure).toMatchObject({
      returnValue: 37,
      during: expect.stringMatching(/^verifying /),
      machineState: expect.stringMatching(/Nothing live has changed/),
    });
    expect(status.view.failure?.reason).toMatch(/differs from the backup/);
    const failed = await machineState(world, web);
    expect({ images: failed.images, domain: failed.domain }).toEqual({ images: before.images, domain: before.domain });
    // The copies wait beside the live images; the abort takes them away again, and puts the iteration back.
    expect(folders.map((f) => fileSnapshot(f))).not.toEqual(filesBefore);
    expect(status.view.canAbort).toBe(true);
    expect(await abortRestoreAction({ uuid: ref.machineUuid, iteration: ref.iteration })).toEqual({ ok: true, data: null });
    expect(folders.map((f) => fileSnapshot(f))).toEqual(filesBefore);
    expect(await machineState(world, web)).toEqual(before);
  });
});

describe('renames interrupted half-way', () => {
  it('in a restore (a live image already renamed to its kept name, its copy not yet in place): the journal says so, a retry finishes from what it finds', async () => {
    const { launchPhase2, launchRetry, settle } = await import('@/lib/restore/runner');
    const { readRestoreStatus } = await import('@/lib/restore/service');
    const { ref, iteration, machine: web } = await confirmedRestore('web-01', 0);
    world.faults.failRenames('.restoring-');
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

    world.faults.failRenames(null);
    expect(await launchRetry(ref, 'admin')).toBe(true);
    await settle();
    const after = await readRestoreStatus(ref);
    expect(after.view.failure).toBeNull();
    expect(after.view.stage).toBe('finished');
    expectImagesFrom(web, iteration);
    expect((await keptRecordOf(web.uuid, iteration.name)).status).toBe('kept');
    // The kept images are the ones that were live: undoing brings them back (used by the next test).
  });

  it('in an undo (a restored image moved aside, the kept one not yet back): a retry finishes, and the machine is exactly as before the restore', async () => {
    const web = treeMachine(world, 'web-01');
    const before = await machineState(world, web);
    const { ref, iteration } = await confirmedRestore('web-01', 1);
    const { launchPhase2, launchUndo, launchUndoRetry, settle } = await import('@/lib/restore/runner');
    await launchPhase2(ref);
    await settle();
    const kept = await keptRecordOf(web.uuid, iteration.name);
    world.faults.failRenames('.before-restore-');
    await launchUndo(kept.id, 'admin');
    await settle();
    const failed = await keptRecordOf(web.uuid, iteration.name);
    expect(failed.status).toBe('undo-failed');
    expect(failed.undo.failure).toMatchObject({ during: expect.stringMatching(/renaming the restored images aside/), returnValue: 40 });
    expect(failed.undo.canCancel).toBe(false);
    // The iteration stays taken (and failed), so no backup or restore starts on a half-undone machine.
    expect(await iterationEntry(ref)).toMatchObject({ mode: 'restoring' });
    expect((await iterationEntry(ref))?.returnValue).toBe(40);

    world.faults.failRenames(null);
    await launchUndoRetry(kept.id, 'admin');
    await settle();
    expect((await keptRecordOf(web.uuid, iteration.name)).status).toBe('undone');
    expect(await machineState(world, web)).toEqual(before);
  });
});

describe('the console process is killed during an undo and started again', () => {
  it('the next console takes the undo over once the lease runs out and finishes it; meanwhile the pages say where it stands', async () => {
    const { readRestoreStatus } = await import('@/lib/restore/service');
    const web = treeMachine(world, 'web-01');
    const before = await machineState(world, web);
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

      await sleep(LEASE_SECONDS * 1000 + 200);
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
      expect(await machineState(world, web)).toEqual(before);
      expect((await readRestoreStatus(ref)).view).toMatchObject({ stage: 'finished', undo: { state: 'undone' } });
      second.child.kill('SIGKILL');
    } finally {
      ignoreShutdown(world.node.node.virshStateDir, web.uuid, false);
    }
  });
});
