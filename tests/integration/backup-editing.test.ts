import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { expectDaemonReadable, rawAdd, rawChildren, rawDelete, rawEntry, rawReplace } from './raw-directory';
import { removeBackupOverrideAction, saveBackupConfigAction, setBackupExcludedAction } from '@/app/(console)/_backup/actions';
import { setMachinesExcludedAction } from '@/app/(console)/machines/actions';
import { listAudit } from '@/lib/audit';
import { completeConfigOf } from '@/lib/backup/complete-config';
import { planSave } from '@/lib/backup/override';
import { readBackupEditor } from '@/lib/inventory/backup-editor';
import { readFleet } from '@/lib/inventory/fleet';
import { readMachineView } from '@/lib/inventory/machine';
import { summarizeFleet } from '@/lib/inventory/overview';
import { readStoredBackupEntry, writeStoredBackupEntry } from '@/lib/ldap/backup-config';
import { cleanUpAfterEach } from '../support/clean-up';
import { demoMachine, demoPool } from '../support/demo';
import { signInAs } from '../support/sign-in';
import { directoryDns } from '../support/directory-dns';

// The actions run exactly as in the console, signed in as the demo administrator; only the browser and Next's cache are stand-ins.
vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

beforeAll(async () => {
  await signInAs(DEMO.logins.admin);
});

const demoDns = () => directoryDns(inject('demoDirectory').baseDn);
const status = async (name: string) => (await readFleet()).machines.find((m) => m.name === name)?.status;

const CONFIG_ATTRIBUTES = [
  'sstBackupNumberOfIterations',
  'sstBackupRootDirectory',
  'sstBackupRetainDirectory',
  'sstBackupRamDiskLocation',
  'sstRestoreVMWithoutState',
  'sstVirtualizationVirtualMachineForceStart',
  'sstVirtualizationBandwidthMerge',
  'sstVirtualizationDiskImageFormat',
  'sstVirtualizationDiskImageOwner',
  'sstVirtualizationDiskImageGroup',
  'sstVirtualizationDiskImagePermission',
  'sstVirtualizationDiskImageDirectoryOwner',
  'sstVirtualizationDiskImageDirectoryGroup',
  'sstVirtualizationDiskImageDirectoryPermission',
  'sstCronMinute',
  'sstCronHour',
  'sstCronDay',
  'sstCronMonth',
  'sstCronDayOfWeek',
  'sstCronActive',
];
const configOf = (attrs: Record<string, string[]> | null) => Object.fromEntries(CONFIG_ATTRIBUTES.map((a) => [a, attrs?.[a] ?? []]));
const PLAIN = { objectClass: ['top', 'organizationalUnit'], ou: ['backup'] };

// Each test puts back what it changed, so the other test files see the demo directory as built.
const cleanups = cleanUpAfterEach();

describe('pool and machine overrides', () => {
  it('creates, changes and removes a pool override; its machines follow it and keep their iterations', async () => {
    const production = demoPool('Production servers');
    const web = demoMachine('web-01');
    const dn = demoDns().poolBackup(production.uuid);
    const before = await rawEntry(dn);
    expect(before).toEqual(PLAIN);
    cleanups.push(() => rawReplace(dn, { objectClass: PLAIN.objectClass }).catch(() => undefined));

    const editor = await readBackupEditor({ level: 'pool', uuid: production.uuid });
    expect(editor).toMatchObject({ hasOwnConfig: false, effective: { level: 'cloud' } });
    expect(editor.followers.map((m) => m.name)).toContain('web-01');
    expect(editor.overriding.map((m) => m.name).sort()).toEqual(['Legacy ERP, Müller & Söhne', 'db-01']);

    // Creating starts from what is in effect and writes every value.
    const created = await saveBackupConfigAction({
      level: 'pool',
      uuid: production.uuid,
      token: editor.token,
      ...editor.form,
      iterations: '5',
      cronMinute: '15',
      cronHour: '4',
    });
    expect(created).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    const written = expectDaemonReadable(await rawEntry(dn));
    expect(written).toMatchObject({
      sstBackupNumberOfIterations: '5',
      sstCronMinute: '15',
      sstCronHour: '4',
      sstCronDay: '*',
      sstCronActive: 'TRUE',
      // The test directory's cloud-wide plan points into the test node's tree.
      sstBackupRootDirectory: `file://${inject('nodeTree').backupRoot}`,
      sstBackupRetainDirectory: `file://${inject('nodeTree').retainRoot}`,
      sstBackupRamDiskLocation: 'file:///var/cache/kvmbackup',
      sstVirtualizationDiskImagePermission: '660',
      sstVirtualizationDiskImageDirectoryPermission: '770',
    });
    // Optional values at the daemon's default that nobody touched are not written: absent means the same.
    expect(written.sstRestoreVMWithoutState).toBeUndefined();
    expect(written.sstVirtualizationVirtualMachineForceStart).toBeUndefined();
    const webView = await readMachineView(web.uuid);
    expect(webView.effective.level).toBe('pool');
    expect(webView.planText).toBe('Every day at 04:15');

    const changing = await readBackupEditor({ level: 'pool', uuid: production.uuid });
    expect(changing.hasOwnConfig).toBe(true);
    expect(changing.form.iterations).toBe('5');
    const changing2 = {
      uuid: production.uuid,
      token: changing.token,
      ...changing.form,
      iterations: '2',
      ramDiskLocation: '',
      forceStart: 'TRUE',
    };
    // web-01 has three leaves: with two kept, fc-brokerd would never back it up again (fact 5).
    const asked = await saveBackupConfigAction({ level: 'pool', ...changing2 });
    expect(asked).toMatchObject({
      ok: true,
      data: { outcome: 'confirm', confirmations: [{ field: 'iterations', text: expect.stringMatching(/web-01 \(3 leaves\)/) }] },
    });
    const changed = await saveBackupConfigAction({ level: 'pool', ...changing2, confirm: asked.ok ? asked.data.confirm : '' });
    expect(changed).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    const rewritten = expectDaemonReadable(await rawEntry(dn));
    expect(rewritten).toMatchObject({
      sstBackupNumberOfIterations: '2',
      sstVirtualizationVirtualMachineForceStart: 'TRUE',
      sstCronHour: '4',
    });
    expect(rewritten.sstBackupRamDiskLocation).toBeUndefined();

    const removing = await readBackupEditor({ level: 'pool', uuid: production.uuid });
    expect(await removeBackupOverrideAction({ level: 'pool', uuid: production.uuid, token: removing.token })).toMatchObject({
      ok: true,
      data: { outcome: 'changed' },
    });
    expect(await rawEntry(dn)).toEqual(PLAIN);
    expect((await readMachineView(web.uuid)).effective.level).toBe('cloud');
    expect(await rawChildren(demoDns().machineBackup(web.uuid))).toHaveLength(3);

    const { records } = await listAudit({ poolUuid: production.uuid, limit: 10 });
    expect(records.map((r) => r.action).slice(0, 3)).toEqual(['backup-config.remove-override', 'backup-config.save', 'backup-config.save']);
    expect(records[2]).toMatchObject({
      actor: { login: 'admin', dn: DEMO.logins.admin.dn },
      capability: 'configure',
      targetDn: dn,
      poolUuid: production.uuid,
    });
    expect(records[2].changes).toContainEqual({ attribute: 'sstBackupNumberOfIterations', before: [], after: ['5'] });
    expect(records[1].changes).toContainEqual({ attribute: 'sstBackupNumberOfIterations', before: ['5'], after: ['2'] });
    expect(records[0].changes).toContainEqual({ attribute: 'sstCronHour', before: ['4'], after: [] });
  });

  it('creates, changes and removes a machine override without touching its iterations', async () => {
    const web = demoMachine('web-01');
    const dn = demoDns().machineBackup(web.uuid);
    const iterations = await rawChildren(dn);
    expect(iterations).toHaveLength(3);
    cleanups.push(() => rawReplace(dn, { objectClass: PLAIN.objectClass }).catch(() => undefined));

    const editor = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    expect(editor.retention[0].iterations).toHaveLength(3);
    const form = {
      uuid: web.uuid,
      token: editor.token,
      ...editor.form,
      cronDayOfWeek: '1-5',
      diskImageFormat: 'qed',
      directoryPermission: '0750',
    };
    // fc-brokerd reads "1-5" as Monday only, and qed overlays do not match the qcow2 disks: both need a confirmation.
    const first = await saveBackupConfigAction({ level: 'machine', ...form });
    expect(first).toMatchObject({ ok: true, data: { outcome: 'confirm' } });
    if (!first.ok || first.data.outcome !== 'confirm') return;
    expect(first.data.confirmations?.map((c) => c.field)).toEqual(expect.arrayContaining(['cronDayOfWeek', 'diskImageFormat']));
    expect(await rawEntry(dn)).toEqual(PLAIN);
    const saved = await saveBackupConfigAction({ level: 'machine', ...form, confirm: first.data.confirm });
    expect(saved).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    expect(expectDaemonReadable(await rawEntry(dn))).toMatchObject({
      sstCronDayOfWeek: '1-5',
      sstVirtualizationDiskImageFormat: 'qed',
      sstVirtualizationDiskImageDirectoryPermission: '750',
    });
    expect((await readMachineView(web.uuid)).effective.level).toBe('machine');

    const next = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    const lower = { uuid: web.uuid, token: next.token, ...next.form, iterations: '1' };
    const asked = await saveBackupConfigAction({ level: 'machine', ...lower });
    expect(asked).toMatchObject({ ok: true, data: { outcome: 'confirm', confirmations: [{ field: 'iterations' }] } });
    expect((await saveBackupConfigAction({ level: 'machine', ...lower, confirm: asked.ok ? asked.data.confirm : '' })).ok).toBe(true);
    expect((await rawEntry(dn))?.sstBackupNumberOfIterations).toEqual(['1']);

    const last = await readBackupEditor({ level: 'machine', uuid: web.uuid });
    expect((await removeBackupOverrideAction({ level: 'machine', uuid: web.uuid, token: last.token })).ok).toBe(true);
    expect(await rawEntry(dn)).toEqual(PLAIN);
    expect(await rawChildren(dn)).toEqual(iterations);
    expect(await status('web-01')).toBe('protected');

    const history = await listAudit({ machineUuid: web.uuid });
    expect(history.records.slice(0, 3).map((r) => r.action)).toEqual([
      'backup-config.remove-override',
      'backup-config.save',
      'backup-config.save',
    ]);
    expect(history.records.every((r) => r.machineUuid === web.uuid)).toBe(true);
  });
});

describe('excluding and including', () => {
  it('excludes a machine without ou=backup with a complete copy, and includes it again', async () => {
    const fresh = demoMachine('new-01');
    const dn = demoDns().machineBackup(fresh.uuid);
    expect(await rawEntry(dn)).toBeNull();
    cleanups.push(() => rawDelete(dn).catch(() => undefined));
    const counts = summarizeFleet(await readFleet()).counts;

    const excluded = await setBackupExcludedAction({ level: 'machine', uuid: fresh.uuid, intent: 'exclude' });
    expect(excluded).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    if (excluded.ok) expect(excluded.data.message).toMatch(/exact copy of the cloud-wide configuration/);
    const written = await rawEntry(dn);
    expect(expectDaemonReadable(written).sstBackupExcludeFromBackup).toBe('TRUE');
    expect(configOf(written)).toEqual(configOf(await rawEntry(demoDns().cloudBackup)));
    expect(written?.description?.[0]).toMatch(/^backup-console: copy of the inherited backup configuration/);

    const overview = summarizeFleet(await readFleet());
    expect(overview.counts.excluded).toBe(counts.excluded + 1);
    expect(overview.counts.never).toBe(counts.never - 1);
    expect(overview.attention.map((m) => m.name)).not.toContain('new-01');
    expect((await readBackupEditor({ level: 'machine', uuid: fresh.uuid })).consoleCopy).toBe(true);

    const included = await setBackupExcludedAction({ level: 'machine', uuid: fresh.uuid, intent: 'include' });
    expect(included).toMatchObject({ ok: true, data: { outcome: 'changed' } });
    // No ou=backup without a leaf is left behind (daemons.md, fact 7): the schedulers create it at the first backup.
    expect(await rawEntry(dn)).toBeNull();
    expect(await status('new-01')).toBe('never');
    expect(summarizeFleet(await readFleet()).counts).toEqual(counts);

    const audit = await listAudit({ machineUuid: fresh.uuid });
    // Other test files act on new-01 too; its newest two records are this test's.
    expect(audit.records.slice(0, 2).map((r) => r.action)).toEqual(['backup.include', 'backup.exclude']);
    expect(audit.records[1].changes).toContainEqual({ attribute: 'sstBackupExcludeFromBackup', before: [], after: ['TRUE'] });
  });

  it('excludes machines with iterations from the list selection and includes them again, keeping every iteration', async () => {
    const web = demoMachine('web-01');
    const files = demoMachine('files-01');
    const dns = [web, files].map((m) => demoDns().machineBackup(m.uuid));
    const iterations = await Promise.all(dns.map(rawChildren));
    for (const dn of dns) cleanups.push(() => rawReplace(dn, { objectClass: PLAIN.objectClass }).catch(() => undefined));

    const selection = new FormData();
    selection.append('intent', 'exclude');
    selection.append('uuid', web.uuid);
    selection.append('uuid', files.uuid);
    const excluded = await setMachinesExcludedAction(null, selection);
    expect(excluded).toMatchObject({ ok: true, data: { intent: 'exclude', results: [{ outcome: 'changed' }, { outcome: 'changed' }] } });
    expect([await status('web-01'), await status('files-01')]).toEqual(['excluded', 'excluded']);

    // A row's own button acts on that row only, whatever else is selected.
    const row = new FormData();
    row.append('toggle', `include:${web.uuid}`);
    row.append('uuid', files.uuid);
    expect(await setMachinesExcludedAction(null, row)).toMatchObject({
      ok: true,
      data: { results: [{ uuid: web.uuid, outcome: 'changed' }] },
    });
    expect([await status('web-01'), await status('files-01')]).toEqual(['protected', 'excluded']);

    const rest = new FormData();
    rest.append('intent', 'include');
    rest.append('uuid', files.uuid);
    rest.append('uuid', web.uuid);
    expect(await setMachinesExcludedAction(null, rest)).toMatchObject({
      ok: true,
      data: { results: [{ outcome: 'changed' }, { outcome: 'unchanged' }] },
    });
    for (const dn of dns) expect(await rawEntry(dn)).toEqual(PLAIN);
    expect(await Promise.all(dns.map(rawChildren))).toEqual(iterations);
    expect([await status('web-01'), await status('files-01')]).toEqual(['protected', 'stale']);
  });

  it('includes a machine excluded by hand with the flag alone (the old manual way)', async () => {
    const legacy = demoMachine('Legacy ERP, Müller & Söhne');
    const editor = await readBackupEditor({ level: 'machine', uuid: legacy.uuid });
    const dn = editor.dn;
    const original = await rawEntry(dn);
    expect(original?.sstBackupExcludeFromBackup).toEqual(['TRUE']);
    cleanups.push(() => rawReplace(dn, { objectClass: original?.objectClass ?? [], sstBackupExcludeFromBackup: ['TRUE'] }));
    const children = await rawChildren(dn);

    expect(await setBackupExcludedAction({ level: 'machine', uuid: legacy.uuid, intent: 'include' })).toMatchObject({
      ok: true,
      data: { outcome: 'changed' },
    });
    expect(await rawEntry(dn)).toEqual(PLAIN);
    expect(await rawChildren(dn)).toEqual(children);
    expect((await readMachineView(legacy.uuid)).effective.level).toBe('cloud');
  });

  it('excludes and includes a pool, with and without its own configuration', async () => {
    const production = demoPool('Production servers');
    const templates = demoPool('Templates');
    const productionDn = demoDns().poolBackup(production.uuid);
    const templatesDn = demoDns().poolBackup(templates.uuid);
    const templatesBefore = await rawEntry(templatesDn);
    cleanups.push(() => rawReplace(productionDn, { objectClass: PLAIN.objectClass }).catch(() => undefined));

    expect((await setBackupExcludedAction({ level: 'pool', uuid: templates.uuid, intent: 'exclude' })).ok).toBe(true);
    expect((await rawEntry(templatesDn))?.sstBackupExcludeFromBackup).toEqual(['TRUE']);
    expect(await status('tpl-windows-2022')).toBe('excluded');
    expect((await setBackupExcludedAction({ level: 'pool', uuid: templates.uuid, intent: 'include' })).ok).toBe(true);
    expect(await rawEntry(templatesDn)).toEqual(templatesBefore);

    expect((await setBackupExcludedAction({ level: 'pool', uuid: production.uuid, intent: 'exclude' })).ok).toBe(true);
    expect(expectDaemonReadable(await rawEntry(productionDn)).sstBackupExcludeFromBackup).toBe('TRUE');
    expect(await status('web-01')).toBe('excluded');
    // The flag is the pool's: the machine cannot be included on its own.
    const refused = await setBackupExcludedAction({ level: 'machine', uuid: demoMachine('web-01').uuid, intent: 'include' });
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/include the pool instead/) });
    expect((await setBackupExcludedAction({ level: 'pool', uuid: production.uuid, intent: 'include' })).ok).toBe(true);
    expect(await rawEntry(productionDn)).toEqual(PLAIN);
    expect(await status('web-01')).toBe('protected');
  });
});

describe('no lost updates, no invalid values', () => {
  it('refuses the second of two concurrent edits and says what changed', async () => {
    const dn = demoDns().cloudBackup;
    const original = await rawEntry(dn);
    cleanups.push(() =>
      rawReplace(dn, {
        sstBackupNumberOfIterations: original?.sstBackupNumberOfIterations ?? [],
        sstCronHour: original?.sstCronHour ?? [],
      }),
    );

    const first = await readBackupEditor({ level: 'cloud' });
    const second = await readBackupEditor({ level: 'cloud' });
    expect(await saveBackupConfigAction({ level: 'cloud', token: first.token, ...first.form, iterations: '4' })).toMatchObject({
      ok: true,
    });
    const refused = await saveBackupConfigAction({ level: 'cloud', token: second.token, ...second.form, cronHour: '5' });
    expect(refused).toMatchObject({ ok: false });
    if (refused.ok) return;
    expect(refused.error).toMatch(/Someone else changed this configuration.*Iterations kept: "3" → "4"/);
    expect(refused.fieldErrors?.iterations).toMatch(/now "4" \(you read "3"\)/);
    expect(expectDaemonReadable(await rawEntry(dn))).toMatchObject({ sstCronHour: '3', sstBackupNumberOfIterations: '4' });
  });

  it('lets the directory refuse a change made between reading and writing', async () => {
    const dn = demoDns().cloudBackup;
    const original = await rawEntry(dn);
    cleanups.push(() => rawReplace(dn, { sstCronHour: original?.sstCronHour ?? [] }));
    const stored = await readStoredBackupEntry({ level: 'cloud' });
    const complete = completeConfigOf(stored.state.values);
    if (!complete.ok) throw new Error('the demo cloud configuration is incomplete');
    // Someone else changes a cron field, which has no equality rule: only the assertion on entryCSN can catch it.
    await rawReplace(dn, { sstCronHour: ['6'] });
    const plan = planSave({ config: { ...complete.config, iterations: 9 }, keys: ['iterations'], added: [] });
    if (plan.kind !== 'write') throw new Error('expected a write');
    await expect(writeStoredBackupEntry(stored, plan.next)).rejects.toMatchObject({ code: 'conflict' });
    expect((await rawEntry(dn))?.sstCronHour).toEqual(['6']);
    expect((await rawEntry(dn))?.sstBackupNumberOfIterations).toEqual(original?.sstBackupNumberOfIterations);
  });

  it('rejects invalid values next to their fields and writes nothing', async () => {
    const db = demoMachine('db-01');
    const editor = await readBackupEditor({ level: 'machine', uuid: db.uuid });
    const before = await rawEntry(editor.dn);
    const auditBefore = (await listAudit({ machineUuid: db.uuid })).records.length;

    const result = await saveBackupConfigAction({
      level: 'machine',
      uuid: db.uuid,
      token: editor.token,
      ...editor.form,
      diskImagePermission: '999',
      rootDirectory: 'file:///var/../etc',
      retainDirectory: '/var/virtualization/retain',
      cronHour: '25',
      iterations: '-1',
      diskImageFormat: 'raw',
    });
    expect(result).toMatchObject({ ok: false, error: 'Some values are not valid; nothing was changed.' });
    if (result.ok) return;
    expect(Object.keys(result.fieldErrors ?? {}).sort()).toEqual([
      'cronHour',
      'diskImageFormat',
      'diskImagePermission',
      'iterations',
      'retainDirectory',
      'rootDirectory',
    ]);
    expect(result.fieldErrors?.diskImagePermission).toMatch(/octal/);
    expect(await rawEntry(editor.dn)).toEqual(before);
    expect((await listAudit({ machineUuid: db.uuid })).records).toHaveLength(auditBefore);

    const noUuid = new FormData();
    noUuid.append('intent', 'exclude');
    noUuid.append('uuid', 'web-01)(objectClass=*');
    expect(await setMachinesExcludedAction(null, noUuid)).toMatchObject({ ok: false });
  });

  it('never leaves a partial override behind, even when asked to', async () => {
    const fresh = demoMachine('new-01');
    const dn = demoDns().machineBackup(fresh.uuid);
    cleanups.push(() => rawDelete(dn).catch(() => undefined));
    await rawAdd(dn, PLAIN);
    const stored = await readStoredBackupEntry({ level: 'machine', uuid: fresh.uuid });
    await expect(writeStoredBackupEntry(stored, { config: 'keep', exclude: true, copyFingerprint: null })).rejects.toMatchObject({
      code: 'invalid-input',
    });
    expect(await rawEntry(dn)).toEqual(PLAIN);
  });
});
