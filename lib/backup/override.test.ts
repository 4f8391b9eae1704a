import { describe, expect, it } from 'vitest';
import { COMPLETE, configEntry as entry } from '../../tests/fixtures/backup-config';
import { configFingerprint, completeConfigOf, type CompleteBackupConfig } from './complete-config';
import { resolveEffectiveConfig, type BackupConfigValues } from './config';
import { planExclude, planInclude, planRemoveOverride, planSave, type BackupEntryState } from './override';
import { copyPatch, type ConfigPatch } from './save-plan';

/** The cloud-wide configuration the machines inherit: complete, with the RAM disk and every optional flag written. */
const CLOUD_VALUES: BackupConfigValues = {
  ...COMPLETE,
  iterations: 3,
  ramDiskLocation: 'file:///var/cache/kvmbackup',
  restoreWithoutState: false,
};

const inheritedFromCloud = resolveEffectiveConfig({ cloud: entry('cloud', CLOUD_VALUES) });
const copy = (completeConfigOf(CLOUD_VALUES) as { ok: true; config: CompleteBackupConfig }).config;

const plain: BackupEntryState = { exists: true, hasConfigClass: false, values: {}, copyFingerprint: null };
const absent: BackupEntryState = { exists: false, hasConfigClass: false, values: {}, copyFingerprint: null };

describe('excluding', () => {
  it('copies the whole inherited configuration next to the flag when the entry has none', () => {
    for (const state of [plain, absent]) {
      const plan = planExclude('machine', state, inheritedFromCloud);
      expect(plan.kind).toBe('write');
      if (plan.kind !== 'write') return;
      expect(plan.next).toEqual({ config: copyPatch(copy, CLOUD_VALUES), exclude: true, copyFingerprint: configFingerprint(copy) });
      expect((plan.next.config as ConfigPatch).keys).toContain('ramDiskLocation');
      expect(plan.message).toMatch(/own configuration: an exact copy of the cloud-wide configuration/);
    }
  });

  it('only sets the flag on an entry that already has its own configuration', () => {
    const own: BackupEntryState = { exists: true, hasConfigClass: true, values: { ...CLOUD_VALUES, iterations: 7 }, copyFingerprint: null };
    expect(planExclude('machine', own, inheritedFromCloud)).toMatchObject({ kind: 'write', next: { config: 'keep', exclude: true } });
  });

  it('does nothing when already excluded', () => {
    const excluded: BackupEntryState = { exists: true, hasConfigClass: true, values: { excludeFromBackup: true }, copyFingerprint: null };
    expect(planExclude('machine', excluded, inheritedFromCloud).kind).toBe('none');
  });

  it('refuses rather than write a partial override when what it inherits is incomplete', () => {
    const partial = resolveEffectiveConfig({ pool: entry('pool', { iterations: 2 }), cloud: entry('cloud', CLOUD_VALUES) });
    const plan = planExclude('machine', plain, partial);
    expect(plan).toMatchObject({ kind: 'refuse' });
    expect(plan.message).toMatch(/lacks backup directory, .*a complete schedule/);
    expect(planExclude('pool', plain, resolveEffectiveConfig({})).kind).toBe('refuse');
  });
});

describe('including again', () => {
  const excludedCopy: BackupEntryState = {
    exists: true,
    hasConfigClass: true,
    values: { ...CLOUD_VALUES, excludeFromBackup: true },
    copyFingerprint: configFingerprint(copy),
  };

  it('removes the copy the console made, returning to a plain ou=backup', () => {
    expect(planInclude('machine', excludedCopy, inheritedFromCloud, null)).toMatchObject({
      kind: 'write',
      next: { config: null, exclude: null, copyFingerprint: null },
    });
  });

  it('removes the copy even after the inherited configuration changed meanwhile', () => {
    const changedCloud = resolveEffectiveConfig({ cloud: entry('cloud', { ...CLOUD_VALUES, iterations: 5 }) });
    expect(planInclude('machine', excludedCopy, changedCloud, null)).toMatchObject({ kind: 'write', next: { config: null } });
  });

  it('keeps a copy that someone edited while the machine was excluded, as a deliberate override', () => {
    const edited = { ...excludedCopy, values: { ...excludedCopy.values, iterations: 9 } };
    const plan = planInclude('machine', edited, inheritedFromCloud, null);
    expect(plan).toMatchObject({ kind: 'write', next: { config: 'keep', exclude: null, copyFingerprint: null } });
    expect(plan.message).toMatch(/kept as a deliberate override/);
  });

  it('removes a hand-made exclude-only entry entirely (the old manual procedure)', () => {
    const flagOnly: BackupEntryState = { exists: true, hasConfigClass: true, values: { excludeFromBackup: true }, copyFingerprint: null };
    expect(planInclude('machine', flagOnly, inheritedFromCloud, null)).toMatchObject({
      kind: 'write',
      next: { config: null, exclude: null },
    });
  });

  it('clears only the flag on a complete own configuration', () => {
    const own: BackupEntryState = {
      exists: true,
      hasConfigClass: true,
      values: { ...CLOUD_VALUES, iterations: 7, excludeFromBackup: true },
      copyFingerprint: null,
    };
    expect(planInclude('machine', own, inheritedFromCloud, null)).toMatchObject({ kind: 'write', next: { config: 'keep', exclude: null } });
  });

  it('refuses to leave a partial override behind', () => {
    const partial: BackupEntryState = {
      exists: true,
      hasConfigClass: true,
      values: { iterations: 2, excludeFromBackup: true },
      copyFingerprint: null,
    };
    expect(planInclude('machine', partial, inheritedFromCloud, null)).toMatchObject({ kind: 'refuse' });
  });

  it('points to the pool when the exclusion comes from there', () => {
    const plan = planInclude('machine', plain, inheritedFromCloud, 'pool');
    expect(plan).toMatchObject({ kind: 'refuse' });
    expect(plan.message).toMatch(/include the pool instead/);
    expect(planInclude('machine', plain, inheritedFromCloud, null).kind).toBe('none');
    expect(planInclude('machine', excludedCopy, inheritedFromCloud, 'pool').message).toMatch(/stays excluded by the pool's configuration/);
  });
});

describe('removing an override and saving', () => {
  it('returns to a plain ou=backup, but not while the flag lives in it', () => {
    const own: BackupEntryState = { exists: true, hasConfigClass: true, values: CLOUD_VALUES, copyFingerprint: null };
    expect(planRemoveOverride('pool', own)).toMatchObject({ kind: 'write', next: { config: null, exclude: null, copyFingerprint: null } });
    expect(planRemoveOverride('pool', { ...own, values: { ...CLOUD_VALUES, excludeFromBackup: true } }).kind).toBe('refuse');
    expect(planRemoveOverride('pool', plain).kind).toBe('none');
  });

  it("keeps the exclude flag as it is and makes the configuration the administrator's own", () => {
    const patch: ConfigPatch = { config: copy, keys: ['iterations'], added: [] };
    expect(planSave(patch)).toEqual({
      kind: 'write',
      next: { config: patch, exclude: 'keep', copyFingerprint: null },
      message: expect.any(String),
    });
  });
});

describe('configFingerprint', () => {
  it('is stable and changes with any value', () => {
    const cron = copy.cron ?? { minute: '', hour: '', day: '', month: '', dayOfWeek: '', active: false };
    expect(configFingerprint(copy)).toBe(configFingerprint({ ...copy, cron: { ...cron } }));
    expect(configFingerprint(copy)).toMatch(/^[0-9a-f]{16}$/);
    expect(configFingerprint({ ...copy, cron: { ...cron, hour: '4' } })).not.toBe(configFingerprint(copy));
  });

  it('fills optional flags with the daemon defaults but never required values', () => {
    const { restoreWithoutState, forceStart, mergeBandwidth, ramDiskLocation, ...required } = CLOUD_VALUES;
    expect([restoreWithoutState, forceStart, mergeBandwidth, ramDiskLocation]).toHaveLength(4);
    expect(completeConfigOf(required)).toMatchObject({
      ok: true,
      config: { restoreWithoutState: false, forceStart: false, mergeBandwidth: 0, ramDiskLocation: null },
    });
    expect(completeConfigOf({ ...required, cron: { minute: '0' } })).toEqual({ ok: false, missing: ['a complete schedule'] });
    // stoney cloud: nothing reads the schedule, so an entry without any cron field is complete; half a schedule is not.
    const { cron: _cron, ...withoutCron } = required;
    expect(_cron).toBeDefined();
    expect(completeConfigOf(withoutCron, { needsSchedule: false })).toMatchObject({ ok: true, config: { cron: null } });
    expect(completeConfigOf({ ...withoutCron, cron: { minute: '0' } }, { needsSchedule: false }).ok).toBe(false);
  });
});
