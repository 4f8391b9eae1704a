import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { restoreIdOf } from '@/lib/restore/writes';
import {
  confirmRestoreAsAdmin,
  directoryEntry,
  domainOf,
  replaceAttribute,
  restoreWorldForFile,
  retainFolderOf,
  treeMachine,
  withDirectoryClient,
  type TreeMachine,
} from './restore-world';
import { fileSnapshot, sha256 } from '../support/file-snapshot';
import { decideAll } from '../fixtures/decisions';

// The actions run exactly as in the console, signed in as the demo administrator; only the browser and Next's cache are stand-ins.
vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

/**
 * Issue #12, points 3 and 4, against the real sshd test node: every path the restore writes,
 * moves to or removes stays below its root without following a symbolic link, a value that would
 * leave its root is refused before anything is written, and a restore that fails after the live
 * machine changed can be retried to the end or marked finished by hand.
 *
 * A sentinel tree lies outside every root (virtualization root, retain directory, backup root);
 * links and hostile values point into it, and its hashes must never change.
 */
const world = restoreWorldForFile({ signedInAs: DEMO.logins.admin, nodeTools: ['cp', 'rm'] });
let sentinel: string;
let sentinelBefore: Record<string, string>;

beforeAll(() => {
  sentinel = join(world.node.tree.root, 'sentinel');
  mkdirSync(join(sentinel, 'folder'), { recursive: true });
  const web = treeMachine(world, 'web-01');
  copyFileSync(web.liveImages[0].path, join(sentinel, 'precious.qcow2'));
  copyFileSync(web.iterations[0].files.find((f) => f.kind === 'xml')!.path, join(sentinel, 'domain.xml'));
  writeFileSync(join(sentinel, 'folder', 'keep'), 'keep me');
  sentinelBefore = fileSnapshot(sentinel);
});

afterEach(() => {
  world.faults.failRemoval(null);
  // Nothing outside the roots changed, whatever the test did.
  expect(fileSnapshot(sentinel)).toEqual(sentinelBefore);
});

const actions = () => import('@/app/(console)/machines/[uuid]/restore/[iteration]/actions');
const service = () => import('@/lib/restore/service');

async function value(dn: string, type: string): Promise<string> {
  return withDirectoryClient(world, async (client) => {
    const { searchEntries } = await client.search(dn, { scope: 'base', attributes: [type] });
    return String(searchEntries[0]?.[type]);
  });
}

/** Runs `work` with a directory value changed, and puts it back afterwards. */
async function withValue(dn: string, type: string, changed: string, work: () => Promise<void>): Promise<void> {
  const original = await value(dn, type);
  await replaceAttribute(world, dn, type, [changed]);
  try {
    await work();
  } finally {
    await replaceAttribute(world, dn, type, [original]);
  }
}

/** A start that must be refused before anything is written: same iteration entry, no journal, same retain tree. */
async function expectRefusedStart(uuid: string, iteration: string, reason: RegExp) {
  const { startRestoreAction } = await actions();
  const { loadPreflight, iterationRef } = await service();
  const retainBefore = fileSnapshot(world.node.tree.retainRoot);
  const entryBefore = await directoryEntry(world, world.dn.iteration(uuid, iteration));
  const preflight = await loadPreflight(iterationRef(uuid, iteration));
  expect(preflight.ok).toBe(false);
  expect(
    preflight.checks
      .filter((c) => !c.ok)
      .map((c) => c.detail)
      .join(' '),
  ).toMatch(reason);
  const result = await startRestoreAction({ uuid, iteration });
  expect(result).toMatchObject({ ok: false, error: expect.stringMatching(reason) });
  expect(await directoryEntry(world, world.dn.iteration(uuid, iteration))).toEqual(entryBefore);
  expect(await directoryEntry(world, `ou=restore,${world.dn.iteration(uuid, iteration)}`)).toBeNull();
  expect(fileSnapshot(world.node.tree.retainRoot)).toEqual(retainBefore);
  return preflight;
}

describe('a ".." in a directory value', () => {
  it('is refused before anything is written, for every value a restore builds a path from', async () => {
    const db = treeMachine(world, 'db-01');
    const web = treeMachine(world, 'web-01');
    const { virtualizationRoot, backupRoot, retainRoot } = world.node.tree;
    const escape = (root: string) => `${root}/../${relative(dirname(root), sentinel)}`;
    const cases: { what: string; machine: TreeMachine; dn: string; type: string; to: string }[] = [
      {
        what: 'backup root',
        machine: db,
        dn: world.dn.machineBackup(db.uuid),
        type: 'sstBackupRootDirectory',
        to: `file://${escape(backupRoot)}`,
      },
      {
        what: 'retain directory',
        machine: db,
        dn: world.dn.machineBackup(db.uuid),
        type: 'sstBackupRetainDirectory',
        to: `file://${escape(retainRoot)}`,
      },
      {
        what: 'cloud-wide retain directory',
        machine: web,
        dn: world.dn.cloudBackup,
        type: 'sstBackupRetainDirectory',
        to: `file://${retainRoot}/../../../sentinel/folder`,
      },
      {
        what: 'first disk image',
        machine: db,
        dn: `sstDisk=vda,ou=devices,${world.dn.machine(db.uuid)}`,
        type: 'sstSourceFile',
        to: `${dirname(db.liveImages[0].path)}/../../../sentinel/precious.qcow2`,
      },
      {
        what: 'second disk image',
        machine: web,
        dn: `sstDisk=vdb,ou=devices,${world.dn.machine(web.uuid)}`,
        type: 'sstSourceFile',
        to: `${dirname(web.liveImages[0].path)}/../../../sentinel/precious.qcow2`,
      },
      {
        what: 'storage pool folder',
        machine: db,
        dn: world.dn.storagePool(DEMO.storagePools[0].uuid),
        type: 'sstStoragePoolURI',
        to: `file://${virtualizationRoot}/vm-persistent/../../sentinel`,
      },
    ];
    for (const c of cases) {
      await withValue(c.dn, c.type, c.to, async () => {
        await expectRefusedStart(c.machine.uuid, c.machine.iterations[0].name, /contains a "\.\." segment/);
      });
    }
    // A value that is no file:// URL, or leaves the virtualization root without "..", is refused too.
    await withValue(`sstDisk=vda,ou=devices,${world.dn.machine(db.uuid)}`, 'sstSourceFile', join(sentinel, 'precious.qcow2'), () =>
      expectRefusedStart(db.uuid, db.iterations[0].name, /is not below/).then(() => undefined),
    );
    await withValue(world.dn.storagePool(DEMO.storagePools[0].uuid), 'sstStoragePoolURI', `file://${sentinel}`, () =>
      expectRefusedStart(db.uuid, db.iterations[0].name, /folder of storage pool .* is not below/).then(() => undefined),
    );
  }, 120_000);
});

describe('a symbolic link on the way', () => {
  it('refuses a symlinked retain folder, or a link anywhere above it in the retain tree, before anything is written', async () => {
    const web = treeMachine(world, 'web-01');
    const iteration = web.iterations[0].name;
    const retainFolder = retainFolderOf(world, web.iterations[0]);
    const steps = relative(world.node.tree.retainRoot, retainFolder).split('/');
    // The retain folder itself, then each folder above it, replaced by a link into the sentinel tree.
    for (let depth = steps.length; depth >= 1; depth -= 1) {
      const linked = join(world.node.tree.retainRoot, ...steps.slice(0, depth));
      const existed = existsSync(linked);
      const moved = `${linked}.away`;
      if (existed) renameSync(linked, moved);
      mkdirSync(dirname(linked), { recursive: true });
      symlinkSync(join(sentinel, 'folder'), linked);
      try {
        await expectRefusedStart(web.uuid, iteration, new RegExp(`${linked.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is a symbolic link`));
        expect(lstatSync(linked).isSymbolicLink()).toBe(true);
      } finally {
        rmSync(linked);
        if (existed) renameSync(moved, linked);
      }
    }
  }, 120_000);

  it('refuses a backup file that is a symbolic link instead of reading it', async () => {
    const web = treeMachine(world, 'web-01');
    const iteration = web.iterations[0];
    const targets: Record<string, string> = {
      xml: join(sentinel, 'domain.xml'),
      state: join(sentinel, 'folder', 'keep'),
      disk: join(sentinel, 'precious.qcow2'),
    };
    for (const kind of ['xml', 'state', 'disk'] as const) {
      const file = iteration.files.find((f) => f.kind === kind)!;
      renameSync(file.path, `${file.path}.away`);
      symlinkSync(targets[kind], file.path);
      try {
        const preflight = await expectRefusedStart(
          web.uuid,
          iteration.name,
          new RegExp(`${file.name.replace(/\./g, '\\.')}[^.]* is a symbolic link`),
        );
        expect(preflight.checks.find((c) => c.label === 'Every path stays in its folder on the node')?.ok).toBe(false);
      } finally {
        rmSync(file.path);
        renameSync(`${file.path}.away`, file.path);
      }
    }
  }, 120_000);
});

describe('the disk image paths a restore writes', () => {
  it('refuses a typed disk path outside the machine’s storage pool folder, lists exactly what phase 2 writes, and writes nothing else', async () => {
    const { startRestoreAction, resolveConflictsAction, confirmRestoreAction } = await actions();
    const { loadConflicts, readRestoreStatus, iterationRef } = await service();
    const { settle } = await import('@/lib/restore/runner');
    const web = treeMachine(world, 'web-01');
    const iteration = web.iterations[0];
    const ref = iterationRef(web.uuid, iteration.name);
    const vdbLive = web.liveImages.find((i) => i.disk === 'vdb')!.path;
    const poolFolder = dirname(vdbLive);
    const vdbDn = `sstDisk=vdb,ou=devices,${world.dn.machine(web.uuid)}`;
    // The directory says vdb moved within its folder since the backup: a disk image conflict to type a path into.
    await replaceAttribute(world, vdbDn, 'sstSourceFile', [join(poolFolder, 'vdb-renamed.qcow2')]);
    symlinkSync(join(sentinel, 'precious.qcow2'), join(poolFolder, 'a-link.qcow2'));
    try {
      expect(await startRestoreAction({ uuid: web.uuid, iteration: iteration.name })).toEqual({ ok: true, data: null });
      const conflicts = await loadConflicts(ref);
      const disk = conflicts.conflicts.find((c) => c.id === 'disk:vdb');
      expect(disk).toMatchObject({ valueKind: 'disk-image', valueHint: `an image file directly in ${poolFolder}` });
      const others = Object.fromEntries(
        conflicts.conflicts.filter((c) => c.id !== 'disk:vdb').map((c) => [c.id, { choice: 'live' as const }]),
      );
      const typed = (path: string) =>
        resolveConflictsAction({
          uuid: web.uuid,
          iteration: iteration.name,
          decisions: { ...others, 'disk:vdb': { choice: 'value', value: path } },
        });
      const retainFolder = retainFolderOf(world, iteration);
      const templateFolder = join(world.node.tree.virtualizationRoot, 'vm-templates', DEMO.storagePools[1].uuid);
      for (const [path, reason] of [
        ['/etc/evil.qcow2', /not a place for this machine's disk image/],
        [join(sentinel, 'precious.qcow2'), /not a place for this machine's disk image/],
        [join(templateFolder, 'other-pool.qcow2'), /not a place for this machine's disk image/],
        [join(poolFolder, 'deeper', 'x.qcow2'), /not a place for this machine's disk image/],
        [join(world.node.tree.retainRoot, 'x.qcow2'), /not a place for this machine's disk image/],
        [`${poolFolder}/../../../sentinel/precious.qcow2`, /"\.\." segments/],
        [join(poolFolder, 'a-link.qcow2'), /a-link\.qcow2 is a symbolic link/],
      ] as const) {
        const result = await typed(path);
        expect(result, path).toMatchObject({ ok: false, fieldErrors: { 'disk:vdb': expect.stringMatching(reason) } });
        // Nothing was written: no resolved files in the retain folder, no decision recorded.
        expect(existsSync(join(retainFolder, `${web.uuid}.xml`))).toBe(false);
        expect((await readRestoreStatus(ref)).view.stage).toBe('deciding');
      }

      const chosen = join(poolFolder, 'vdb-restored.qcow2');
      expect(await typed(chosen)).toEqual({ ok: true, data: null });
      const plan = await loadConflicts(ref);
      const vda = web.liveImages.find((i) => i.disk === 'vda')!.path;
      // Each image is copied beside where it goes and renamed into place; what is there now is kept beside it.
      const id = restoreIdOf((await readRestoreStatus(ref)).journal[0].at);
      const beside = (path: string) => ({ staged: `${path}.restoring-${id}`, kept: `${path}.before-restore-${id}` });
      expect(plan.writes?.moves).toEqual([
        { target: 'vda', file: `${vda.slice(vda.lastIndexOf('/') + 1)}.${iteration.name}`, destination: vda, ...beside(vda) },
        { target: 'vdb', file: `${vdbLive.slice(vdbLive.lastIndexOf('/') + 1)}.${iteration.name}`, destination: chosen, ...beside(chosen) },
      ]);
      expect(plan.writes?.copies).toEqual([`${web.uuid}.state.${iteration.name}`]);
      expect(plan.writes?.staging).toBe(true);

      // The resolved XML changed behind the plan's back: confirming is refused.
      const resolvedXml = join(retainFolder, `${web.uuid}.xml`);
      const original = readFileSync(resolvedXml, 'utf8');
      writeFileSync(resolvedXml, original.split(chosen).join(join(poolFolder, 'somewhere-else.qcow2')));
      expect(await confirmRestoreAction({ uuid: web.uuid, iteration: iteration.name })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/The plan replaces .*vdb-restored\.qcow2.* but the resolved XML .* now says .*somewhere-else/),
      });
      writeFileSync(resolvedXml, original);

      const imagesBefore = fileSnapshot(world.node.tree.virtualizationRoot);
      expect(await confirmRestoreAction({ uuid: web.uuid, iteration: iteration.name })).toEqual({ ok: true, data: null });
      await settle();
      const status = await readRestoreStatus(ref);
      expect(status.view.failure).toBeNull();
      expect(status.view.stage).toBe('finished');
      // Outside the retain directory, exactly the plan's destinations changed.
      const after = fileSnapshot(world.node.tree.virtualizationRoot);
      const retainPrefix = `${relative(world.node.tree.virtualizationRoot, world.node.tree.retainRoot)}/`;
      const changed = [...new Set([...Object.keys(imagesBefore), ...Object.keys(after)])].filter(
        (k) => !k.startsWith(retainPrefix) && imagesBefore[k] !== after[k],
      );
      // The new vdb image, vda replaced, and the vda that was live, kept beside it (nothing was at the new vdb path to keep).
      expect(changed.sort()).toEqual(
        [chosen, vda, `${vda}.before-restore-${id}`].map((p) => relative(world.node.tree.virtualizationRoot, p)).sort(),
      );
      expect(sha256(chosen)).toBe(sha256(iteration.files.find((f) => f.kind === 'disk' && f.disk === 'vdb')!.path));
      expect(domainOf(world, web.uuid)?.xml).toContain(chosen);
    } finally {
      rmSync(join(poolFolder, 'a-link.qcow2'), { force: true });
    }
  }, 180_000);

  it('stops phase 2 before anything live changes when the resolved XML no longer gives the confirmed plan', async () => {
    const { abortRestore } = await import('@/lib/restore/phase1');
    const { readRestoreStatus, iterationRef } = await service();
    const { launchPhase2, settle } = await import('@/lib/restore/runner');
    const db = treeMachine(world, 'db-01');
    const iteration = db.iterations[1];
    const ref = iterationRef(db.uuid, iteration.name);
    const liveBefore = db.liveImages.map((i) => sha256(i.path));
    const domainBefore = domainOf(world, db.uuid);
    await confirmRestoreAsAdmin(ref, 'live');
    // After the confirmation, someone points the resolved XML's disk somewhere else in the folder.
    const resolvedXml = join(retainFolderOf(world, iteration), `${db.uuid}.xml`);
    writeFileSync(
      resolvedXml,
      readFileSync(resolvedXml, 'utf8')
        .split(db.liveImages[0].path)
        .join(join(dirname(db.liveImages[0].path), 'not-in-the-plan.qcow2')),
    );
    expect(await launchPhase2(ref)).toBe(true);
    await settle();
    const status = await readRestoreStatus(ref);
    expect(status.view.stage).toBe('failed');
    expect(status.view.failure).toMatchObject({
      during: 'checking the plan against the resolved XML',
      machineState: expect.stringMatching(/Nothing live has changed/),
    });
    expect(status.view.failure?.reason).toMatch(/not-in-the-plan\.qcow2.*Phase 2 writes only what the confirmed plan lists/);
    expect(db.liveImages.map((i) => sha256(i.path))).toEqual(liveBefore);
    expect(domainOf(world, db.uuid)).toEqual(domainBefore);
    expect(existsSync(join(dirname(db.liveImages[0].path), 'not-in-the-plan.qcow2'))).toBe(false);
    expect(status.view.canAbort).toBe(true);
    await abortRestore(ref, 'admin');
  }, 120_000);
});

describe('a restore that fails after the live machine changed', () => {
  /** db-01's restore (no differences) up to the failure of its last step: removing the retain folder. */
  async function failingAtTheLastStep(iterationIndex: number) {
    const { startRestoreAction, resolveConflictsAction, confirmRestoreAction } = await actions();
    const { readRestoreStatus, iterationRef } = await service();
    const { settle } = await import('@/lib/restore/runner');
    const db = treeMachine(world, 'db-01');
    const iteration = db.iterations[iterationIndex];
    const ref = iterationRef(db.uuid, iteration.name);
    const retainFolder = retainFolderOf(world, iteration);
    expect(await startRestoreAction({ uuid: db.uuid, iteration: iteration.name })).toEqual({ ok: true, data: null });
    expect(await resolveConflictsAction({ uuid: db.uuid, iteration: iteration.name, decisions: {} })).toEqual({ ok: true, data: null });
    world.faults.failRemoval(retainFolder);
    expect(await confirmRestoreAction({ uuid: db.uuid, iteration: iteration.name })).toEqual({ ok: true, data: null });
    await settle();
    const status = await readRestoreStatus(ref);
    expect(status.view.stage).toBe('failed');
    expect(status.view.failure).toMatchObject({
      during: 'removing the retain folder',
      returnValue: 46,
      stderr: expect.stringMatching(/Device or resource busy/),
    });
    expect(status.view).toMatchObject({ canRetry: true, canAbort: false, canRetryWithoutState: false });
    expect(status.view.finishByHand?.remains).toEqual([
      `The retain folder ${retainFolder} stays on node ${DEMO.machines.find((m) => m.uuid === db.uuid)?.node}: remove it by hand once it is no longer needed.`,
    ]);
    // Console-driven, the restore goes from restoring straight to finished (the broker moves `restored` on by itself).
    expect((await directoryEntry(world, world.dn.iteration(db.uuid, iteration.name)))?.sstProvisioningMode).toEqual(['restoring']);
    expect(existsSync(retainFolder)).toBe(true);
    expect(domainOf(world, db.uuid)?.state).toBe('running');
    return { db, iteration, ref, retainFolder };
  }

  it('at its last step (removing the retain folder) is retried to finished', async () => {
    const { retryRestoreAction } = await actions();
    const { readRestoreStatus } = await service();
    const { settle } = await import('@/lib/restore/runner');
    const retainBefore = fileSnapshot(world.node.tree.retainRoot);
    const { db, iteration, ref, retainFolder } = await failingAtTheLastStep(0);
    // Retrying while the cause is still there fails again, the same way, and stays retryable.
    expect(await retryRestoreAction({ uuid: db.uuid, iteration: iteration.name })).toEqual({ ok: true, data: null });
    await settle();
    expect((await readRestoreStatus(ref)).view).toMatchObject({ stage: 'failed', canRetry: true });
    world.faults.failRemoval(null);
    expect(await retryRestoreAction({ uuid: db.uuid, iteration: iteration.name })).toEqual({ ok: true, data: null });
    await settle();
    const status = await readRestoreStatus(ref);
    expect(status.view.failure).toBeNull();
    expect(status.view.stage).toBe('finished');
    expect(existsSync(retainFolder)).toBe(false);
    expect(fileSnapshot(world.node.tree.retainRoot)).toEqual(retainBefore);
    expect(await directoryEntry(world, world.dn.iteration(db.uuid, iteration.name))).toMatchObject({
      sstProvisioningMode: ['finished'],
      sstProvisioningReturnValue: ['0'],
    });
    expect(status.journal.map((r) => r.step).filter((s) => s === 'retried' || s === 'failed' || s === 'finished')).toEqual([
      'failed',
      'retried',
      'failed',
      'retried',
      'finished',
    ]);
  }, 120_000);

  it('is marked as finished by hand, naming the retain folder it leaves, and no longer blocks the machine', async () => {
    const { finishRestoreAction } = await actions();
    const { readRestoreStatus, loadPreflight, iterationRef } = await service();
    const { listAudit } = await import('@/lib/audit');
    const { db, iteration, ref, retainFolder } = await failingAtTheLastStep(0);
    expect(await finishRestoreAction({ uuid: db.uuid, iteration: iteration.name })).toEqual({ ok: true, data: null });
    const status = await readRestoreStatus(ref);
    expect(status.view.stage).toBe('finished');
    expect(status.journal[status.journal.length - 1]).toMatchObject({
      step: 'finished',
      by: 'admin',
      remains: [expect.stringContaining(retainFolder)],
    });
    expect(await directoryEntry(world, world.dn.iteration(db.uuid, iteration.name))).toMatchObject({
      sstProvisioningMode: ['finished'],
      sstProvisioningReturnValue: ['0'],
    });
    // Nothing on the node was touched: the retain folder is still there, for the administrator to remove.
    expect(existsSync(retainFolder)).toBe(true);
    expect((await listAudit({ machineUuid: db.uuid })).records[0]).toMatchObject({
      action: 'restore.finish',
      note: expect.stringContaining(retainFolder),
    });
    // A finished restore cannot be marked again, and the machine can be restored again (the old retain folder is replaced).
    expect(await finishRestoreAction({ uuid: db.uuid, iteration: iteration.name })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Only a failed restore/),
    });
    expect((await loadPreflight(iterationRef(db.uuid, db.iterations[1].name))).checks.filter((c) => !c.ok)).toEqual([]);
    rmSync(retainFolder, { recursive: true });
  }, 120_000);

  it('where libvirt refuses the saved state, is retried without it, or could be marked finished with the domain defined', async () => {
    const { retryRestoreAction, finishRestoreAction } = await actions();
    const { startRestore, resolveConflicts, confirmRestore } = await import('@/lib/restore/phase1');
    const { loadConflicts, readRestoreStatus, iterationRef } = await service();
    const { consoleInstance, launchPhase2, settle } = await import('@/lib/restore/runner');
    const db = treeMachine(world, 'db-01');
    const iteration = db.iterations[1];
    const ref = iterationRef(db.uuid, iteration.name);
    const state = iteration.files.find((f) => f.kind === 'state')!;
    const saved = readFileSync(state.path);
    // A state file libvirt cannot read (its header is damaged), as when the restored domain no longer fits it.
    writeFileSync(state.path, Buffer.concat([Buffer.from('NotAQemudSaveImage'), saved.subarray(18)]));
    try {
      await startRestore(ref, 'admin', consoleInstance());
      const conflicts = await loadConflicts(ref);
      expect(conflicts.stateFile).toBe('saved-state');
      expect(await resolveConflicts(ref, decideAll(conflicts, 'live'), 'admin')).toEqual({ ok: true });
      await confirmRestore(ref, 'admin');
      await launchPhase2(ref);
      await settle();
      const failed = await readRestoreStatus(ref);
      expect(failed.view).toMatchObject({ stage: 'failed', canRetry: true, canRetryWithoutState: true, canAbort: false });
      expect(failed.view.failure).toMatchObject({ during: 'restoring the saved state', returnValue: 21 });
      expect(failed.view.finishByHand).toMatchObject({
        domainMustBeDefined: true,
        remains: [expect.stringMatching(/defined from the resolved XML but not running/), expect.stringMatching(/retain folder/)],
      });
      expect(domainOf(world, db.uuid)?.state).toBe('shut off');
      // A plain retry meets the same refusal.
      expect(await retryRestoreAction({ uuid: db.uuid, iteration: iteration.name })).toEqual({ ok: true, data: null });
      await settle();
      expect((await readRestoreStatus(ref)).view).toMatchObject({ stage: 'failed', canRetryWithoutState: true });
      expect(await retryRestoreAction({ uuid: db.uuid, iteration: iteration.name, withoutState: true })).toEqual({ ok: true, data: null });
      await settle();
      const status = await readRestoreStatus(ref);
      expect(status.view.failure).toBeNull();
      expect(status.view.stage).toBe('finished');
      expect(status.journal.find((r) => r.step === 'domain-started')).toMatchObject({ how: 'define-and-start' });
      expect(domainOf(world, db.uuid)).toMatchObject({ state: 'running', persistent: true });
      expect(await finishRestoreAction({ uuid: db.uuid, iteration: iteration.name })).toMatchObject({ ok: false });
    } finally {
      writeFileSync(state.path, saved);
    }
  }, 120_000);
});
