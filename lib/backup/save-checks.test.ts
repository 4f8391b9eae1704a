import { describe, expect, it } from 'vitest';
import { COMPLETE, COMPLETE_FORM } from '../../tests/fixtures/backup-config';
import { completeConfigOf, type CompleteBackupConfig } from './complete-config';
import { nodeDaemonPath, truncatedPathProblem } from './daemon-values';
import { backupConfigFormSchema } from './config-schema';
import { checkSave, type ScopeMachine } from './save-checks';

const base = completeConfigOf({ ...COMPLETE, iterations: 3 });
if (!base.ok) throw new Error('incomplete');
const config: CompleteBackupConfig = base.config;
const leaves = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `2026050${i + 1}T030000Z`, mode: 'finished', state: '0', returnValue: 0 }));
const machine = (name: string, n: number, extra: Partial<ScopeMachine> = {}): ScopeMachine => ({
  uuid: name,
  name,
  leaves: leaves(n),
  diskFormats: ['qcow2'],
  brokerTakes: true,
  nodeDaemonTakes: true,
  iterationsBefore: 3,
  candidate: true,
  ...extra,
});
const check = (
  patch: Partial<CompleteBackupConfig>,
  keys: string[],
  scope: ScopeMachine[],
  kind: 'foss-cloud' | 'stoney-cloud' = 'foss-cloud',
) =>
  checkSave({
    kind,
    patch: { config: { ...config, ...patch }, keys: keys as never, added: [] },
    iterationsBefore: 3,
    scope,
    now: new Date('2026-05-04T10:00:00Z'),
    brokerTimeZone: 'Europe/Zurich',
  });

describe('fact 5: lowering the iterations kept below the leaves that exist', () => {
  it('needs a confirmation naming the machines fc-brokerd would never back up again', () => {
    const r = check({ iterations: 2 }, ['iterations'], [machine('web-01', 3), machine('db-01', 2)]);
    expect(r.refusals).toEqual([]);
    expect(r.confirmations).toEqual([
      { field: 'iterations', text: expect.stringMatching(/never backs these up again: web-01 \(3 leaves\)\. Keep at least 3/) },
    ]);
    expect(check({ iterations: 3 }, ['iterations'], [machine('web-01', 3)]).confirmations).toEqual([]);
  });

  it('on stoney cloud warns that the wrapper deletes the older folders after its next run', () => {
    expect(check({ iterations: 1 }, ['iterations'], [machine('web-01', 1)], 'stoney-cloud').confirmations[0].text).toMatch(
      /deletes every iteration folder on the node beyond the newest 1/,
    );
  });
});

describe('fact 6: directory values the node daemon truncates', () => {
  it('keeps only letters, digits, _ and / of the path', () => {
    expect(nodeDaemonPath('file:///srv/vm-backup')).toBe('/srv/vm');
    expect(nodeDaemonPath('file:///var/backup/virtualization')).toBe('/var/backup/virtualization');
    expect(truncatedPathProblem('The backup directory', 'file:///srv/vm-backup')).toMatch(/reads file:\/\/\/srv\/vm-backup as \/srv\/vm/);
    expect(truncatedPathProblem('The backup directory', 'file:///var/backup/virtualization/')).toBeNull();
  });

  it('is refused by the form, next to its field', () => {
    const form = { ...COMPLETE_FORM, rootDirectory: 'file:///srv/vm-backup' };
    const r = backupConfigFormSchema.safeParse(form);
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0]).toMatchObject({ path: ['rootDirectory'], message: expect.stringMatching(/as \/srv\/vm/) });
  });
});

describe('fact 8: cron values fc-brokerd misreads or fails on', () => {
  it('refuses outright the values that make its date arithmetic fail (month 12, days 29-31, */n in the day)', () => {
    for (const [patch, field] of [
      [{ month: '12' }, 'cronMonth'],
      [{ day: '31' }, 'cronDay'],
      [{ day: '*/2' }, 'cronDay'],
      [{ day: '29' }, 'cronDay'],
    ] as const) {
      const r = check({ cron: { ...config.cron!, ...patch } }, ['cronMonth', 'cronDay'], [machine('web-01', 1)]);
      expect(r.refusals, JSON.stringify(patch)).toEqual([
        { field, text: expect.stringMatching(/date arithmetic fails.*no machine's backup starts/) },
      ]);
    }
  });

  it('asks for a confirmation where it reads the fields differently from cron', () => {
    const texts = (cron: Partial<NonNullable<CompleteBackupConfig['cron']>>) =>
      check(
        { cron: { ...config.cron!, ...cron } },
        ['cronDayOfWeek', 'cronHour', 'cronMinute', 'cronMonth'],
        [machine('web-01', 1)],
      ).confirmations.map((c) => c.text);
    expect(texts({ dayOfWeek: '7' })).toEqual([expect.stringMatching(/Day of week 7 never comes/)]);
    expect(texts({ dayOfWeek: '5,1' })[0]).toMatch(/not in ascending order/);
    expect(texts({ hour: '1,13' })[0]).toMatch(/reads hour '1,13' as the single number 1/);
    expect(texts({ month: '6' })[0]).toMatch(/runs the plan in July, not in June/);
    expect(texts({ minute: '*' })[0]).toMatch(/fixed minute.*web-01/);
    expect(
      check({ cron: { ...config.cron!, dayOfWeek: '7' } }, ['cronDayOfWeek'], [machine('web-01', 1)], 'stoney-cloud').confirmations,
    ).toEqual([]);
  });
});

describe("fact 9: a disk image format other than the disks'", () => {
  it('needs a confirmation naming the machines whose disks differ', () => {
    const r = check(
      { diskImageFormat: 'qed' },
      ['diskImageFormat'],
      [machine('web-01', 1), machine('raw-01', 1, { diskFormats: ['qed'] })],
    );
    expect(r.confirmations).toEqual([
      { field: 'diskImageFormat', text: expect.stringMatching(/as qed, but these machines' disks are qcow2: web-01\./) },
    ]);
  });
});
