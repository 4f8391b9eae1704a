import { describe, expect, it } from 'vitest';
import { PARAMETERS, resolveEffectiveConfig, type BackupConfigEntry, type BackupConfigValues } from './config';

const COMPLETE: BackupConfigValues = {
  iterations: 1,
  rootDirectory: 'file:///var/backup/virtualization',
  retainDirectory: 'file:///var/virtualization/retain',
  diskImageFormat: 'qcow2',
  diskImageOwner: 'root',
  diskImageGroup: 'vm-storage',
  diskImagePermission: '660',
  directoryOwner: 'root',
  directoryGroup: 'vm-storage',
  directoryPermission: '770',
  forceStart: false,
  mergeBandwidth: 0,
  cron: { minute: '0', hour: '3', day: '*', month: '*', dayOfWeek: '*', active: true },
};

const entry = (level: BackupConfigEntry['level'], values: BackupConfigValues, hasConfigClass = true): BackupConfigEntry => ({
  dn: `ou=backup,${level}`,
  level,
  hasConfigClass,
  values,
});

const cloud = entry('cloud', COMPLETE);

describe('resolveEffectiveConfig: precedence', () => {
  it('uses the cloud-wide entry when nothing more specific carries the class', () => {
    const r = resolveEffectiveConfig({ machine: entry('machine', {}, false), pool: null, cloud });
    expect(r.level).toBe('cloud');
    expect(r.entry).toBe(cloud);
    expect(r.reason).toBe(
      'Neither the machine nor its pool has a backup configuration of its own, so the cloud-wide configuration applies as a whole.',
    );
    expect(r.values.iterations).toEqual({ value: 1, source: 'entry' });
    expect(r.warnings).toEqual([]);
  });

  it('prefers the pool over the cloud, and the machine over both', () => {
    const pool = entry('pool', { ...COMPLETE, iterations: 3 });
    const machine = entry('machine', { ...COMPLETE, iterations: 7 });
    expect(resolveEffectiveConfig({ machine: null, pool, cloud })).toMatchObject({ level: 'pool', values: { iterations: { value: 3 } } });
    const r = resolveEffectiveConfig({ machine, pool, cloud });
    expect(r.level).toBe('machine');
    expect(r.values.iterations.value).toBe(7);
    expect(r.reason).toBe("The machine's own ou=backup carries the backup configuration class, so it applies as a whole.");
  });

  it('ignores a plain machine ou=backup without the class', () => {
    const r = resolveEffectiveConfig({ machine: entry('machine', {}, false), pool: entry('pool', COMPLETE), cloud });
    expect(r.level).toBe('pool');
    expect(r.reason).toContain("the pool's ou=backup carries the backup configuration class");
  });

  it('never merges values across levels: what the applying entry lacks is a default, not the cloud value', () => {
    const pool = entry('pool', { iterations: 5, retainDirectory: 'file:///pool/retain', cron: COMPLETE.cron });
    const r = resolveEffectiveConfig({ pool, cloud: entry('cloud', { ...COMPLETE, rootDirectory: 'file:///cloud/backup', mergeBandwidth: 50 }) });
    expect(r.values.retainDirectory).toEqual({ value: 'file:///pool/retain', source: 'entry' });
    expect(r.values.rootDirectory).toEqual({ value: 'file:///var/backup/virtualization', source: 'default' });
    expect(r.values.mergeBandwidth).toEqual({ value: 0, source: 'default' });
    expect(r.values.ramDiskLocation).toEqual({ value: null, source: 'default' });
    expect(r.warnings).toEqual([
      "The pool's configuration lacks backup directory, disk image format, disk image owner, disk image group, disk image permissions, directory owner, directory group and directory permissions; the daemons do not fall back to defaults, so backups fail.",
    ]);
  });

  it('reports the applying schedule, or null when the entry has none', () => {
    const r = resolveEffectiveConfig({ cloud });
    expect(r.values.cron).toEqual({ value: { minute: '0', hour: '3', day: '*', month: '*', dayOfWeek: '*', active: true }, source: 'entry' });
    const bare = resolveEffectiveConfig({ pool: entry('pool', { ...COMPLETE, cron: undefined }), cloud });
    expect(bare.values.cron).toEqual({ value: null, source: 'default' });
    expect(bare.warnings).toEqual(["The pool's configuration has no schedule, so the scheduler never starts a backup."]);
  });

  it('flags an incomplete schedule', () => {
    const r = resolveEffectiveConfig({ pool: entry('pool', { ...COMPLETE, cron: { minute: '0', hour: '3', active: true } }), cloud });
    expect(r.values.cron.value).toEqual({ minute: '0', hour: '3', day: '', month: '', dayOfWeek: '', active: true });
    expect(r.warnings).toEqual([
      "The pool's configuration has an incomplete schedule (no day of month, month and day of week), so the scheduler never starts a backup.",
    ]);
  });

  it('says when no entry applies at all', () => {
    const r = resolveEffectiveConfig({ machine: entry('machine', {}, false), cloud: null });
    expect(r.level).toBe('none');
    expect(r.entry).toBeNull();
    expect(r.values.iterations).toEqual({ value: 1, source: 'default' });
    expect(r.warnings).toEqual(['No backup configuration applies; the node daemon fails with code 32 (no configuration found).']);
  });

  it('warns about settings on an entry without the class', () => {
    const r = resolveEffectiveConfig({ pool: entry('pool', { iterations: 4 }, false), cloud });
    expect(r.level).toBe('cloud');
    expect(r.warnings).toEqual(["The pool's ou=backup has backup settings but not the backup configuration class, so the daemons ignore them."]);
  });
});

describe('resolveEffectiveConfig: exclusion', () => {
  it('is decided by the first level that sets the flag', () => {
    const r = resolveEffectiveConfig({
      machine: entry('machine', { excludeFromBackup: false }),
      pool: entry('pool', { ...COMPLETE, excludeFromBackup: true }),
      cloud,
    });
    expect(r.excluded).toBe(false);
    expect(r.excludedBy).toBe('machine');
    expect(r.values.excludeFromBackup).toEqual({ value: false, source: 'entry' });

    const byPool = resolveEffectiveConfig({ machine: entry('machine', COMPLETE), pool: entry('pool', { ...COMPLETE, excludeFromBackup: true }), cloud });
    expect(byPool).toMatchObject({ level: 'machine', excluded: true, excludedBy: 'pool' });
  });

  it('is off when no level sets the flag', () => {
    const r = resolveEffectiveConfig({ cloud });
    expect(r).toMatchObject({ excluded: false, excludedBy: null, values: { excludeFromBackup: { value: false, source: 'default' } } });
  });

  it('warns that an exclude-only machine entry still replaces the pool and cloud configuration', () => {
    const r = resolveEffectiveConfig({ machine: entry('machine', { excludeFromBackup: true }), pool: entry('pool', COMPLETE), cloud });
    expect(r).toMatchObject({ level: 'machine', excluded: true, excludedBy: 'machine' });
    expect(r.warnings).toEqual([
      "The machine's own configuration only sets the exclude flag, yet it replaces the pool and cloud-wide configuration as a whole: it has no schedule or directories, so backups fail once the machine is included again.",
    ]);
    const included = resolveEffectiveConfig({ machine: entry('machine', { excludeFromBackup: false }), cloud });
    expect(included.warnings[0]).toMatch(/so no backup runs\.$/);
  });
});

describe('PARAMETERS', () => {
  it('lists every parameter once, with the documented defaults', () => {
    expect(PARAMETERS.map((p) => p.key)).toEqual([
      'iterations', 'rootDirectory', 'retainDirectory', 'ramDiskLocation', 'excludeFromBackup', 'restoreWithoutState',
      'forceStart', 'mergeBandwidth', 'diskImageFormat', 'diskImageOwner', 'diskImageGroup', 'diskImagePermission',
      'directoryOwner', 'directoryGroup', 'directoryPermission',
    ]);
    const defaults = Object.fromEntries(PARAMETERS.map((p) => [p.key, p.default]));
    expect(defaults).toMatchObject({
      iterations: 1,
      rootDirectory: 'file:///var/backup/virtualization',
      retainDirectory: 'file:///var/virtualization/retain',
      ramDiskLocation: null,
      excludeFromBackup: false,
      restoreWithoutState: false,
      forceStart: false,
      mergeBandwidth: 0,
      diskImageFormat: 'qcow2',
      diskImageOwner: 'root',
      diskImageGroup: 'vm-storage',
      diskImagePermission: '660',
      directoryOwner: 'root',
      directoryGroup: 'vm-storage',
      directoryPermission: '770',
    });
    for (const p of PARAMETERS) {
      expect(p.description).toMatch(/^[A-Z0-9].*\.$/);
      expect(`${p.label} ${p.description}`).not.toMatch(/sst[A-Z]/);
    }
    expect(PARAMETERS.find((p) => p.key === 'diskImagePermission')?.kind).toBe('octal');
  });
});
