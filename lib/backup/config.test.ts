import { describe, expect, it } from 'vitest';
import { COMPLETE, configEntry } from '../../tests/fixtures/backup-config';
import { PARAMETERS, resolveEffectiveConfig, type BackupConfigEntry } from './config';

const entry = configEntry;

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

  it('never merges values across levels: what the applying entry lacks is a default, not the cloud value', () => {
    const pool = entry('pool', { iterations: 5, retainDirectory: 'file:///pool/retain', cron: COMPLETE.cron });
    const r = resolveEffectiveConfig({
      pool,
      cloud: entry('cloud', { ...COMPLETE, rootDirectory: 'file:///cloud/backup', mergeBandwidth: 50 }),
    });
    expect(r.values.retainDirectory).toEqual({ value: 'file:///pool/retain', source: 'entry' });
    expect(r.values.rootDirectory).toEqual({ value: 'file:///var/backup/virtualization', source: 'default' });
    expect(r.values.mergeBandwidth).toEqual({ value: 0, source: 'default' });
    expect(r.values.ramDiskLocation).toEqual({ value: null, source: 'default' });
    expect(r.warnings).toEqual([
      "The pool's configuration lacks backup directory, disk image format, disk image owner, disk image group, disk image permissions, directory owner, directory group and directory permissions; the node daemon does not fall back to defaults, so backups fail.",
    ]);
  });

  it("reports fc-brokerd's schedule, or null when its level has none", () => {
    const r = resolveEffectiveConfig({ cloud });
    expect(r.values.cron).toEqual({
      value: { minute: '0', hour: '3', day: '*', month: '*', dayOfWeek: '*', active: true },
      source: 'entry',
    });
    const bare = resolveEffectiveConfig({ pool: entry('pool', { ...COMPLETE, cron: undefined }), cloud });
    expect(bare.broker?.level).toBe('pool');
    expect(bare.values.cron).toEqual({ value: null, source: 'default' });
    expect(bare.warnings).toContain(
      "The pool's configuration (as fc-brokerd reads it) has no schedule, so fc-brokerd never starts a backup.",
    );
  });

  it('flags an incomplete schedule', () => {
    const r = resolveEffectiveConfig({ pool: entry('pool', { ...COMPLETE, cron: { minute: '0', hour: '3', active: true } }), cloud });
    expect(r.values.cron.value).toEqual({ minute: '0', hour: '3', day: '', month: '', dayOfWeek: '', active: true });
    expect(r.warnings).toEqual([
      "The pool's configuration (as fc-brokerd reads it) has an incomplete schedule (no day of month, month and day of week), so fc-brokerd never starts a backup.",
    ]);
  });

  it('says when no entry applies at all', () => {
    const r = resolveEffectiveConfig({ machine: entry('machine', {}, false), cloud: null });
    expect(r.level).toBe('none');
    expect(r.entry).toBeNull();
    expect(r.warnings).toEqual(['No backup configuration applies; the node daemon fails with code 32 (no configuration found).']);
  });
});

describe('fact 3: which level counts, for each program', () => {
  it('fc-brokerd takes a level holding an iteration count or cron fields even without the configuration class; the node daemon does not', () => {
    const r = resolveEffectiveConfig({ pool: entry('pool', { iterations: 4, cron: COMPLETE.cron }, false), cloud });
    expect(r.level).toBe('cloud');
    expect(r.broker).toMatchObject({ level: 'pool', iterations: 4 });
    expect(r.values.iterations).toEqual({ value: 4, source: 'entry' });
    expect(r.warnings).toEqual([
      "fc-brokerd and the node daemon read different levels: the schedule, iteration count and exclude flag come from the pool's configuration, the directories and image settings from the cloud-wide configuration.",
      "The pool's ou=backup has backup settings without the backup configuration class: fc-brokerd reads its iteration count, exclude flag and cron fields, the node daemon ignores it.",
    ]);
    expect(resolveEffectiveConfig({ pool: entry('pool', { iterations: 4 }, false), cloud }, 'stoney-cloud').warnings).toContain(
      "The pool's ou=backup has backup settings without the backup configuration class; on stoney cloud nothing reads them.",
    );
  });

  it('the node daemon compares the class name with exact case at machine level', () => {
    const misspelt: BackupConfigEntry = { ...entry('machine', { ...COMPLETE, iterations: 9 }), configClassExact: false };
    const r = resolveEffectiveConfig({ machine: misspelt, cloud });
    expect(r.level).toBe('cloud');
    expect(r.broker?.level).toBe('machine');
    expect(r.warnings.some((w) => /spells the configuration class differently/.test(w))).toBe(true);
    const pool: BackupConfigEntry = { ...entry('pool', COMPLETE), configClassExact: false };
    expect(resolveEffectiveConfig({ pool, cloud }).level).toBe('pool');
  });

  it('fc-brokerd uses only the first value of a multi-valued cron attribute', () => {
    const multi: BackupConfigEntry = {
      ...entry('machine', { ...COMPLETE, cron: { ...COMPLETE.cron, hour: '3,15' } }),
      cronLists: { hour: ['3', '15'] },
    };
    const r = resolveEffectiveConfig({ machine: multi, cloud });
    expect(r.broker?.plan.hour).toBe('3');
    expect(r.broker?.multiValued).toEqual(['hour']);
    expect(r.warnings).toContain('fc-brokerd uses only the first value of the hour, which hold several.');
  });
});

describe('fact 6: directory values the node daemon reads differently', () => {
  it('warns when the applying entry names a directory the node daemon truncates', () => {
    const r = resolveEffectiveConfig({ cloud: entry('cloud', { ...COMPLETE, rootDirectory: 'file:///srv/vm-backup' }) });
    expect(r.warnings).toEqual([expect.stringMatching(/reads file:\/\/\/srv\/vm-backup as \/srv\/vm/)]);
  });
});

describe('fact 4: exclusion, read where each program reads it', () => {
  it('FOSS-Cloud: fc-brokerd reads the flag only from the level it takes', () => {
    const excludedPool = entry('pool', { ...COMPLETE, excludeFromBackup: true });
    const follower = resolveEffectiveConfig({ machine: entry('machine', {}, false), pool: excludedPool, cloud });
    expect(follower).toMatchObject({ excluded: true, excludedBy: 'pool' });
    const ownLevel = resolveEffectiveConfig({ machine: entry('machine', COMPLETE), pool: excludedPool, cloud });
    expect(ownLevel).toMatchObject({ level: 'machine', excluded: false, excludedBy: null });
    expect(ownLevel.exclusionReason).toMatch(/Not excluded, although the pool is/);
  });

  it("stoney cloud: the wrapper reads only the machine's own flag; a pool's flag stops nothing", () => {
    const excludedPool = entry('pool', { ...COMPLETE, excludeFromBackup: true });
    const r = resolveEffectiveConfig({ machine: entry('machine', {}, false), pool: excludedPool, cloud }, 'stoney-cloud');
    expect(r).toMatchObject({ excluded: false, excludedBy: null, broker: null });
    expect(r.exclusionReason).toMatch(/the pool's flag stops nothing/);
    const own = resolveEffectiveConfig({ machine: entry('machine', { ...COMPLETE, excludeFromBackup: true }), cloud }, 'stoney-cloud');
    expect(own).toMatchObject({ excluded: true, excludedBy: 'machine' });
  });

  it('is off when no level sets the flag', () => {
    const r = resolveEffectiveConfig({ cloud });
    expect(r).toMatchObject({ excluded: false, excludedBy: null, values: { excludeFromBackup: { value: false, source: 'default' } } });
  });

  it('warns that an exclude-only machine entry still replaces the pool and cloud configuration', () => {
    const r = resolveEffectiveConfig({ machine: entry('machine', { excludeFromBackup: true }), pool: entry('pool', COMPLETE), cloud });
    expect(r).toMatchObject({ level: 'machine', excluded: true, excludedBy: 'machine' });
    expect(r.warnings[0]).toBe(
      "The machine's own configuration only sets the exclude flag, yet it replaces the pool and cloud-wide configuration as a whole: it has no schedule or directories, so backups fail once the machine is included again.",
    );
    const included = resolveEffectiveConfig({ machine: entry('machine', { excludeFromBackup: false }), cloud });
    expect(included.warnings[0]).toMatch(/so no backup runs\.$/);
  });
});

describe('PARAMETERS', () => {
  it('lists every parameter once, in this order, with the documented defaults', () => {
    expect(PARAMETERS.map((p) => [p.key, p.default])).toEqual([
      ['iterations', 1],
      ['rootDirectory', 'file:///var/backup/virtualization'],
      ['retainDirectory', 'file:///var/virtualization/retain'],
      ['ramDiskLocation', null],
      ['excludeFromBackup', false],
      ['restoreWithoutState', false],
      ['forceStart', false],
      ['mergeBandwidth', 0],
      ['diskImageFormat', 'qcow2'],
      ['diskImageOwner', 'root'],
      ['diskImageGroup', 'vm-storage'],
      ['diskImagePermission', '660'],
      ['directoryOwner', 'root'],
      ['directoryGroup', 'vm-storage'],
      ['directoryPermission', '770'],
    ]);
    for (const p of PARAMETERS) {
      expect(p.description).toMatch(/^[A-Z0-9].*\.$/);
      expect(`${p.label} ${p.description}`).not.toMatch(/sst[A-Z]/);
    }
    expect(PARAMETERS.find((p) => p.key === 'diskImagePermission')?.kind).toBe('octal');
  });
});
