import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  confirmRestoreAsAdmin,
  expectImagesFrom,
  machineState,
  restoreWorldForFile,
  treeMachine,
  virshVerbs,
  withDirectoryClient,
  type TreeMachine,
} from './restore-world';
import { fileSnapshot, sha256 } from '../support/file-snapshot';
import { DEMO } from '../../scripts/directory/demo-directory';

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
const world = restoreWorldForFile({ signedInAs: DEMO.logins.admin });

const undoActions = () => import('@/app/(console)/machines/[uuid]/restore/[iteration]/undo/actions');

/** A whole console-driven restore through the engine, as the actions call it, every conflict taken from the backup. */
async function restore(name: string, iterationIndex = 0) {
  const { readRestoreStatus, iterationRef } = await import('@/lib/restore/service');
  const { launchPhase2, settle } = await import('@/lib/restore/runner');
  const machine = treeMachine(world, name);
  const iteration = machine.iterations[iterationIndex];
  const ref = iterationRef(machine.uuid, iteration.name);
  await confirmRestoreAsAdmin(ref);
  await launchPhase2(ref);
  await settle();
  const status = await readRestoreStatus(ref);
  expect(status.view.failure).toBeNull();
  expect(status.view.stage).toBe('finished');
  return { machine, iteration, ref, status };
}

/** Every file in the machine's image folders (kept, staged and aside names included). */
function imageFolderFiles(machine: TreeMachine): string[] {
  const folders = [...new Set(machine.liveImages.map((i) => dirname(i.path)))];
  return folders.flatMap((f) => readdirSync(f).map((n) => `${f}/${n}`)).sort();
}

async function keptOf(uuid: string) {
  const { loadKeptDisks } = await import('@/lib/restore/undo-service');
  return loadKeptDisks(uuid);
}

describe('a restore followed by its undo', () => {
  it('leaves the images (sha256 and inode: no data copied), the domain XML and the machine subtree exactly as before', async () => {
    const web = treeMachine(world, 'web-01');
    const before = await machineState(world, web);
    const filesBefore = imageFolderFiles(web);
    const retainBefore = fileSnapshot(world.node.tree.retainRoot);
    const { ref, iteration, status } = await restore('web-01');

    // The restore: backup's images live, the old ones kept under their kept names (same inode: renamed, not copied).
    expectImagesFrom(web, iteration);
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

    const after = await machineState(world, web);
    expect(after.images).toEqual(before.images);
    expect(after.domain).toEqual(before.domain);
    expect(after.directory).toEqual(before.directory);
    // Nothing left beside the images, nor in the retain directory.
    expect(imageFolderFiles(web)).toEqual(filesBefore);
    expect(fileSnapshot(world.node.tree.retainRoot)).toEqual(retainBefore);
    expect(virshVerbs(world, since)).toEqual(['shutdown', 'undefine', 'define', 'start']);

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
    const web = treeMachine(world, 'web-01');
    const { ref } = await restore('web-01', 1);
    const [kept] = await keptOf(web.uuid);
    expect(kept).toMatchObject({ status: 'kept', iteration: ref.iteration });
    // A backup after the restore: a new finished iteration leaf, as the node daemon or the stoney wrapper leaves it.
    const newer = '20991231T230000Z';
    const iterationDn = world.dn.iteration(web.uuid, newer);
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
      const before = await machineState(world, web);
      const { checkUndo } = await import('@/lib/restore/kept');
      expect((await checkUndo(kept.id)).problems.join(' ')).toMatch(/backed up since the restore \(iteration 20991231T230000Z\)/);
      const { undoRestoreAction } = await undoActions();
      expect(await undoRestoreAction({ uuid: web.uuid, record: kept.id })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/cannot be undone: .*backed up since/),
      });
      expect(await machineState(world, web)).toEqual(before);
      expect((await keptOf(web.uuid))[0]).toMatchObject({ status: 'kept' });
    } finally {
      await withDirectoryClient(world, (client) => client.del(iterationDn));
    }
  });

  it('is refused when a restored image was replaced since (another file at the live path)', async () => {
    const web = treeMachine(world, 'web-01');
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
    const web = treeMachine(world, 'web-01');
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
