import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { runStoneyWrapperNight, type WrapperNight } from '../fixtures/daemons/stoney-wrapper';
import { signInAs } from '../support/sign-in';
import { sleep, waitFor } from '../support/wait-for';
import { consoleProcess, killConsoleProcesses } from './console-process';
import { storedStrings } from './raw-directory';
import {
  confirmRestoreAsAdmin,
  copyUnderWay,
  directoryEntry,
  directorySnapshot,
  domainOf,
  expectImagesFrom,
  restoreWorldForFile,
  treeMachine,
  virshVerbs,
  withDirectoryClient,
} from './restore-world';
import { fileSnapshot, sha256 } from '../support/file-snapshot';
import { decideAll } from '../fixtures/decisions';

// The actions run exactly as in the console, signed in as the demo administrator; only the browser and Next's cache are stand-ins.
vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));
// A restore runs dozens of commands on the node, each a round trip that a busy machine makes slow.
vi.setConfig({ testTimeout: 120_000 });

/**
 * Issue #10, point 5, and "Done when" item 4, on a stoney cloud installation (the demo built as
 * one: one leaf per machine, the older iterations only as folders on the node, the node's
 * crontab starts the wrapper): an iteration that exists only on the node is restored end to
 * end; the machine's one leaf holds the restore meanwhile and is exactly as before afterwards;
 * and after every finished or aborted restore, of a leaf or of a folder, the stoney wrapper's
 * stand-in replaces the machine's leaf the next night.
 */
const LEASE_SECONDS = 2;
// The slow cp fixture goes first on the node's PATH; it is the real cp unless world.faults.slowCopies is on.
const world = restoreWorldForFile({
  env: { RESTORE_LEASE_SECONDS: String(LEASE_SECONDS) },
  kind: 'stoney-cloud',
  signedInAs: DEMO.logins.admin,
  nodeTools: ['cp'],
});
afterEach(() => {
  world.faults.slowCopies(null);
  killConsoleProcesses();
});
// treeMachine(world, name).iterations are the machine's folders on the node, newest first: [0] is its leaf's, the rest exist only on the node.

const actions = () => import('@/app/(console)/machines/[uuid]/restore/[iteration]/actions');
const service = () => import('@/lib/restore/service');

/** The machine's ou=backup and everything below it, as stored (user attributes). */
async function backupSubtree(uuid: string) {
  const suffix = world.dn.machineBackup(uuid).toLowerCase();
  return Object.fromEntries(Object.entries(await directorySnapshot(world, uuid)).filter(([dn]) => dn.endsWith(suffix)));
}

async function leavesOf(uuid: string) {
  const { readIterationModes } = await import('@/lib/ldap/restore');
  return readIterationModes(uuid);
}

/** One night of the node's crontab for this machine only, for real (the leaf is replaced, folders written and pruned). */
async function wrapperNight(uuid: string): Promise<WrapperNight> {
  const node = DEMO.machines.find((m) => m.uuid === uuid)?.node ?? '';
  return withDirectoryClient(world, (client) =>
    runStoneyWrapperNight({
      client,
      baseDn: world.slapd.baseDn,
      node,
      at: new Date(),
      virtualizationRoot: world.node.paths.virtualizationRoot,
      only: [uuid],
    }),
  );
}

/** The wrapper replaced the machine's one leaf with a new finished one, without an error. */
async function expectLeafReplaced(uuid: string, oldLeaf: string) {
  const night = await wrapperNight(uuid);
  expect(night.skipped).toEqual([]);
  expect(night.backedUp.map((b) => b.uuid)).toEqual([uuid]);
  const leaves = await leavesOf(uuid);
  expect(leaves).toHaveLength(1);
  expect(leaves[0]).toMatchObject({ name: night.backedUp[0].iteration, mode: 'finished', returnValue: 0 });
  expect(leaves[0].name).not.toBe(oldLeaf);
  return night;
}

/** An attribute's values as the directory stores them, decoded here (a reader's text decoder would drop a leading byte-order mark). */
async function storedValues(dn: string, attribute: string): Promise<string[]> {
  return withDirectoryClient(world, async (client) => {
    const { searchEntries } = await client.search(dn, { scope: 'base', attributes: [attribute], explicitBufferAttributes: [attribute] });
    return storedStrings(searchEntries[0]?.[attribute] ?? []);
  });
}

/**
 * The backup's LDIF, as bytes: the machine entry's description becomes two values the node
 * daemon's LDIF reader keeps byte for byte and a reader of decoded text loses: one folded
 * inside the two bytes of "ü", one in base64 starting with a byte-order mark.
 */
const FOLDED = 'Öffentlicher Webserver (Müller)';
const WITH_BOM = '\ufeffNotizen aus Windows: Grüße';
function rewriteBackupDescription(ldifPath: string, machineDn: string): void {
  const text = readFileSync(ldifPath, 'utf8');
  const blocks = text.split('\n\n');
  const i = blocks.findIndex((b) => b.toLowerCase().startsWith(`dn: ${machineDn.toLowerCase()}\n`));
  if (i < 0) throw new Error(`no machine entry in ${ldifPath}`);
  const lines = blocks[i].split('\n').filter((l) => !/^description::? /i.test(l));
  blocks[i] = [...lines, 'DESCRIPTION_FOLDED', `description:: ${Buffer.from(WITH_BOM, 'utf8').toString('base64')}`].join('\n');
  const [before, after] = blocks.join('\n\n').split('DESCRIPTION_FOLDED');
  const u = Buffer.from('ü', 'utf8');
  const cut = 'description: Öffentlicher Webserver (M';
  writeFileSync(
    ldifPath,
    Buffer.concat([
      Buffer.from(before + cut, 'utf8'),
      u.subarray(0, 1),
      Buffer.from('\n ', 'utf8'),
      u.subarray(1),
      Buffer.from('ller)' + after, 'utf8'),
    ]),
  );
}

describe('an iteration that exists only on the node (stoney cloud)', () => {
  it('needs the restore right for its machine’s pool, as any restore', async () => {
    const { startRestoreAction } = await actions();
    const { loadPreflight, readRestoreStatus, iterationRef } = await service();
    const web = treeMachine(world, 'web-01');
    const tpl = treeMachine(world, 'tpl-debian-12');
    try {
      await signInAs(DEMO.logins.viewer);
      await expect(readRestoreStatus(iterationRef(web.uuid, web.iterations[1].name))).rejects.toMatchObject({ code: 'forbidden' });
      expect(await startRestoreAction({ uuid: web.uuid, iteration: web.iterations[1].name })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^Your account may not restore machines/),
      });
      await signInAs(DEMO.logins.production);
      expect((await loadPreflight(iterationRef(web.uuid, web.iterations[1].name))).ok).toBe(true);
      await expect(loadPreflight(iterationRef(tpl.uuid, tpl.iterations[1].name))).rejects.toMatchObject({ code: 'forbidden' });
      expect(await startRestoreAction({ uuid: tpl.uuid, iteration: tpl.iterations[1].name })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^Your account may not restore tpl-debian-12/),
      });
      expect((await leavesOf(web.uuid)).map((l) => l.mode)).toEqual(['finished']);
      expect((await leavesOf(tpl.uuid)).map((l) => l.mode)).toEqual(['finished']);
    } finally {
      await signInAs(DEMO.logins.admin);
    }
  });

  it('is refused with a sentence for a name that is not an iteration or has no folder, and for a folder reached through a link', async () => {
    const { startRestoreAction } = await actions();
    const { readRestoreStatus, loadPreflight, iterationRef } = await service();
    const { symlinkSync, mkdirSync } = await import('node:fs');
    const { dirname } = await import('node:path');
    const web = treeMachine(world, 'web-01');
    expect(await startRestoreAction({ uuid: web.uuid, iteration: '../../etc' })).toMatchObject({ ok: false });
    expect(() => iterationRef(web.uuid, '20261101T010000Z/../x')).toThrow();
    await expect(readRestoreStatus(iterationRef(web.uuid, '20000101T000000Z'))).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('no folder'),
    });
    // A folder name that is a link to another machine's folder: refused, never followed.
    const db = treeMachine(world, 'db-01');
    const linked = join(dirname(web.iterations[1].folder!), '20000102T000000Z');
    mkdirSync(dirname(linked), { recursive: true });
    symlinkSync(db.iterations[1].folder!, linked);
    try {
      await expect(readRestoreStatus(iterationRef(web.uuid, '20000102T000000Z'))).rejects.toMatchObject({
        code: 'unsafe-path',
        message: expect.stringContaining('symbolic link'),
      });
      const preflight = await loadPreflight(iterationRef(web.uuid, '20000102T000000Z'));
      expect(preflight.ok).toBe(false);
      expect(preflight.checks.find((c) => c.label === 'Every path stays in its folder on the node')).toMatchObject({
        ok: false,
        detail: expect.stringContaining('symbolic link'),
      });
      expect(await startRestoreAction({ uuid: web.uuid, iteration: '20000102T000000Z' })).toMatchObject({
        ok: false,
        error: expect.stringContaining('symbolic link'),
      });
      expect((await leavesOf(web.uuid)).map((l) => l.mode)).toEqual(['finished']);
    } finally {
      rmSync(linked);
    }
  });

  it('is restored end to end: byte-identical images, the directory and domain as decided, and the machine’s one leaf exactly as before', async () => {
    const { startRestoreAction, resolveConflictsAction, confirmRestoreAction, abortRestoreAction } = await actions();
    const { loadPreflight, loadConflicts, readRestoreStatus, iterationRef } = await service();
    const { settle } = await import('@/lib/restore/runner');
    const { readIterationView } = await import('@/lib/inventory/iteration');
    const { readMachineView } = await import('@/lib/inventory/machine');
    const web = treeMachine(world, 'web-01');
    const [leafIteration, chosen] = web.iterations;
    const ref = iterationRef(web.uuid, chosen.name);
    const backupBefore = await backupSubtree(web.uuid);
    expect((await leavesOf(web.uuid)).map((l) => l.name)).toEqual([leafIteration.name]);
    const retainBefore = fileSnapshot(world.node.tree.retainRoot);
    const foldersBefore = fileSnapshot(world.node.tree.backupRoot);
    rewriteBackupDescription(join(chosen.folder!, `${web.uuid}.ldif.${chosen.name}`), world.dn.machine(web.uuid));
    const since = new Date();

    // The machine and iteration pages offer it: a folder without a leaf.
    const machineView = await readMachineView(web.uuid);
    expect(machineView.nodeIterations?.ok && machineView.nodeIterations.folders.map((f) => f.name)).toContain(chosen.name);
    const page = await readIterationView(web.uuid, chosen.name);
    expect(page).toMatchObject({ iteration: null, folderOnNode: { name: chosen.name, path: chosen.folder }, openRestore: null });

    const preflight = await loadPreflight(ref);
    expect(preflight.checks.filter((c) => !c.ok)).toEqual([]);
    expect(preflight.checks[0]).toMatchObject({
      label: "The machine's leaf can hold the restore",
      detail: expect.stringContaining(`leaf ${leafIteration.name} holds the restore's modes`),
    });
    expect(preflight.executor?.executor).toBe('console');
    expect(await startRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });

    // The leaf holds the restore: nothing is added under ou=backup, the journal is in the console's subtree and points at the leaf.
    expect(await leavesOf(web.uuid)).toEqual([
      expect.objectContaining({ name: leafIteration.name, mode: 'unretainedSmallFiles', returnValue: 0 }),
    ]);
    expect(Object.keys(await backupSubtree(web.uuid)).sort()).toEqual(Object.keys(backupBefore).sort());
    const journal = await directoryEntry(world, world.dn.restoreJournal(web.uuid, chosen.name));
    expect(journal?.seeAlso).toEqual([world.dn.iteration(web.uuid, leafIteration.name)]);
    const status = await readRestoreStatus(ref);
    expect(status.view.stage).toBe('deciding');
    expect(status.onlyOnNode).toEqual({ leaf: leafIteration.name });
    expect((await readIterationView(web.uuid, leafIteration.name)).openRestore).toBe(chosen.name);
    expect((await readMachineView(web.uuid)).openRestores).toEqual([{ iteration: chosen.name, leaf: leafIteration.name }]);

    // The leaf is not a restore of its own meanwhile: nothing that would end the hold is possible on it.
    await expect(readRestoreStatus(iterationRef(web.uuid, leafIteration.name))).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`restore of iteration ${chosen.name}`),
    });
    expect(await abortRestoreAction({ uuid: web.uuid, iteration: leafIteration.name })).toMatchObject({
      ok: false,
      error: expect.stringContaining('exists only on the node'),
    });
    expect((await loadPreflight(iterationRef(web.uuid, leafIteration.name))).checks[0]).toMatchObject({
      ok: false,
      detail: expect.stringContaining(chosen.name),
    });
    // Another folder of the machine cannot start beside it.
    const other = web.iterations[2];
    expect(await startRestoreAction({ uuid: web.uuid, iteration: other.name })).toMatchObject({
      ok: false,
      error: expect.stringContaining(`leaf ${leafIteration.name} is in mode unretainedSmallFiles`),
    });

    // A night in the middle of the restore: the wrapper skips the machine, backs nothing up and prunes nothing.
    const midNight = await wrapperNight(web.uuid);
    expect(midNight.backedUp).toEqual([]);
    expect(midNight.skipped).toEqual([expect.objectContaining({ uuid: web.uuid, reason: 'last-backup-not-successful' })]);
    expect(midNight.pruned).toEqual([]);
    expect(existsSync(chosen.folder!)).toBe(true);

    // The LDIF was read as bytes: the fold inside "ü" is joined, the byte-order mark kept.
    const conflicts = await loadConflicts(ref);
    expect(conflicts.stateFile).toBe('saved-state');
    expect(conflicts.conflicts.map((c) => c.id).sort()).toEqual(['ldap:vm:description', 'memory', 'xml:devices/video/model@vram']);
    const description = conflicts.conflicts.find((c) => c.id === 'ldap:vm:description');
    expect(JSON.stringify(description)).toContain(JSON.stringify(FOLDED).slice(1, -1));
    expect(JSON.stringify(description)).toContain(JSON.stringify(WITH_BOM).slice(1, -1));
    expect(JSON.stringify(description)).not.toContain('\ufffd');

    const decisions = {
      memory: { choice: 'backup' as const },
      'ldap:vm:description': { choice: 'backup' as const },
      'xml:devices/video/model@vram': { choice: 'backup' as const },
    };
    expect(await resolveConflictsAction({ uuid: web.uuid, iteration: chosen.name, decisions })).toEqual({ ok: true, data: null });
    expect((await readRestoreStatus(ref)).view.stage).toBe('confirming');
    expect(domainOf(world, web.uuid)?.state).toBe('running');
    expect(await confirmRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await settle();

    const after = await readRestoreStatus(ref);
    expect(after.view.failure).toBeNull();
    expect(after.view.stage).toBe('finished');
    expect(after.onlyOnNode).toEqual({ leaf: null });
    // Live images are byte-identical to the folder's.
    expectImagesFrom(web, chosen);
    // Directory and domain as decided; the description with every byte.
    const vm = await directoryEntry(world, world.dn.machine(web.uuid));
    expect(vm?.sstMemory).toEqual(['2147483648']);
    expect((await storedValues(world.dn.machine(web.uuid), 'description')).sort()).toEqual([FOLDED, WITH_BOM].sort());
    // The console reads them back with every character (the byte-order mark too).
    const { readLiveMachineEntries } = await import('@/lib/ldap/restore');
    const live = (await readLiveMachineEntries(web.uuid)).find((e) => e.dn.toLowerCase() === world.dn.machine(web.uuid).toLowerCase());
    expect(live?.attributes.find((a) => a.name.toLowerCase() === 'description')?.values.sort()).toEqual([FOLDED, WITH_BOM].sort());
    const domain = domainOf(world, web.uuid);
    expect(domain).toMatchObject({ state: 'running', persistent: true });
    expect(domain?.xml).toContain("<memory unit='KiB'>2097152</memory>");
    expect(virshVerbs(world, since)).toEqual(['shutdown', 'undefine', 'define', 'restore']);
    // ou=backup is exactly as before: its one leaf with its own mode, state and return value, nothing added.
    expect(await backupSubtree(web.uuid)).toEqual(backupBefore);
    expect(fileSnapshot(world.node.tree.retainRoot)).toEqual(retainBefore);
    // The backup folders are untouched (the description rewritten above aside).
    const foldersAfter = fileSnapshot(world.node.tree.backupRoot);
    const ldif = Object.keys(foldersAfter).find((p) => p.endsWith(`${web.uuid}.ldif.${chosen.name}`)) ?? '';
    expect({ ...foldersAfter, [ldif]: '' }).toEqual({ ...foldersBefore, [ldif]: '' });
    expect(await directoryEntry(world, world.dn.restoreJournal(web.uuid, chosen.name))).toMatchObject({
      seeAlso: [world.dn.iteration(web.uuid, leafIteration.name)],
    });
    expect((await directoryEntry(world, world.dn.restoreJournal(web.uuid, chosen.name)))?.businessCategory).toBeUndefined();

    // The next night the wrapper replaces the leaf as always; the finished restore's page still reads.
    await expectLeafReplaced(web.uuid, leafIteration.name);
    expect((await readRestoreStatus(ref)).view.stage).toBe('finished');
  });

  it('aborted in phase 1 leaves ou=backup, images, domain, directory and retain directory as before, and the wrapper replaces the leaf the next night', async () => {
    const { startRestoreAction, resolveConflictsAction, abortRestoreAction } = await actions();
    const { loadConflicts, readRestoreStatus, iterationRef } = await service();
    const db = treeMachine(world, 'db-01');
    const [leafIteration, chosen] = db.iterations;
    const before = {
      files: fileSnapshot(world.node.tree.virtualizationRoot),
      directory: await directorySnapshot(world, db.uuid),
      domain: domainOf(world, db.uuid),
    };
    expect(await startRestoreAction({ uuid: db.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    const ref = iterationRef(db.uuid, chosen.name);
    const conflicts = await loadConflicts(ref);
    const decisions = decideAll(conflicts, 'backup');
    expect(await resolveConflictsAction({ uuid: db.uuid, iteration: chosen.name, decisions })).toEqual({ ok: true, data: null });
    expect(fileSnapshot(world.node.tree.virtualizationRoot)).not.toEqual(before.files);

    expect(await abortRestoreAction({ uuid: db.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    expect(fileSnapshot(world.node.tree.virtualizationRoot)).toEqual(before.files);
    expect(await directorySnapshot(world, db.uuid)).toEqual(before.directory);
    expect(domainOf(world, db.uuid)).toEqual(before.domain);
    expect(await directoryEntry(world, world.dn.restoreJournal(db.uuid, chosen.name))).toBeNull();
    const status = await readRestoreStatus(ref);
    expect(status.view.stage).toBe('not-a-restore');
    expect(status.onlyOnNode).toEqual({ leaf: null });

    await expectLeafReplaced(db.uuid, leafIteration.name);
  });

  it('a failed step is explained, keeps the machine held (the wrapper skips it), and a retry finishes it with the leaf back as it was', async () => {
    const { readRestoreStatus, iterationRef } = await service();
    const { launchPhase2, launchRetry, settle } = await import('@/lib/restore/runner');
    const files = treeMachine(world, 'files-01');
    const [leafIteration, chosen] = files.iterations;
    const backupBefore = await backupSubtree(files.uuid);
    const liveBefore = files.liveImages.map((i) => sha256(i.path));
    const ref = iterationRef(files.uuid, chosen.name);
    await confirmRestoreAsAdmin(ref);
    // One of the folder's images goes missing before phase 2 copies it.
    const image = chosen.files.find((f) => f.kind === 'disk')!;
    renameSync(image.path, `${image.path}.away`);
    try {
      expect(await launchPhase2(ref)).toBe(true);
      await settle();
      const failed = await readRestoreStatus(ref);
      expect(failed.view.stage).toBe('failed');
      expect(failed.view.failure?.during).toBe(`copying ${image.name}`);
      expect(failed.view.failure?.machineState).toMatch(/Nothing live has changed/);
      expect(failed.view.canRetry).toBe(true);
      expect(failed.onlyOnNode).toEqual({ leaf: leafIteration.name });
      const [leaf] = await leavesOf(files.uuid);
      expect(leaf).toMatchObject({ name: leafIteration.name, mode: 'unretainingLargeFiles' });
      expect(leaf.returnValue).not.toBe(0);
      expect(files.liveImages.map((i) => sha256(i.path))).toEqual(liveBefore);
      // Held while it waits for an administrator: the wrapper neither backs the machine up nor prunes the folder.
      const night = await wrapperNight(files.uuid);
      expect(night.skipped).toEqual([expect.objectContaining({ reason: 'last-backup-not-successful' })]);
      expect(night.pruned).toEqual([]);
    } finally {
      renameSync(`${image.path}.away`, image.path);
    }
    expect(await launchRetry(ref, 'admin')).toBe(true);
    await settle();
    const after = await readRestoreStatus(ref);
    expect(after.view.failure).toBeNull();
    expect(after.view.stage).toBe('finished');
    expectImagesFrom(files, chosen);
    expect(await backupSubtree(files.uuid)).toEqual(backupBefore);
    await expectLeafReplaced(files.uuid, leafIteration.name);
  });

  it('a console killed during the copy: the next console takes it over, finishes it and gives the leaf back', async () => {
    const { readRestoreStatus, iterationRef } = await service();
    const tpl = treeMachine(world, 'tpl-debian-12');
    const [leafIteration, chosen] = tpl.iterations;
    const backupBefore = await backupSubtree(tpl.uuid);
    const ref = iterationRef(tpl.uuid, chosen.name);
    world.faults.slowCopies(30);
    await confirmRestoreAsAdmin(ref);
    const first = consoleProcess(['drive', ref.machineUuid, ref.iteration]);
    await first.said('driving');
    // The saved state goes into the retain folder, the images beside the live ones (see docs/undo.md).
    await waitFor('a copy under way', () => copyUnderWay(world, chosen) ?? partialStagedCopy(tpl.liveImages));
    first.child.kill('SIGKILL');
    world.faults.slowCopies(null);
    await sleep(LEASE_SECONDS * 1000 + 200);
    const meanwhile = await readRestoreStatus(ref);
    expect(meanwhile.view.stage).toBe('copying-large-files');
    expect(meanwhile.view.driver?.stale).toBe(true);
    // The copy's progress, read from the node as for any restore.
    expect(meanwhile.progress?.total).toBeGreaterThan(0);
    expect(meanwhile.progress?.copied).toBeGreaterThan(0);
    expect(meanwhile.onlyOnNode).toEqual({ leaf: leafIteration.name });

    const second = consoleProcess(['start']);
    await waitFor('the restore to finish', async () => (await leavesOf(tpl.uuid))[0]?.mode === 'finished', 60_000);
    const after = await readRestoreStatus(ref);
    expect(after.view.stage).toBe('finished');
    expect(after.journal.find((r) => r.step === 'resumed')).toBeDefined();
    expectImagesFrom(tpl, chosen);
    expect(await backupSubtree(tpl.uuid)).toEqual(backupBefore);
    second.child.kill('SIGKILL');
    await expectLeafReplaced(tpl.uuid, leafIteration.name);
  });
});

describe('undoing the restore of an iteration that exists only on the node', () => {
  it('takes and gives back the leaf that held the restore, and leaves images, domain and the machine subtree exactly as before', async () => {
    const { readRestoreStatus, iterationRef } = await service();
    const { launchPhase2, launchUndo, settle } = await import('@/lib/restore/runner');
    const { listKept, checkUndo } = await import('@/lib/restore/kept');
    const db = treeMachine(world, 'db-01');
    const chosen = db.iterations[1];
    const ref = iterationRef(db.uuid, chosen.name);
    // The machine's one leaf now (earlier tests' wrapper nights may have replaced the tree's).
    const leaves = await leavesOf(db.uuid);
    expect(leaves.map((l) => l.name)).not.toContain(chosen.name);
    const before = {
      images: db.liveImages.map((i) => ({ sha256: sha256(i.path), inode: statSync(i.path).ino })),
      directory: await directorySnapshot(world, db.uuid),
      domain: domainOf(world, db.uuid),
    };
    await confirmRestoreAsAdmin(ref);
    await launchPhase2(ref);
    await settle();
    expect((await readRestoreStatus(ref)).view.stage).toBe('finished');
    const kept = (await listKept(db.uuid)).find((k) => k.iteration === chosen.name);
    expect(kept).toMatchObject({ status: 'kept' });
    expect((await checkUndo(kept!.id)).problems).toEqual([]);
    await launchUndo(kept!.id, 'admin');
    await settle();
    expect((await listKept(db.uuid)).find((k) => k.id === kept!.id)?.status).toBe('undone');
    expect(db.liveImages.map((i) => ({ sha256: sha256(i.path), inode: statSync(i.path).ino }))).toEqual(before.images);
    expect(domainOf(world, db.uuid)).toEqual(before.domain);
    // The leaf that held the restore and then the undo is exactly as before: mode, state and return value.
    expect(await directorySnapshot(world, db.uuid)).toEqual(before.directory);
    expect(await leavesOf(db.uuid)).toEqual(leaves);
  });
});

describe('the wrapper the next night after a restore of the machine’s own leaf', () => {
  it('replaces the leaf after a finished restore and after an aborted one', async () => {
    const { startRestoreAction, resolveConflictsAction, confirmRestoreAction, abortRestoreAction } = await actions();
    const { loadConflicts, readRestoreStatus, iterationRef } = await service();
    const { settle } = await import('@/lib/restore/runner');
    // Finished: the leaf is finished again (with a fresh state), nothing below it.
    const windows = treeMachine(world, 'tpl-windows-2022');
    const leaf = windows.iterations[0];
    expect((await leavesOf(windows.uuid)).map((l) => l.name)).toEqual([leaf.name]);
    expect(await startRestoreAction({ uuid: windows.uuid, iteration: leaf.name })).toEqual({ ok: true, data: null });
    const ref = iterationRef(windows.uuid, leaf.name);
    const decisions = decideAll(await loadConflicts(ref), 'live');
    expect(await resolveConflictsAction({ uuid: windows.uuid, iteration: leaf.name, decisions })).toEqual({ ok: true, data: null });
    expect(await confirmRestoreAction({ uuid: windows.uuid, iteration: leaf.name })).toEqual({ ok: true, data: null });
    await settle();
    expect((await readRestoreStatus(ref)).view.stage).toBe('finished');
    expect(Object.keys(await backupSubtree(windows.uuid))).toHaveLength(2);
    await expectLeafReplaced(windows.uuid, leaf.name);

    // Aborted: the leaf is back as it was.
    const golden = treeMachine(world, 'golden-desktop');
    const goldenLeaf = golden.iterations[0];
    const before = await backupSubtree(golden.uuid);
    expect(await startRestoreAction({ uuid: golden.uuid, iteration: goldenLeaf.name })).toEqual({ ok: true, data: null });
    expect(await abortRestoreAction({ uuid: golden.uuid, iteration: goldenLeaf.name })).toEqual({ ok: true, data: null });
    expect(await backupSubtree(golden.uuid)).toEqual(before);
    await expectLeafReplaced(golden.uuid, goldenLeaf.name);
  });
});

/** A copy of a backup image being made beside a live image (`<live>.restoring-<restore id>`), not yet complete. */
function partialStagedCopy(liveImages: { path: string }[]): string | null {
  for (const live of liveImages) {
    const folder = dirname(live.path);
    const name = readdirSync(folder).find((n) => n.startsWith(`${basename(live.path)}.restoring-`));
    if (name && statSync(join(folder, name)).size > 0) return join(folder, name);
  }
  return null;
}
