import { describe, expect, it } from 'vitest';
import { COMPLETE, COMPLETE_FORM, configEntry } from '../../tests/fixtures/backup-config';
import { backupConfigFormSchema, formValuesOf, type ConfigFormValues } from './config-schema';
import { resolveEffectiveConfig } from './config';

const VALID: ConfigFormValues = {
  ...COMPLETE_FORM,
  iterations: '3',
  forceStart: 'TRUE',
  diskImagePermission: '0660',
  cronMinute: '30',
  cronHour: '2',
  cronDayOfWeek: 'mon-fri',
};

function errorsOf(change: Partial<ConfigFormValues>): Record<string, string> {
  const result = backupConfigFormSchema.safeParse({ ...VALID, ...change });
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((i) => [i.path.join('.'), i.message]));
}

describe('backupConfigFormSchema', () => {
  it('turns valid text into a complete configuration', () => {
    const result = backupConfigFormSchema.parse(VALID);
    expect(result).toEqual({
      ...COMPLETE,
      iterations: 3,
      ramDiskLocation: null,
      restoreWithoutState: false,
      forceStart: true,
      // Integer syntax forbids leading zeros; the installer writes 660 too.
      diskImagePermission: '660',
      cron: { minute: '30', hour: '2', day: '*', month: '*', dayOfWeek: 'mon-fri', active: true },
    });
  });

  it('accepts a RAM disk location as a file URL', () => {
    expect(backupConfigFormSchema.parse({ ...VALID, ramDiskLocation: ' file:///var/cache/kvmbackup ' }).ramDiskLocation).toBe(
      'file:///var/cache/kvmbackup',
    );
  });

  it.each([
    ['/var/backup', /file:\/\/\/ URL/],
    ['file://host/var/backup', /file:\/\/\/ URL/],
    ['file:///var/../etc', /'\.\.'/],
    ['file:///var/./backup', /'\.\.' or '\.'/],
    ['file:///', /not \/ itself/],
    ['file:///var/back up', /only letters/],
    ['file:///var//backup', /single slashes/],
    ['file:///var/$(reboot)', /only letters/],
    ['', /required/],
  ])('rejects the directory %j', (value, message) => {
    expect(errorsOf({ rootDirectory: value }).rootDirectory).toMatch(message);
  });

  it.each(['660x', '999', '66', '06600', '-660', ''])('rejects the permission %j', (value) => {
    expect(errorsOf({ diskImagePermission: value }).diskImagePermission).toMatch(/octal permissions/);
  });

  it('keeps 4-digit modes and strips a leading zero', () => {
    expect(backupConfigFormSchema.parse({ ...VALID, directoryPermission: '2770' }).directoryPermission).toBe('2770');
    expect(backupConfigFormSchema.parse({ ...VALID, directoryPermission: '0770' }).directoryPermission).toBe('770');
  });

  it.each([
    ['iterations', '', /whole number/],
    ['iterations', '-1', /whole number/],
    ['iterations', '2.5', /whole number/],
    ['iterations', '0', /between 1 and 99/],
    ['iterations', '100', /between 1 and 99/],
    ['mergeBandwidth', 'fast', /whole number/],
    ['mergeBandwidth', '-5', /whole number/],
  ] as const)('rejects %s = %j', (field, value, message) => {
    expect(errorsOf({ [field]: value })[field]).toMatch(message);
  });

  it('knows the image formats and names', () => {
    expect(errorsOf({ diskImageFormat: 'raw' }).diskImageFormat).toMatch(/one of qcow2, qed, vmdk/);
    expect(errorsOf({ diskImageOwner: 'root;rm' }).diskImageOwner).toMatch(/user or group name/);
    expect(errorsOf({ directoryGroup: '3000' })).toEqual({});
    expect(errorsOf({ forceStart: 'yes' }).forceStart).toMatch(/TRUE or FALSE/);
  });

  it('validates each cron field with its own range and says what is wrong', () => {
    expect(errorsOf({ cronMinute: '60' }).cronMinute).toBe('Minute 60 is out of range 0–59.');
    expect(errorsOf({ cronHour: '1-' }).cronHour).toMatch(/not a number, range or step/);
    expect(errorsOf({ cronDay: '0' }).cronDay).toMatch(/out of range 1–31/);
    expect(errorsOf({ cronMonth: 'january' }).cronMonth).toMatch(/month name/);
    expect(errorsOf({ cronDayOfWeek: '*/0' }).cronDayOfWeek).toMatch(/Step 0/);
    expect(errorsOf({ cronMinute: '' }).cronMinute).toMatch(/missing/);
    expect(errorsOf({ cronMinute: '*/15', cronHour: '1-5,22', cronDay: '1,15', cronMonth: 'jan-jun/2', cronDayOfWeek: '7' })).toEqual({});
  });

  it('reports every wrong field at once', () => {
    expect(Object.keys(errorsOf({ iterations: 'x', diskImagePermission: '9', cronHour: '24' })).sort()).toEqual([
      'cronHour',
      'diskImagePermission',
      'iterations',
    ]);
  });
});

describe('formValuesOf', () => {
  it('starts from the values in effect, with defaults where the applying entry has none', () => {
    const cloud = configEntry('cloud', {
      iterations: 3,
      rootDirectory: 'file:///b',
      cron: { ...COMPLETE.cron, active: false },
    });
    const values = formValuesOf(resolveEffectiveConfig({ cloud }));
    expect(values).toMatchObject({
      iterations: '3',
      rootDirectory: 'file:///b',
      retainDirectory: 'file:///var/virtualization/retain',
      ramDiskLocation: '',
      diskImagePermission: '660',
      forceStart: 'FALSE',
      cronHour: '3',
      cronActive: 'FALSE',
    });
    expect(backupConfigFormSchema.safeParse(values).success).toBe(true);
  });
});
