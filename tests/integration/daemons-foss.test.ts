import { Attribute, Change } from 'ldapts';
import { DEMO } from '../../scripts/directory/demo-directory';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  excludePoolOverridersAction,
  removeBackupOverrideAction,
  saveBackupConfigAction,
  setBackupExcludedAction,
} from '@/app/(console)/_backup/actions';
import { PARAMETERS } from '@/lib/backup/config';
import { readInstallation } from '@/lib/backup/installation-reader';
import { readBackupEditor } from '@/lib/inventory/backup-editor';
import { readMachineView } from '@/lib/inventory/machine';
import {
  brokerDecision,
  brokerStarts,
  createRunningBroker,
  decideFromLevels,
  leafToPrune,
  runBrokerCycle,
} from '../fixtures/daemons/broker';
import { retentionPreview } from '@/lib/backup/retention';
import { readMachineLevels } from '../fixtures/daemons/read-levels';
import { nodeDaemonReadsPath } from '../fixtures/daemons/stoney-wrapper';
import { signInAs } from '../support/sign-in';
import { demoMachine, demoPool } from '../support/demo';
import { directoryDns } from '../support/directory-dns';
import { addDynamicClone, CLONE_UUID, confirmed, keptForEachTest, putBack, removeDynamicClone, withClient } from './daemon-world';

// The actions run exactly as in the console, signed in as the demo administrator; only the browser and Next's cache are stand-ins.
vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

beforeAll(async () => {
  await signInAs(DEMO.logins.admin);
});

/**
 * FOSS-Cloud (the default demo: several leaves per machine). After each configuration action,
 * fc-brokerd's stand-in reads the directory the action left and must do what the page says.
 */
const WORLD = 'demoDirectory' as const;
const ZONE = 'Europe/Zurich';
const web = demoMachine('web-01');
const db = demoMachine('db-01');
const fresh = demoMachine('new-01');
const production = demoPool('Production servers');

const { keep, restores } = keptForEachTest(WORLD);

/** What the machine page says, and what fc-brokerd's stand-in does, side by side. */
async function pageAndBroker(uuid: string) {
  const view = await readMachineView(uuid);
  const broker = await withClient(WORLD, (client, base) => brokerDecision(client, base, uuid));
  return { view, broker };
}

/** The page's promise about a machine, checked against the stand-in: level, exclusion, whether and when it runs, and the leaf name. */
async function expectBrokerDoesWhatThePageSays(uuid: string) {
  const { view, broker } = await pageAndBroker(uuid);
  expect(broker.level).toBe(view.effective.broker?.level);
  expect(broker.excluded).toBe(view.effective.excluded);
  expect(broker.backsUp).toBe(view.verdict.backedUp);
  if (view.schedule.by !== 'broker') throw new Error('expected the broker schedule');
  if (view.verdict.backedUp && !broker.activeLeaf && broker.plan) {
    const now = new Date();
    const starts = brokerStarts(broker.plan, now, new Date(now.getTime() + 8 * 86_400_000), ZONE);
    expect(starts[0]?.at.toISOString()).toBe(view.schedule.runs[0]?.at.toISOString());
    expect(starts[0]?.name).toBe(view.schedule.runs[0]?.iterationName);
  }
  return { view, broker };
}

describe('the kind of installation', () => {
  it('is told from the directory: several leaves per machine is FOSS-Cloud', async () => {
    const installation = await readInstallation({ refresh: true });
    expect(installation).toMatchObject({ kind: 'foss-cloud', by: 'evidence' });
    expect(installation.evidence.some((e) => e.kind === 'foss-cloud' && e.strength === 'strong')).toBe(true);
  });
});

describe('FOSS-Cloud: each configuration action, checked with the fc-brokerd stand-in', () => {
  it('saving the cloud-wide plan: the broker runs it when the page says and names the leaf as the page predicts', async () => {
    await keep((dn) => [dn.cloudBackup]);
    const editor = await readBackupEditor({ level: 'cloud' });
    const result = await confirmed((extra) =>
      saveBackupConfigAction({ level: 'cloud', token: editor.token, ...editor.form, cronMinute: '45', cronHour: '1', ...extra }),
    );
    expect(result).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    const { view } = await expectBrokerDoesWhatThePageSays(web.uuid);
    expect(view.schedule.by === 'broker' && view.schedule.runs[0].iterationName).toMatch(/T014500Z$/);
  });

  it('saving a pool configuration: its followers follow it, a machine with its own stays on its own', async () => {
    await keep((dn) => [dn.poolBackup(production.uuid)]);
    const editor = await readBackupEditor({ level: 'pool', uuid: production.uuid });
    const result = await confirmed((extra) =>
      saveBackupConfigAction({ level: 'pool', uuid: production.uuid, token: editor.token, ...editor.form, cronHour: '5', ...extra }),
    );
    expect(result).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    expect((await expectBrokerDoesWhatThePageSays(web.uuid)).broker.level).toBe('pool');
    expect((await expectBrokerDoesWhatThePageSays(db.uuid)).broker.level).toBe('machine');
  });

  it('saving and removing a machine configuration', async () => {
    await keep((dn) => [dn.machineBackup(web.uuid)]);
    const editor = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    const saved = await confirmed((extra) =>
      saveBackupConfigAction({ level: 'machine', uuid: web.uuid, token: editor.token, ...editor.form, cronMinute: '10', ...extra }),
    );
    expect(saved).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    expect((await expectBrokerDoesWhatThePageSays(web.uuid)).broker.level).toBe('machine');
    const again = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    expect(await removeBackupOverrideAction({ level: 'machine', uuid: web.uuid, token: again.token })).toMatchObject({
      ok: true,
      data: { outcome: 'changed' },
    });
    expect((await expectBrokerDoesWhatThePageSays(web.uuid)).broker.level).toBe('cloud');
  });

  it('removing a pool configuration', async () => {
    await keep((dn) => [dn.poolBackup(production.uuid)]);
    const editor = await readBackupEditor({ level: 'pool', uuid: production.uuid });
    await confirmed((extra) =>
      saveBackupConfigAction({ level: 'pool', uuid: production.uuid, token: editor.token, ...editor.form, cronHour: '5', ...extra }),
    );
    const again = await readBackupEditor({ level: 'pool', uuid: production.uuid });
    const removed = await removeBackupOverrideAction({ level: 'pool', uuid: production.uuid, token: again.token });
    expect(removed).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    expect((await expectBrokerDoesWhatThePageSays(web.uuid)).broker.level).toBe('cloud');
  });

  it('excluding and including a machine', async () => {
    await keep((dn) => [dn.machineBackup(web.uuid)]);
    expect(await setBackupExcludedAction({ level: 'machine', uuid: web.uuid, intent: 'exclude' })).toMatchObject({
      ok: true,
      data: { outcome: 'changed' },
    });
    const excluded = await expectBrokerDoesWhatThePageSays(web.uuid);
    expect(excluded.broker).toMatchObject({ excluded: true, backsUp: false });
    expect(await setBackupExcludedAction({ level: 'machine', uuid: web.uuid, intent: 'include' })).toMatchObject({
      ok: true,
      data: { outcome: 'changed' },
    });
    expect((await expectBrokerDoesWhatThePageSays(web.uuid)).broker).toMatchObject({ excluded: false, backsUp: true });
  });

  it('fact 4: excluding a pool excludes its followers; a machine with its own configuration is still backed up until it is excluded too', async () => {
    await keep((dn) => [dn.poolBackup(production.uuid), dn.machineBackup(db.uuid)]);
    const result = await setBackupExcludedAction({ level: 'pool', uuid: production.uuid, intent: 'exclude' });
    expect(result).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    if (result.ok)
      expect(result.data.warnings.join(' ')).toMatch(/Still backed up, because fc-brokerd reads their own configuration.*db-01/);
    expect((await expectBrokerDoesWhatThePageSays(web.uuid)).broker).toMatchObject({ level: 'pool', excluded: true });
    expect((await expectBrokerDoesWhatThePageSays(db.uuid)).broker).toMatchObject({ level: 'machine', excluded: false, backsUp: true });
    const editor = await readBackupEditor({ level: 'pool', uuid: production.uuid });
    expect(editor.stillBackedUp.map((m) => m.name)).toContain('db-01');

    expect(await excludePoolOverridersAction({ uuid: production.uuid })).toMatchObject({ ok: true });
    expect((await expectBrokerDoesWhatThePageSays(db.uuid)).broker).toMatchObject({ excluded: true });

    expect(await setBackupExcludedAction({ level: 'pool', uuid: production.uuid, intent: 'include' })).toMatchObject({
      ok: true,
      data: { outcome: 'changed' },
    });
    expect((await expectBrokerDoesWhatThePageSays(web.uuid)).broker).toMatchObject({ excluded: false, backsUp: true });
  });

  it('a machine that never had ou=backup: the broker creates it and the leaf at the planned minute; excluding and including leave no empty ou=backup', async () => {
    await keep((dn) => [dn.machineBackup(fresh.uuid)]);
    const before = await expectBrokerDoesWhatThePageSays(fresh.uuid);
    expect(before.view.verdict.backedUp).toBe(true);
    if (before.view.schedule.by !== 'broker') throw new Error('broker schedule expected');
    const planned = before.view.schedule.runs[0];
    const cycle = await withClient(WORLD, (client, base) => runBrokerCycle(client, base, planned.at, ZONE, [fresh.uuid]));
    expect(cycle.aborted).toBe(false);
    expect(cycle.started).toContainEqual({ uuid: fresh.uuid, leaf: planned.iterationName });

    await putBack(
      WORLD,
      await withClient(WORLD, async (_c, base) => ({ roots: [directoryDns(base).machineBackup(fresh.uuid)], entries: [] })),
    );
    expect(await setBackupExcludedAction({ level: 'machine', uuid: fresh.uuid, intent: 'exclude' })).toMatchObject({ ok: true });
    expect((await expectBrokerDoesWhatThePageSays(fresh.uuid)).broker.excluded).toBe(true);
    expect(await setBackupExcludedAction({ level: 'machine', uuid: fresh.uuid, intent: 'include' })).toMatchObject({ ok: true });
    const after = await expectBrokerDoesWhatThePageSays(fresh.uuid);
    expect(after.broker).toMatchObject({ level: 'cloud', excluded: false, backsUp: true, leaves: [] });
  });

  it('a dynamic clone: never backed up by the broker, and no action writes a configuration under it (issue #11)', async () => {
    await addDynamicClone(WORLD);
    restores.push(() => removeDynamicClone(WORLD));
    const clone = await expectBrokerDoesWhatThePageSays(CLONE_UUID);
    expect(clone.view.verdict).toMatchObject({ backedUp: false, excluded: true });
    expect(clone.view).toMatchObject({ clone: true, protection: 'excluded' });
    expect(clone.broker.considered).toBe(false);
    for (const intent of ['exclude', 'include'] as const) {
      expect(await setBackupExcludedAction({ level: 'machine', uuid: clone.view.machine.uuid, intent })).toMatchObject({
        ok: false,
        error: expect.stringMatching(/dynamic clone.*writes no backup configuration/),
      });
      expect((await expectBrokerDoesWhatThePageSays(clone.view.machine.uuid)).broker.backsUp).toBe(false);
    }
  });
});

describe('the facts, each with the stand-in', () => {
  it("fact 3: an entry with cron attributes and an iteration count but no configuration class is the broker's level, not the node daemon's", async () => {
    await keep((dn) => [dn.machineBackup(web.uuid)]);
    await withClient(WORLD, async (client, base) => {
      const cron = {
        sstCronMinute: '20',
        sstCronHour: '4',
        sstCronDay: '*',
        sstCronMonth: '*',
        sstCronDayOfWeek: '*',
        sstCronActive: 'TRUE',
      };
      await client.modify(directoryDns(base).machineBackup(web.uuid), [
        new Change({ operation: 'add', modification: new Attribute({ type: 'objectClass', values: ['sstCronObjectClass'] }) }),
        ...Object.entries(cron).map(
          ([type, value]) => new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) }),
        ),
      ]);
    });
    const { view, broker } = await expectBrokerDoesWhatThePageSays(web.uuid);
    expect(broker.level).toBe('machine');
    expect(view.effective.level).toBe('cloud');
    expect(view.programs.map((p) => p.level)).toEqual(['machine', 'cloud']);
    expect(view.schedule.by === 'broker' && view.schedule.runs[0].iterationName).toMatch(/T042000Z$/);
  });

  it('fact 5: lowering the iterations kept below the leaves needs a confirmation; confirmed, the broker never starts another backup', async () => {
    await keep((dn) => [dn.machineBackup(web.uuid)]);
    const editor = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    expect(editor.retention[0].iterations).toHaveLength(3);
    const form = { uuid: web.uuid, token: editor.token, ...editor.form, iterations: '2' };
    const asked = await saveBackupConfigAction({ level: 'machine', ...form });
    expect(asked).toMatchObject({
      ok: true,
      data: { outcome: 'confirm', confirmations: [{ field: 'iterations', text: expect.stringMatching(/web-01 \(3 leaves\)/) }] },
    });
    expect((await withClient(WORLD, (c, b) => brokerDecision(c, b, web.uuid))).level).toBe('cloud');
    await saveBackupConfigAction({ level: 'machine', ...form, confirm: asked.ok ? (asked.data.confirm ?? '') : '' });
    const { view, broker } = await expectBrokerDoesWhatThePageSays(web.uuid);
    expect(broker).toMatchObject({ mayStartNew: false, backsUp: false, iterations: 2 });
    expect(view.status).toBe('stale');
    expect(view.verdict.reason).toMatch(/3 iteration leaves and keeps 2/);
  });

  it('fact 5: the retention preview removes the leaf the broker removes after the next finished run', async () => {
    const editor = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    const keepCount = Number(editor.form.iterations);
    const preview = retentionPreview(editor.retention[0].iterations, keepCount, 'foss-cloud');
    const decision = await withClient(WORLD, (c, b) => brokerDecision(c, b, web.uuid));
    expect(decision).toMatchObject({ iterations: keepCount, mayStartNew: true });
    // After the next run there is one leaf more; the broker then sets the oldest finished one to delete.
    const afterRun = { ...decision, leaves: [...decision.leaves, '29991231T030000Z'] };
    expect(preview.dropped).toEqual([leafToPrune(afterRun, decision.leaves)]);
  });

  it('fact 6: a directory the node daemon would truncate is refused', async () => {
    const editor = await readBackupEditor({ level: 'cloud' });
    const r = await saveBackupConfigAction({ level: 'cloud', token: editor.token, ...editor.form, rootDirectory: 'file:///srv/vm-backup' });
    expect(r).toMatchObject({
      ok: false,
      fieldErrors: { rootDirectory: expect.stringMatching(/reads file:\/\/\/srv\/vm-backup as \/srv\/vm/) },
    });
    expect(nodeDaemonReadsPath('file:///srv/vm-backup')).toBe('/srv/vm');
  });

  it("fact 8: the broker's next runs and leaf names are what the page shows; a plan its arithmetic fails on is refused", async () => {
    await keep((dn) => [dn.machineBackup(web.uuid)]);
    const editor = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    // Day of week "1-5" is Monday only for the broker: the page asks first, then shows the broker's runs.
    const form = { uuid: web.uuid, token: editor.token, ...editor.form, cronDayOfWeek: '1-5' };
    const asked = await saveBackupConfigAction({ level: 'machine', ...form });
    expect(asked).toMatchObject({
      ok: true,
      data: { outcome: 'confirm', confirmations: [{ field: 'cronDayOfWeek', text: expect.stringMatching(/becomes 1 \(Monday\)/) }] },
    });
    await saveBackupConfigAction({ level: 'machine', ...form, confirm: asked.ok ? (asked.data.confirm ?? '') : '' });
    const { view } = await expectBrokerDoesWhatThePageSays(web.uuid);
    if (view.schedule.by !== 'broker') throw new Error('broker schedule expected');
    expect(view.schedule.differs).toBe(true);
    expect(view.schedule.runs.every((r) => new Date(r.at).getUTCDay() === 1)).toBe(true);

    const again = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    for (const [field, value] of [
      ['cronMonth', '12'],
      ['cronDay', '31'],
      ['cronDay', '*/2'],
    ] as const) {
      const refused = await saveBackupConfigAction({
        level: 'machine',
        uuid: web.uuid,
        token: again.token,
        ...again.form,
        cronDayOfWeek: '*',
        [field]: value,
        confirm: 'anything',
      });
      expect(refused, `${field} ${value}`).toMatchObject({ ok: false, error: expect.stringMatching(/date arithmetic fails/) });
    }
  });

  it("fact 9: a disk image format other than the disks' needs a confirmation; force start is described as read only during a restore", async () => {
    const editor = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    const asked = await saveBackupConfigAction({
      level: 'machine',
      uuid: web.uuid,
      token: editor.token,
      ...editor.form,
      diskImageFormat: 'vmdk',
    });
    expect(asked).toMatchObject({
      ok: true,
      data: {
        outcome: 'confirm',
        confirmations: [{ field: 'diskImageFormat', text: expect.stringMatching(/as vmdk, but these machines' disks are qcow2: web-01/) }],
      },
    });
    expect(PARAMETERS.find((p) => p.key === 'forceStart')?.description).toMatch(/only during a restore/);
  });

  it('fact 10: a running broker keeps a removed pool value until it restarts, and the console says so', async () => {
    await keep((dn) => [dn.poolBackup(production.uuid)]);
    const running = createRunningBroker();
    await setBackupExcludedAction({ level: 'pool', uuid: production.uuid, intent: 'exclude' });
    expect((await withClient(WORLD, (c, b) => running.decide(c, b, web.uuid))).excluded).toBe(true);
    const included = await setBackupExcludedAction({ level: 'pool', uuid: production.uuid, intent: 'include' });
    if (!included.ok) throw new Error(included.error);
    expect(included.data.warnings.join(' ')).toMatch(/restart fc-brokerd/);
    expect((await withClient(WORLD, (c, b) => running.decide(c, b, web.uuid))).excluded).toBe(true);
    const restarted = await withClient(WORLD, async (c, b) => decideFromLevels(await readMachineLevels(c, b, web.uuid)));
    expect(restarted.excluded).toBe(false);
  });
});
