import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  directoryEntry,
  directorySnapshot,
  domainOf,
  expectImagesFrom,
  replaceAttribute,
  restoreWorldForFile,
  treeMachine,
  virshVerbs,
  withDirectoryClient,
  type TreeMachine,
} from './restore-world';
import { fileSnapshot, sha256 } from '../support/file-snapshot';
import { DEMO } from '../../scripts/directory/demo-directory';
import { decideAll } from '../fixtures/decisions';

// The actions run exactly as in the console, signed in as the demo administrator; only the browser and Next's cache are stand-ins.
vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));
// A restore runs dozens of commands on the node, each a round trip that a busy machine makes slow.
vi.setConfig({ testTimeout: 120_000 });

const world = restoreWorldForFile({ signedInAs: DEMO.logins.admin });

const actions = () => import('@/app/(console)/machines/[uuid]/restore/[iteration]/actions');
const service = () => import('@/lib/restore/service');

async function iterationModes(uuid: string) {
  const snapshot = await directorySnapshot(world, uuid);
  return Object.entries(snapshot)
    .filter(([, attrs]) => attrs.objectClass?.includes('sstProvisioning'))
    .map(([dn, attrs]) => ({
      dn,
      mode: attrs.sstProvisioningMode?.[0],
      state: attrs.sstProvisioningState?.[0],
      returnValue: attrs.sstProvisioningReturnValue?.[0],
    }))
    .sort((a, b) => a.dn.localeCompare(b.dn));
}

describe('a whole restore of web-01 (two disks and a saved state)', () => {
  it('restores images, directory and domain as decided, keeps every iteration, and ends finished', async () => {
    const { startRestoreAction, resolveConflictsAction, confirmRestoreAction } = await actions();
    const { loadPreflight, loadConflicts, readRestoreStatus, iterationRef } = await service();
    const { settle } = await import('@/lib/restore/runner');
    const web = treeMachine(world, 'web-01');
    const chosen = web.iterations[0];
    const ref = iterationRef(web.uuid, chosen.name);
    const retainBefore = fileSnapshot(world.node.tree.retainRoot);
    const iterationsBefore = (await iterationModes(web.uuid)).map((i) => i.dn);
    const since = new Date();

    const preflight = await loadPreflight(ref);
    expect(preflight.checks.filter((c) => !c.ok)).toEqual([]);
    expect(await startRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });

    const conflicts = await loadConflicts(ref);
    expect(conflicts.stateFile).toBe('saved-state');
    expect(conflicts.conflicts.map((c) => c.id).sort()).toEqual(['ldap:vm:description', 'memory', 'xml:devices/video/model@vram']);
    // Memory is one decision for the directory and the XML.
    const memory = conflicts.conflicts.find((c) => c.id === 'memory');
    expect(memory?.ldap.map((l) => l.attribute)).toEqual(['sstMemory']);
    expect(memory?.xml.map((x) => x.path)).toEqual(['memory', 'currentMemory']);

    // A decision that cannot be taken comes back as a sentence per difference, and nothing is recorded.
    const refused = await resolveConflictsAction({
      uuid: web.uuid,
      iteration: chosen.name,
      decisions: { memory: { choice: 'value', value: 'lots' }, 'ldap:vm:description': { choice: 'live' } },
    });
    expect(refused).toMatchObject({ ok: false, error: expect.stringContaining('Nothing was written') });
    expect(refused.ok ? {} : Object.keys(refused.fieldErrors ?? {}).sort()).toEqual(['memory', 'xml:devices/video/model@vram']);
    expect((await readRestoreStatus(ref)).view.stage).toBe('deciding');

    const resolved = await resolveConflictsAction({
      uuid: web.uuid,
      iteration: chosen.name,
      decisions: {
        memory: { choice: 'backup' },
        'ldap:vm:description': { choice: 'live' },
        'xml:devices/video/model@vram': { choice: 'backup' },
      },
    });
    expect(resolved).toEqual({ ok: true, data: null });
    const planned = await loadConflicts(ref);
    expect(planned.withState).toBe(true);
    expect((await readRestoreStatus(ref)).view.stage).toBe('confirming');
    // Until the confirmation nothing live has changed.
    expect(domainOf(world, web.uuid)?.state).toBe('running');

    expect(await confirmRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await settle();

    const status = await readRestoreStatus(ref);
    expect(status.view.failure).toBeNull();
    expect(status.view.stage).toBe('finished');
    expect(status.view.steps.every((s) => s.status === 'done')).toBe(true);

    // Live images are byte-identical to the backup's.
    expectImagesFrom(web, chosen);
    // Directory as decided: memory from the backup, description kept.
    const vm = await directoryEntry(world, world.dn.machine(web.uuid));
    expect(vm?.sstMemory).toEqual(['2147483648']);
    expect(vm?.description).toEqual(['Public web server, memory raised to 4 GiB for the spring sale']);
    // Domain as decided: memory and video from the backup, running from the saved state, still defined.
    const domain = domainOf(world, web.uuid);
    expect(domain).toMatchObject({ state: 'running', persistent: true });
    expect(domain?.xml).toContain("<memory unit='KiB'>2097152</memory>");
    expect(domain?.xml).toMatch(/vram='16384'/);
    // Every iteration is still there; the restored one is finished with a fresh timestamp.
    const after = await iterationModes(web.uuid);
    expect(after.map((i) => i.dn)).toEqual(iterationsBefore);
    const restored = after.find((i) => i.dn.startsWith(`ou=${chosen.name.toLowerCase()},`));
    expect(restored).toMatchObject({ mode: 'finished', returnValue: '0' });
    expect(restored?.state).toMatch(/^\d{8}T\d{6}Z$/);
    // The retain directory is as it was; the node saw the protocol's order of operations.
    expect(fileSnapshot(world.node.tree.retainRoot)).toEqual(retainBefore);
    expect(virshVerbs(world, since)).toEqual(['shutdown', 'undefine', 'define', 'restore']);
    // The administrator's decisions are in the audit trail.
    const { listAudit } = await import('@/lib/audit');
    const audit = await listAudit({ machineUuid: web.uuid });
    expect(audit.records.map((r) => r.action).sort()).toEqual(['restore.confirm', 'restore.resolve', 'restore.start']);
  });
});

describe('abort in phase 1', () => {
  it('leaves images, domain, directory and retain directory exactly as before', async () => {
    const { startRestoreAction, resolveConflictsAction, abortRestoreAction } = await actions();
    const { loadConflicts, iterationRef } = await service();
    const db = treeMachine(world, 'db-01');
    const chosen = db.iterations[0];
    const nodeRoot = world.node.tree.virtualizationRoot;
    const before = {
      files: fileSnapshot(nodeRoot),
      directory: await directorySnapshot(world, db.uuid),
      domain: domainOf(world, db.uuid),
    };
    expect(await startRestoreAction({ uuid: db.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    const ref = iterationRef(db.uuid, chosen.name);
    const conflicts = await loadConflicts(ref);
    const decisions = decideAll(conflicts, 'backup');
    expect(await resolveConflictsAction({ uuid: db.uuid, iteration: chosen.name, decisions })).toEqual({ ok: true, data: null });
    expect(existsSync(`${world.node.tree.retainRoot}`)).toBe(true);
    expect(fileSnapshot(nodeRoot)).not.toEqual(before.files);

    expect(await abortRestoreAction({ uuid: db.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    expect(fileSnapshot(nodeRoot)).toEqual(before.files);
    expect(await directorySnapshot(world, db.uuid)).toEqual(before.directory);
    expect(domainOf(world, db.uuid)).toEqual(before.domain);
  });
});

describe('a machine without a saved state', () => {
  it('is defined from the resolved XML and started', async () => {
    const { startRestoreAction, resolveConflictsAction, confirmRestoreAction } = await actions();
    const { loadConflicts, readRestoreStatus, iterationRef } = await service();
    const { settle } = await import('@/lib/restore/runner');
    const tpl = treeMachine(world, 'tpl-windows-2022');
    const chosen = tpl.iterations[0];
    const ref = iterationRef(tpl.uuid, chosen.name);
    const since = new Date();
    expect(domainOf(world, tpl.uuid)?.state).toBe('shut off');
    expect(await startRestoreAction({ uuid: tpl.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    const conflicts = await loadConflicts(ref);
    expect(conflicts.stateFile).toBe('not-running');
    const decisions = decideAll(conflicts, 'live');
    expect(await resolveConflictsAction({ uuid: tpl.uuid, iteration: chosen.name, decisions })).toEqual({ ok: true, data: null });
    expect((await loadConflicts(ref)).withState).toBe(false);
    expect(await confirmRestoreAction({ uuid: tpl.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await settle();
    const status = await readRestoreStatus(ref);
    expect(status.view.failure).toBeNull();
    expect(status.view.stage).toBe('finished');
    expect(domainOf(world, tpl.uuid)).toMatchObject({ state: 'running', persistent: true });
    expectImagesFrom(tpl, chosen);
    expect(virshVerbs(world, since)).toEqual(['undefine', 'define', 'start']);
  });
});

describe('identity collisions', () => {
  it('flags a fixed IP of the backup that another live machine uses now, before anything is decided', async () => {
    const { startRestoreAction, resolveConflictsAction, abortRestoreAction } = await actions();
    const { loadConflicts, iterationRef } = await service();
    const web = treeMachine(world, 'web-01');
    const db = treeMachine(world, 'db-01');
    const dhcpOf = (uuid: string) =>
      withDirectoryClient(world, async (client) => {
        const { searchEntries } = await client.search(world.dn.dhcp, {
          scope: 'sub',
          filter: `(cn=${uuid})`,
          attributes: ['dhcpStatements'],
        });
        return { dn: searchEntries[0].dn, statements: ([] as string[]).concat(searchEntries[0].dhcpStatements as string | string[]) };
      });
    const setStatements = (dn: string, values: string[]) => replaceAttribute(world, dn, 'dhcpStatements', values);
    const webDhcp = await dhcpOf(web.uuid);
    const dbDhcp = await dhcpOf(db.uuid);
    const webIp = webDhcp.statements.find((s) => s.startsWith('fixed-address'))!;
    // web-01 moved to another address since its backup, and db-01 got web-01's old one.
    await setStatements(
      webDhcp.dn,
      webDhcp.statements.map((s) => (s === webIp ? 'fixed-address 10.1.130.99' : s)),
    );
    await setStatements(
      dbDhcp.dn,
      dbDhcp.statements.map((s) => (s.startsWith('fixed-address') ? webIp : s)),
    );
    const chosen = web.iterations[1];
    try {
      expect(await startRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
      const conflicts = await loadConflicts(iterationRef(web.uuid, chosen.name));
      const address = conflicts.conflicts.find((c) => c.id === 'address');
      expect(address?.collision).toMatch(/db-01/);
      expect(address?.refused.backup).toMatch(/db-01/);
      // Taking the backup's address anyway is refused with the same reason.
      const decisions = decideAll(conflicts, 'backup');
      expect(await resolveConflictsAction({ uuid: web.uuid, iteration: chosen.name, decisions })).toMatchObject({
        ok: false,
        fieldErrors: { address: expect.stringMatching(/db-01/) },
      });
      expect(await abortRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    } finally {
      await setStatements(webDhcp.dn, webDhcp.statements);
      await setStatements(dbDhcp.dn, dbDhcp.statements);
    }
  });
});

describe('a step that fails', () => {
  it('records the return value, the command with its exit code and output, and the machine state; the restore can still be aborted', async () => {
    const { startRestoreAction, resolveConflictsAction, confirmRestoreAction, abortRestoreAction } = await actions();
    const { loadConflicts, readRestoreStatus, iterationRef } = await service();
    const { settle } = await import('@/lib/restore/runner');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const files = treeMachine(world, 'files-01');
    const chosen = files.iterations[0];
    const image = chosen.files.find((f) => f.kind === 'disk')!;
    const original = readFileSync(image.path);
    const liveBefore = files.liveImages.map((i) => sha256(i.path));
    // A backup image whose qcow2 header is damaged: the copy succeeds, the check must not.
    const damaged = Buffer.from(original);
    damaged.write('XXXX', 0, 'latin1');
    writeFileSync(image.path, damaged);
    try {
      const ref = iterationRef(files.uuid, chosen.name);
      expect(await startRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
      const conflicts = await loadConflicts(ref);
      const decisions = decideAll(conflicts, 'live');
      expect(await resolveConflictsAction({ uuid: files.uuid, iteration: chosen.name, decisions })).toEqual({ ok: true, data: null });
      expect(await confirmRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
      await settle();
      const status = await readRestoreStatus(ref);
      expect(status.view.stage).toBe('failed');
      expect(status.view.failure).toMatchObject({
        returnValue: 38,
        during: expect.stringMatching(/qemu-img/),
        command: expect.stringMatching(/^'qemu-img' 'check' /),
        exitCode: expect.any(Number),
        stderr: expect.stringMatching(/.+/),
        machineState: expect.stringMatching(/Nothing live has changed/),
      });
      expect(status.view.failure?.exitCode).not.toBe(0);
      expect(status.view.failure?.returnName).toBeTruthy();
      expect(files.liveImages.map((i) => sha256(i.path))).toEqual(liveBefore);
      expect(status.view.canAbort).toBe(true);
      expect(await abortRestoreAction({ uuid: files.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
      expect((await readRestoreStatus(ref)).view.stage).toBe('not-a-restore');
    } finally {
      writeFileSync(image.path, original);
    }
  });
});

describe('a restore journal where older consoles kept it (ou=restore below the iteration leaf)', () => {
  const legacyDn = (uuid: string, iteration: string) => `ou=restore,${world.dn.iteration(uuid, iteration)}`;
  async function writeLegacyJournal(uuid: string, iteration: string, steps: import('@/lib/restore/journal').JournalRecord[]) {
    const { encodeRecord, encodeLease } = await import('@/lib/restore/journal');
    const base = Date.now() - 60_000;
    await withDirectoryClient(world, (client) =>
      client.add(legacyDn(uuid, iteration), {
        objectClass: ['top', 'organizationalUnit'],
        ou: 'restore',
        description: steps.map((step, i) => encodeRecord(step, new Date(base + i * 1000))),
        businessCategory: [encodeLease('old-console-1', new Date(base))],
      }),
    );
  }
  const started = (db: TreeMachine, iteration: string) =>
    ({
      step: 'started',
      by: 'admin',
      node: 'node-02.stoney-cloud.org',
      previousState: '20261101T010000Z',
      previousReturnValue: 0,
      retainFolder: `${world.node.tree.retainRoot}/x/${db.uuid}/${iteration}`,
      backupFolder: `${world.node.tree.backupRoot}/x/${db.uuid}/${iteration}`,
    }) as const;

  it('is still read, and moved to the console subtree at start-up so that no leaf keeps a child', async () => {
    const { readRestoreStatus, iterationRef } = await service();
    const { moveLegacyJournals } = await import('@/lib/restore/runner');
    const db = treeMachine(world, 'db-01');
    const chosen = db.iterations[1];
    await writeLegacyJournal(db.uuid, chosen.name, [
      started(db, chosen.name),
      { step: 'small-files-copied' },
      { step: 'confirmed', by: 'admin' },
      { step: 'domain-started', how: 'restore-with-state' },
      { step: 'finished' },
    ]);
    const before = await readRestoreStatus(iterationRef(db.uuid, chosen.name));
    expect(before.view.stage).toBe('finished');
    expect(before.journal.map((r) => r.step)).toEqual(['started', 'small-files-copied', 'confirmed', 'domain-started', 'finished']);

    expect(await moveLegacyJournals()).toBe(1);
    expect(await directoryEntry(world, legacyDn(db.uuid, chosen.name))).toBeNull();
    const moved = await directoryEntry(world, world.dn.restoreJournal(db.uuid, chosen.name));
    expect(moved?.description).toHaveLength(5);
    // An ended restore is history: no lease, so no console takes it for an open one.
    expect(moved?.businessCategory).toBeUndefined();
    expect((await readRestoreStatus(iterationRef(db.uuid, chosen.name))).journal.map((r) => r.step)).toEqual(
      before.journal.map((r) => r.step),
    );
  });

  it('of an open restore is read as console-driven and can still be aborted, leaving nothing in either place', async () => {
    const { abortRestoreAction } = await actions();
    const { readRestoreStatus, iterationRef } = await service();
    const db = treeMachine(world, 'db-01');
    const chosen = db.iterations[1];
    const iterationDn = world.dn.iteration(db.uuid, chosen.name);
    await replaceAttribute(world, iterationDn, 'sstProvisioningMode', ['unretainedSmallFiles']);
    await withDirectoryClient(world, (client) => client.del(world.dn.restoreJournal(db.uuid, chosen.name)).catch(() => undefined));
    await writeLegacyJournal(db.uuid, chosen.name, [started(db, chosen.name), { step: 'small-files-copied' }]);
    const status = await readRestoreStatus(iterationRef(db.uuid, chosen.name));
    expect(status.view).toMatchObject({ stage: 'deciding', executor: 'console', canAbort: true });
    expect(await abortRestoreAction({ uuid: db.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    expect(await directoryEntry(world, legacyDn(db.uuid, chosen.name))).toBeNull();
    expect(await directoryEntry(world, world.dn.restoreJournal(db.uuid, chosen.name))).toBeNull();
    expect((await directoryEntry(world, iterationDn))?.sstProvisioningMode).toEqual(['finished']);
  });
});
