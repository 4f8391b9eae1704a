import { describe, expect, it } from 'vitest';
import { COMPLETE, configEntry } from '../../tests/fixtures/backup-config';
import { completeConfigOf, type CompleteBackupConfig } from './complete-config';
import { formValuesOf } from './config-schema';
import { resolveEffectiveConfig, type BackupConfigValues } from './config';
import { copyPatch, planConfigPatch } from './save-plan';

// The installer's cloud-wide entry (no restore-without-state flag at all), its schedule switched off.
const INSTALLER: BackupConfigValues = { ...COMPLETE, cron: { ...COMPLETE.cron, active: false } };
const config = (values: BackupConfigValues): CompleteBackupConfig => {
  const r = completeConfigOf(values);
  if (!r.ok) throw new Error(r.missing.join());
  return r.config;
};
const initialOf = (values: BackupConfigValues) => formValuesOf(resolveEffectiveConfig({ cloud: configEntry('cloud', values) }));

describe('only what the administrator changed is written', () => {
  it('saving the cloud-wide plan writes the changed cron field and nothing nobody touched', () => {
    const submitted = { ...config(INSTALLER), cron: { ...config(INSTALLER).cron!, active: true } };
    const patch = planConfigPatch({ stored: INSTALLER, submitted, initial: initialOf(INSTALLER), needsSchedule: true });
    expect(patch.keys).toEqual(['cronActive']);
    expect(patch.added).toEqual([]);
  });

  it('adds what a complete entry lacks, and names it', () => {
    const { diskImageGroup: _g, ...lacking } = INSTALLER;
    expect(_g).toBe('vm-storage');
    const submitted = { ...config(INSTALLER), iterations: 4 };
    const patch = planConfigPatch({ stored: lacking, submitted, initial: initialOf(lacking), needsSchedule: true });
    expect(patch.keys.sort()).toEqual(['diskImageGroup', 'iterations']);
    expect(patch.added).toEqual(['diskImageGroup']);
  });

  it('writes an optional value only when it differs from what its absence means', () => {
    const submitted = { ...config(INSTALLER), restoreWithoutState: true, mergeBandwidth: 0 };
    expect(planConfigPatch({ stored: INSTALLER, submitted, initial: initialOf(INSTALLER), needsSchedule: true }).keys).toEqual([
      'restoreWithoutState',
    ]);
    const cleared = planConfigPatch({
      stored: { ...INSTALLER, ramDiskLocation: 'file:///ram' },
      submitted: config(INSTALLER),
      initial: initialOf(INSTALLER),
      needsSchedule: true,
    });
    expect(cleared.keys).toEqual(['ramDiskLocation']);
  });

  it('on stoney cloud leaves an entry without a schedule without one unless the administrator enters one', () => {
    const { cron: _c, ...noCron } = INSTALLER;
    expect(_c).toBeDefined();
    const initial = {
      ...initialOf(noCron),
      cronMinute: '',
      cronHour: '',
      cronDay: '',
      cronMonth: '',
      cronDayOfWeek: '',
      cronActive: 'FALSE',
    };
    const submitted: CompleteBackupConfig = {
      ...config(INSTALLER),
      cron: { minute: '', hour: '', day: '', month: '', dayOfWeek: '', active: false },
      iterations: 2,
    };
    const patch = planConfigPatch({ stored: noCron, submitted, initial, needsSchedule: false });
    expect(patch.keys).toEqual(['iterations']);
    expect(patch.config.cron).toBeNull();
  });

  it('copies exactly the values the inherited entry holds', () => {
    expect(copyPatch(config(INSTALLER), INSTALLER).keys).not.toContain('restoreWithoutState');
    expect(copyPatch(config(INSTALLER), INSTALLER).keys).toContain('forceStart');
  });
});
