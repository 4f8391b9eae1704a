import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { withDirectory } from './env-setup';
import {
  removeBackupOverrideAction,
  saveBackupConfigAction,
  setBackupExcludedAction,
  unblockMachineAction,
} from '@/app/(console)/_backup/actions';
import { readInstallation } from '@/lib/backup/installation-reader';
import { readBackupEditor } from '@/lib/inventory/backup-editor';
import { readFleet } from '@/lib/inventory/fleet';
import { readMachineView } from '@/lib/inventory/machine';
import { DEMO, STONEY_EXPECTED } from '../../scripts/directory/demo-directory';
import { runStoneyWrapperNight, type WrapperNight } from '../fixtures/daemons/stoney-wrapper';
import { signInAs } from '../support/sign-in';
import { demoMachine, demoPool } from '../support/demo';
import { directoryDns } from '../support/directory-dns';
import { addDynamicClone, CLONE_UUID, confirmed, keptForEachTest, removeDynamicClone, withClient } from './daemon-world';

withDirectory('stoneyDirectory', { CONSOLE_ADMIN_GROUP: '4000014' });

// The actions run exactly as in the console, signed in as the demo administrator; only the browser and Next's cache are stand-ins.
vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

beforeAll(async () => {
  await signInAs(DEMO.logins.admin);
});

/**
 * stoney cloud (the demo built as one: one leaf per machine, older iterations as folders on the
 * node, the node's crontab starts the wrapper). After each configuration action the wrapper's
 * stand-in decides the next night on the directory the action left, and must do what the page
 * says: in particular, it backs the machine up unless it is excluded.
 */
const WORLD = 'stoneyDirectory' as const;
const web = demoMachine('web-01');
const db = demoMachine('db-01');
const mail = demoMachine('mail-01');
const fresh = demoMachine('new-01');
const legacy = demoMachine('Legacy ERP, Müller & Söhne');
const tplWindows = demoMachine('tpl-windows-2022');
const production = demoPool('Production servers');
const templates = demoPool('Templates');
const virtualizationRoot = () => inject('stoneyNodeEnv').VIRTUALIZATION_ROOT;

const { keep, restores } = keptForEachTest(WORLD);

async function night(node: string, options: { dryRun?: boolean; only?: string[] } = { dryRun: true }): Promise<WrapperNight> {
  return withClient(WORLD, (client, baseDn) =>
    runStoneyWrapperNight({ client, baseDn, node, at: new Date(), virtualizationRoot: virtualizationRoot(), ...options }),
  );
}

/** On stoney cloud, after any console action, the wrapper backs the machine up next night unless it is excluded — and the page says so. */
async function expectBackedUpUnlessExcluded(uuid: string) {
  const view = await readMachineView(uuid);
  const result = await night(view.machine.node ?? '', { dryRun: true, only: [uuid] });
  const backedUp = result.backedUp.some((m) => m.uuid === uuid);
  const skipped = result.skipped.find((m) => m.uuid === uuid);
  expect(backedUp, `${view.machine.name}: ${skipped?.reason ?? ''} ${skipped?.detail ?? ''}`).toBe(!view.effective.excluded);
  if (!backedUp) expect(skipped?.reason).toBe('excluded');
  expect(view.verdict.backedUp).toBe(backedUp);
  return view;
}

describe('the kind of installation', () => {
  it("is told from the node: its crontab starts the stoney wrapper; the node's time zone is read from the node", async () => {
    const installation = await readInstallation({ refresh: true });
    expect(installation).toMatchObject({ kind: 'stoney-cloud', by: 'evidence' });
    expect(installation.evidence.find((e) => e.strength === 'strong')?.text).toMatch(
      /starts LDAPKVMWrapper.pl from cron \(crontab -l: 30 2 \* \* \*/,
    );
    expect(installation.nodes.every((n) => n.read && n.timeZone === 'Europe/Zurich')).toBe(true);
  });

  it("classifies every machine by the wrapper's rules", async () => {
    const fleet = await readFleet();
    expect(fleet.kind).toBe('stoney-cloud');
    expect(Object.fromEntries(fleet.machines.map((m) => [m.name, m.status]))).toEqual(
      Object.fromEntries(Object.entries(STONEY_EXPECTED).map(([name, e]) => [name, e.status])),
    );
  });
});

describe('a machine page on stoney cloud', () => {
  it('lists the iterations on the node beside the one in the directory, with files and sizes, and the schedule from the node', async () => {
    const view = await readMachineView(web.uuid);
    expect(view.iterations).toHaveLength(1);
    if (!view.nodeIterations?.ok) throw new Error(view.nodeIterations?.ok === false ? view.nodeIterations.reason : 'no listing');
    const tree = inject('stoneyNodeTree').machines.find((m) => m.uuid === web.uuid);
    const folders = tree?.iterations.filter((i) => i.folder) ?? [];
    expect(view.nodeIterations.folders.map((f) => f.name).sort()).toEqual(folders.map((f) => f.name).sort());
    expect(folders).toHaveLength(3);
    const newest = view.nodeIterations.folders[0];
    expect(newest.name).toBe(view.iterations[0].name);
    const expected = folders.find((f) => f.name === newest.name)?.files ?? [];
    expect(newest.files.map((f) => [f.name, f.sizeBytes]).sort()).toEqual(expected.map((f) => [f.name, f.sizeBytes]).sort());
    if (view.schedule.by !== 'node-crontab') throw new Error('expected the node schedule');
    expect(view.schedule.lines?.[0].line).toMatch(/^30 2 \* \* \* .*LDAPKVMWrapper\.pl/);
    expect(view.schedule.timeZone).toEqual({ zone: 'Europe/Zurich', fromNode: true });
    expect(view.planText).toMatch(/sstCron\* fields are unused/);
    expect(view.nameMismatches).toEqual([]);
  });
});

describe('health on stoney cloud (issue #11 beside the wrapper)', () => {
  it('shows blocked beside the protection, and bounds the last good backup by the one leaf', async () => {
    const fleet = await readFleet();
    const m = fleet.machines.find((x) => x.uuid === mail.uuid);
    // Its one leaf is a failed merge: the wrapper skips it every night (blocked), and the merge failed;
    // the good run before it is a folder on the node, older than the leaf.
    expect(m).toMatchObject({
      status: 'blocked',
      blocked: expect.stringMatching(/not a finished, successful backup/),
      activity: { kind: 'failed' },
      lastGood: null,
    });
    expect(m?.protectionReason).toMatch(
      /keeps only the last run, \d{8}T\d{6}Z, which has not finished well; the stoney wrapper starts a run only after a good one/,
    );
    expect(m?.activity?.next).toMatch(/stoney wrapper's log/);
    const { summarizeFleet } = await import('@/lib/inventory/overview');
    const overview = summarizeFleet(fleet);
    expect(overview.counts.blocked).toBe(Object.values(STONEY_EXPECTED).filter((e) => e.status === 'blocked').length);
    expect(overview.attention.map((x) => x.name)).toContain('mail-01');
  });

  it("draws the nights as the wrapper names its runs (UTC dates), planned by the node's crontab, and charts the node's folders", async () => {
    const fleet = await readFleet();
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    expect(fleet.nights.at(-1)?.date).toBe(today);
    const w = fleet.machines.find((x) => x.uuid === web.uuid);
    const view = await readMachineView(web.uuid);
    const leaf = view.iterations[0].name;
    const at = fleet.nights.findIndex((n) => n.date === leaf.slice(0, 8));
    expect(at).toBeGreaterThanOrEqual(0);
    // The directory keeps only the last run: the nights before it have no record; its own was good.
    expect(w?.history.slice(0, at)).toBe('n'.repeat(at));
    expect(w?.history[at]).toBe('g');
    expect(view.history).toBe(w?.history);
    const { chartBars } = await import('@/lib/inventory/machine-chart');
    if (!view.nodeIterations?.ok) throw new Error('no listing');
    const bars = chartBars(view.iterations, view.activity, view.nodeIterations.folders);
    expect(bars.map((b) => [b.name, b.result, b.inDirectory])).toEqual(
      view.nodeIterations.folders
        .map((f) => f.name)
        .sort()
        .map((name) => [name, name === leaf ? 'good' : 'unrecorded', name === leaf]),
    );
  });
});

describe('stoney cloud: each configuration action, checked with the wrapper stand-in', () => {
  it('saving the cloud-wide configuration writes only what changed; the sstCron* fields change nothing for the wrapper', async () => {
    await keep((dn) => [dn.cloudBackup]);
    const editor = await readBackupEditor({ level: 'cloud' });
    expect(editor.nodeSchedules.map((n) => n.lines?.length)).toEqual([1, 1]);
    const result = await confirmed((extra) =>
      saveBackupConfigAction({ level: 'cloud', token: editor.token, ...editor.form, cronHour: '5', ...extra }),
    );
    expect(result).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    const view = await expectBackedUpUnlessExcluded(web.uuid);
    expect(view.schedule.by === 'node-crontab' && view.schedule.lines?.[0].line).toMatch(/^30 2 /);
  });

  it('saving and removing a pool configuration: the node daemon reads the pool, the wrapper still backs its machines up', async () => {
    await keep((dn) => [dn.poolBackup(production.uuid)]);
    const editor = await readBackupEditor({ level: 'pool', uuid: production.uuid });
    const saved = await confirmed((extra) =>
      saveBackupConfigAction({ level: 'pool', uuid: production.uuid, token: editor.token, ...editor.form, iterations: '4', ...extra }),
    );
    expect(saved).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    expect((await expectBackedUpUnlessExcluded(web.uuid)).effective.level).toBe('pool');
    const again = await readBackupEditor({ level: 'pool', uuid: production.uuid });
    expect(await removeBackupOverrideAction({ level: 'pool', uuid: production.uuid, token: again.token })).toMatchObject({ ok: true });
    expect((await expectBackedUpUnlessExcluded(web.uuid)).effective.level).toBe('cloud');
  });

  it('saving and removing a machine configuration on a machine with its leaf', async () => {
    await keep((dn) => [dn.machineBackup(web.uuid)]);
    const editor = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    expect(editor.retentionSource).toBe('node');
    expect(editor.retention[0].iterations).toHaveLength(3);
    const saved = await confirmed((extra) =>
      saveBackupConfigAction({ level: 'machine', uuid: web.uuid, token: editor.token, ...editor.form, mergeBandwidth: '50', ...extra }),
    );
    expect(saved).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    expect((await expectBackedUpUnlessExcluded(web.uuid)).effective.level).toBe('machine');
    const again = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    expect(await removeBackupOverrideAction({ level: 'machine', uuid: web.uuid, token: again.token })).toMatchObject({ ok: true });
    expect((await expectBackedUpUnlessExcluded(web.uuid)).effective.level).toBe('cloud');
  });

  it('excluding and including a machine: backed up again the next night', async () => {
    await keep((dn) => [dn.machineBackup(web.uuid)]);
    expect(await setBackupExcludedAction({ level: 'machine', uuid: web.uuid, intent: 'exclude' })).toMatchObject({
      ok: true,
      data: { outcome: 'changed' },
    });
    expect((await expectBackedUpUnlessExcluded(web.uuid)).effective.excluded).toBe(true);
    expect(await setBackupExcludedAction({ level: 'machine', uuid: web.uuid, intent: 'include' })).toMatchObject({
      ok: true,
      data: { outcome: 'changed' },
    });
    expect((await expectBackedUpUnlessExcluded(web.uuid)).effective.excluded).toBe(false);
  });

  it("fact 4: excluding a pool sets each machine's own flag (a pool flag stops nothing); including it undoes exactly that", async () => {
    const members = DEMO.machines.filter((m) => m.poolUuid === production.uuid);
    await keep((dn) => [dn.poolBackup(production.uuid), ...members.map((m) => dn.machineBackup(m.uuid))]);
    const excluded = await setBackupExcludedAction({ level: 'pool', uuid: production.uuid, intent: 'exclude' });
    expect(excluded).toMatchObject({ ok: true, data: { outcome: 'changed', message: expect.stringMatching(/one by one/) } });
    for (const m of [web, db, fresh, legacy]) expect((await expectBackedUpUnlessExcluded(m.uuid)).effective.excluded).toBe(true);
    const nightResult = await night('node-01.stoney-cloud.org');
    expect(
      nightResult.skipped
        .filter((s) => s.reason === 'excluded')
        .map((s) => s.name)
        .sort(),
    ).toEqual(['Legacy ERP, Müller & Söhne', 'files-01', 'mail-01', 'web-01']);
    expect((await readBackupEditor({ level: 'pool', uuid: production.uuid })).excludedHere).toBe(true);

    expect(await setBackupExcludedAction({ level: 'pool', uuid: production.uuid, intent: 'include' })).toMatchObject({
      ok: true,
      data: { outcome: 'changed' },
    });
    for (const m of [web, db, fresh]) expect((await expectBackedUpUnlessExcluded(m.uuid)).effective.excluded).toBe(false);
    // Excluded on its own before the pool was: stays excluded.
    expect((await expectBackedUpUnlessExcluded(legacy.uuid)).effective.excluded).toBe(true);
    expect((await readBackupEditor({ level: 'pool', uuid: production.uuid })).excludedHere).toBe(false);
  });

  it("fact 4: a pool's own exclude flag, set by hand, excludes nothing, and the page says so", async () => {
    await keep((dn) => [dn.poolBackup(templates.uuid)]);
    await withClient(WORLD, async (client, base) => {
      const { Attribute, Change } = await import('ldapts');
      await client.modify(directoryDns(base).poolBackup(templates.uuid), [
        new Change({ operation: 'replace', modification: new Attribute({ type: 'sstBackupExcludeFromBackup', values: ['TRUE'] }) }),
      ]);
    });
    const view = await expectBackedUpUnlessExcluded(tplWindows.uuid);
    expect(view.effective.excluded).toBe(false);
    expect(view.effective.exclusionReason).toMatch(/the pool's flag stops nothing/);
  });

  it('a machine that never had ou=backup: backed up; excluded and included again it is backed up the next night (no leafless ou=backup is left)', async () => {
    await keep((dn) => [dn.machineBackup(fresh.uuid)]);
    expect((await expectBackedUpUnlessExcluded(fresh.uuid)).verdict.reason).toMatch(/creates one with a leaf/);
    expect(await setBackupExcludedAction({ level: 'machine', uuid: fresh.uuid, intent: 'exclude' })).toMatchObject({ ok: true });
    await expectBackedUpUnlessExcluded(fresh.uuid);
    expect(await setBackupExcludedAction({ level: 'machine', uuid: fresh.uuid, intent: 'include' })).toMatchObject({ ok: true });
    await expectBackedUpUnlessExcluded(fresh.uuid);

    // The real night: the wrapper creates ou=backup and the leaf, and writes the folder on the node.
    const real = await night('node-02.stoney-cloud.org', { only: [fresh.uuid] });
    expect(real.backedUp.map((m) => m.name)).toEqual(['new-01']);
    restores.push(() => rm(dirname(real.backedUp[0].folder), { recursive: true, force: true }));
    const after = await readMachineView(fresh.uuid);
    expect(after.iterations.map((i) => i.name)).toEqual([real.backedUp[0].iteration]);
    expect(after.nodeIterations?.ok && after.nodeIterations.folders.map((f) => f.name)).toEqual([real.backedUp[0].iteration]);
    expect(after.status).toBe('protected');
  });

  it('fact 7: giving a machine without a leaf its own configuration is refused (the wrapper would skip it every night)', async () => {
    const editor = await readBackupEditor({ level: 'machine', uuid: fresh.uuid });
    const refused = await saveBackupConfigAction({ level: 'machine', uuid: fresh.uuid, token: editor.token, ...editor.form });
    expect(refused).toMatchObject({
      ok: false,
      error: expect.stringMatching(/skips every night a machine whose ou=backup has no iteration/),
    });
    await expectBackedUpUnlessExcluded(fresh.uuid);
  });

  it('a dynamic clone: the wrapper backs it up like any machine of its node, excluded or included', async () => {
    await addDynamicClone(WORLD);
    restores.push(() => removeDynamicClone(WORLD));
    expect((await expectBackedUpUnlessExcluded(CLONE_UUID)).verdict.backedUp).toBe(true);
    expect(await setBackupExcludedAction({ level: 'machine', uuid: CLONE_UUID, intent: 'exclude' })).toMatchObject({ ok: true });
    await expectBackedUpUnlessExcluded(CLONE_UUID);
    expect(await setBackupExcludedAction({ level: 'machine', uuid: CLONE_UUID, intent: 'include' })).toMatchObject({ ok: true });
    await expectBackedUpUnlessExcluded(CLONE_UUID);
  });
});

describe('fact 7: blocked machines, and the one action that unblocks them', () => {
  it('a failed leaf: the page says blocked, the wrapper skips it; unblocked, it backs it up and the node keeps its files', async () => {
    await keep((dn) => [dn.machineBackup(mail.uuid)]);
    const blocked = await readMachineView(mail.uuid);
    expect(blocked).toMatchObject({ status: 'blocked', verdict: { blocked: true, backedUp: false } });
    const folders = blocked.nodeIterations?.ok ? blocked.nodeIterations.folders.map((f) => f.name) : null;
    expect((await night('node-01.stoney-cloud.org', { dryRun: true, only: [mail.uuid] })).skipped).toMatchObject([
      { reason: 'last-backup-not-successful' },
    ]);

    const unblocked = await unblockMachineAction({ uuid: mail.uuid });
    expect(unblocked).toMatchObject({
      ok: true,
      data: { outcome: 'changed', message: expect.stringMatching(/creates a new ou=backup with a leaf/) },
    });
    const view = await expectBackedUpUnlessExcluded(mail.uuid);
    expect(view.status).not.toBe('blocked');
    expect(view.nodeIterations?.ok && view.nodeIterations.folders.map((f) => f.name)).toEqual(folders);
  });

  it('a finished leaf with an entry below it (a restore journal): blocked, and unblocking removes only that entry', async () => {
    await keep((dn) => [dn.machineBackup(web.uuid)]);
    const leaf = (await readMachineView(web.uuid)).iterations[0];
    await withClient(WORLD, (client) =>
      client.add(`ou=restore,${leaf.dn}`, {
        objectClass: ['top', 'organizationalUnit'],
        ou: 'restore',
        description: 'a journal left behind',
      }),
    );
    const blocked = await readMachineView(web.uuid);
    expect(blocked).toMatchObject({ status: 'blocked', verdict: { reason: expect.stringMatching(/plain delete/) } });
    expect((await night('node-01.stoney-cloud.org', { dryRun: true, only: [web.uuid] })).skipped).toMatchObject([
      { reason: 'leaf-not-deletable' },
    ]);
    expect(await unblockMachineAction({ uuid: web.uuid })).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    const view = await expectBackedUpUnlessExcluded(web.uuid);
    expect(view.iterations.map((i) => i.name)).toEqual([leaf.name]);
  });
});
