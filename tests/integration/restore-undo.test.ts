import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readVirshCalls } from '../../scripts/node/virsh-state';
import {
  demoMachine,
  directorySnapshot,
  domainOf,
  fileSnapshot,
  sha256,
  startRestoreWorld,
  withDirectoryClient,
  type RestoreWorld,
} from './restore-world';
import { DEMO } from '../../scripts/directory/demo-directory';
import { signInAs } from '../support/sign-in';

// The actions run exactly as in the console, signed in as the demo administrator; only the browser and Next's cache are stand-ins.
vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));
vi.setConfig({ testTimeout: 120_000 });

/**
 * Issue #13: a console-driven restore keeps what it replaces (the live images by rename, the
 * domain XML and the directory entries), and "Undo this restore" puts the machine back exactly as
 * it was, without copying image data; an undo is refused when something changed since that it
 * would lose; discarding frees the space.
 */
let world: RestoreWorld;
beforeAll(async () => {
  world = await startRestoreWorld();
  await signInAs(DEMO.logins.admin);
}, 60_000);
afterAll(async () => {
  await world?.stop();
});

const undoActions = () => import('@/app/(console)/machines/[uuid]/restore/[iteration]/undo/actions');

function treeMachine(name: string) {
  const uuid = demoMachine(name).uuid;
  const m = world.node.tree.machines.find((x) => x.uuid === uuid);
  if (!m) throw new Error(`${name} is not in the node tree`);
  return { ...m, iterations: [...m.iterations].filter((i) => i.folder).sort((a, b) => b.name.localeCompare(a.name)) };
}

/** A whole console-driven restore through the engine, as the actions call it, every conflict taken from the backup. */
async function restore(name: string, iterationIndex = 0) {
  const { startRestore, resolveConflicts, confirmRestore } = await import('@/lib/restore/phase1');
  const { loadConflicts, readRestoreStatus, iterationRef } = await import('@/lib/restore/service');
  const { consoleInstance, launchPhase2, settle } = await import('@/lib/restore/runner');
  const machine = treeMachine(name);
  const iteration = machine.iterations[iterationIndex];
  const ref = iterationRef(machine.uuid, iteration.name);
  await startRestore(ref, 'admin', consoleInstance());
  const conflicts = await loadConflicts(ref);
  expect(
    await resolveConflicts(ref, Object.fromEntries(conflicts.conflicts.map((c) => [c.id, { choice: 'backup' as const }])), 'admin'),
  ).toEqual({ ok: true });
  await confirmRestore(ref, 'admin');
  await launchPhase2(ref);
  await settle();
  const status = await readRestoreStatus(ref);
  expect(status.view.failure).toBeNull();
  expect(status.view.stage).toBe('finished');
  return { machine, iteration, ref, status };
}

/** What "exactly as before" is compared on: each live image's bytes and inode, the domain, the machine's subtree. */
async function machineState(machine: ReturnType<typeof treeMachine>) {
  return {
    images: machine.liveImages.map((i) => ({ disk: i.disk, sha256: sha256(i.path), inode: statSync(i.path).ino })),
    domain: domainOf(world, machine.uuid),
    directory: await directorySnapshot(world, machine.uuid),
  };
}

/** Every file in the machine's image folders (kept, staged and aside names included). */
function imageFolderFiles(machine: ReturnType<typeof treeMachine>): string[] {
  const folders = [...new Set(machine.liveImages.map((i) => dirname(i.path)))];
  return folders.flatMap((f) => readdirSync(f).map((n) => `${f}/${n}`)).sort();
}

async function keptOf(uuid: string) {
  const { loadKeptDisks } = await import('@/lib/restore/undo-service');
  return loadKeptDisks(uuid);
}

describe('a restore followed by its undo', () => {
  it('leaves the images (sha256 and inode: no data copied), the domain XML and the machine subtree exactly as before', async () => {
    const web = treeMachine('web-01');
    const before = await machineState(web);
    const filesBefore = imageFolderFiles(web);
    const retainBefore = fileSnapshot(world.node.tree.retainRoot);
    const { ref, iteration, status } = await restore('web-01');

    // The restore: backup's images live, the old ones kept under their kept names (same inode: renamed, not copied).
    for (const live of web.liveImages) {
      expect(sha256(live.path)).toBe(sha256(iteration.files.find((f) => f.kind === 'disk' && f.disk === live.disk)!.path));
    }
    const [kept] = await keptOf(web.uuid);
    expect(kept).toMatchObject({ status: 'kept', iteration: ref.iteration, node: web.node });
    for (const image of kept.images) {
      const old = before.images.find((i) => web.liveImages.find((l) => l.disk === i.disk)?.path === image.live);
      expect(old, image.target).toBeDefined();
      expect(statSync(image.kept).ino, image.kept).toBe(old!.inode);
      expect(sha256(image.kept)).toBe(old!.sha256);
    }
    expect(kept.heldBytes).toBeGreaterThan(0);
    // The journal records the downtime (stopped → running again).
    expect(status.view.downtime?.seconds).toBeGreaterThanOrEqual(0);
    expect(status.journal.map((r) => r.step)).toContain('before-kept');

    const { checkUndo } = await import('@/lib/restore/kept');
    expect((await checkUndo(kept.id)).problems).toEqual([]);
    const since = new Date();
    const { undoRestoreAction } = await undoActions();
    expect(await undoRestoreAction({ uuid: web.uuid, record: kept.id })).toEqual({ ok: true, data: null });
    const { settle } = await import('@/lib/restore/runner');
    await settle();

    const after = await machineState(web);
    expect(after.images).toEqual(before.images);
    expect(after.domain).toEqual(before.domain);
    expect(after.directory).toEqual(before.directory);
    // Nothing left beside the images, nor in the retain directory.
    expect(imageFolderFiles(web)).toEqual(filesBefore);
    expect(fileSnapshot(world.node.tree.retainRoot)).toEqual(retainBefore);
    const calls = readVirshCalls(world.node.node.virshStateDir, since)
      .map((c) => c.args.find((a) => ['shutdown', 'destroy', 'undefine', 'define', 'restore', 'start'].includes(a)))
      .filter(Boolean);
    expect(calls).toEqual(['shutdown', 'undefine', 'define', 'start']);

    const [done] = await keptOf(web.uuid);
    expect(done).toMatchObject({ status: 'undone', heldBytes: 0 });
    expect(done.undo.steps.every((s) => s.status === 'done')).toBe(true);
    expect(done.undo.downtime?.seconds).toBeGreaterThanOrEqual(0);
    const { readRestoreStatus } = await import('@/lib/restore/service');
    const restoreAfter = await readRestoreStatus(ref);
    expect(restoreAfter.view.undo).toMatchObject({ state: 'undone', by: 'admin' });
    expect(restoreAfter.view.stage).toBe('finished');
    const { listAudit } = await import('@/lib/audit');
    expect((await listAudit({ machineUuid: web.uuid })).records.map((r) => r.action)).toContain('restore.undo');
  });
});

describe('an undo that would lose something', () => {
  it('is refused after a newer backup of the machine, with the reason, and nothing changes', async () => {
    const web = treeMachine('web-01');
    const { ref } = await restore('web-01', 1);
    const [kept] = await keptOf(web.uuid);
    expect(kept).toMatchObject({ status: 'kept', iteration: ref.iteration });
    // A backup after the restore: a new finished iteration leaf, as the node daemon or the stoney wrapper leaves it.
    const newer = '20991231T230000Z';
    const iterationDn = `ou=${newer},ou=backup,sstVirtualMachine=${web.uuid},ou=virtual machines,ou=virtualization,ou=services,${world.slapd.baseDn}`;
    await withDirectoryClient(world, (client) =>
      client.add(iterationDn, {
        objectClass: ['top', 'organizationalUnit', 'sstProvisioning'],
        ou: newer,
        sstProvisioningMode: 'finished',
        sstProvisioningState: newer,
        sstProvisioningReturnValue: '0',
        sstProvisioningExecutionDate: '0',
      }),
    );
    try {
      const before = await machineState(web);
      const { checkUndo } = await import('@/lib/restore/kept');
      expect((await checkUndo(kept.id)).problems.join(' ')).toMatch(/backed up since the restore \(iteration 20991231T230000Z\)/);
      const { undoRestoreAction } = await undoActions();
      expect(await undoRestoreAction({ uuid: web.uuid, record: kept.id })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/cannot be undone: .*backed up since/),
      });
      expect(await machineState(web)).toEqual(before);
      expect((await keptOf(web.uuid))[0]).toMatchObject({ status: 'kept' });
    } finally {
      await withDirectoryClient(world, (client) => client.del(iterationDn));
    }
  });

  it('is refused when a restored image was replaced since (another file at the live path)', async () => {
    const web = treeMachine('web-01');
    const [kept] = await keptOf(web.uuid);
    const image = kept.images[0];
    const { copyFileSync, renameSync } = await import('node:fs');
    // Replace the restored image by a copy of itself: same bytes, another file.
    copyFileSync(image.live, `${image.live}.tmp`);
    renameSync(`${image.live}.tmp`, image.live);
    const { checkUndo } = await import('@/lib/restore/kept');
    expect((await checkUndo(kept.id)).problems.join(' ')).toMatch(/was replaced since the restore/);
  });
});

describe('discarding kept disks', () => {
  it('removes the kept images (their only link: the space is freed) and the record; the restore can no longer be undone', async () => {
    const web = treeMachine('web-01');
    const [kept] = await keptOf(web.uuid);
    expect(kept.status).toBe('kept');
    const files = kept.images.filter((i) => i.held).map((i) => i.kept);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(statSync(f).nlink).toBe(1);
    const { keptSpaceByNode } = await import('@/lib/restore/kept');
    expect((await keptSpaceByNode()).get(web.node.toLowerCase())?.bytes).toBe(kept.heldBytes);
    const { discardKeptAction } = await undoActions();
    expect(await discardKeptAction({ uuid: web.uuid, record: kept.id })).toMatchObject({ ok: true, data: { bytes: kept.heldBytes } });
    for (const f of files) expect(existsSync(f)).toBe(false);
    expect((await keptOf(web.uuid)).map((k) => k.id)).not.toContain(kept.id);
    expect((await keptSpaceByNode()).get(web.node.toLowerCase())).toBeUndefined();
    const { undoRestoreAction } = await undoActions();
    expect(await undoRestoreAction({ uuid: web.uuid, record: kept.id })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/no such kept record/i),
    });
  });
});
