import { describe, expect, it } from 'vitest';
import { plan } from '../../tests/fixtures/cron-plan';
import { atoi, brokerFailures, brokerMisreadings, brokerPlannedTime, brokerSchedule, brokerStartsAt, type Civil } from './broker';
import type { CronPlan } from './cron-plan';
import { nextRuns } from './next-runs';

const at = (iso: string): Civil => {
  const [date, time = '00:00'] = iso.split(' ');
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = time.split(':').map(Number);
  return { year: y, month0: mo - 1, day: d, hour: h, minute: mi };
};
const ZURICH = 'Europe/Zurich';
const localDays = (p: CronPlan, from: string, count: number, tz = 'UTC') =>
  brokerSchedule(p, new Date(from), count, tz).runs.map((r) => r.local);

describe('atoi, as the broker reads each cron field', () => {
  it('takes the leading number and nothing after it', () => {
    expect([atoi('3'), atoi(' 3'), atoi('1-5'), atoi('0,30'), atoi('*/2'), atoi('mon'), atoi(''), atoi('07')]).toEqual([
      3, 3, 1, 0, 0, 0, 0, 7,
    ]);
  });
});

describe('fact 8: the broker plans from the current minute and starts when the plan is that minute', () => {
  it('runs a daily plan every day, also at minute 0', () => {
    expect(localDays(plan('0', '3'), '2026-05-04T10:00:00Z', 3)).toEqual(['2026-05-05 03:00', '2026-05-06 03:00', '2026-05-07 03:00']);
    expect(brokerStartsAt(plan('30', '2'), at('2026-05-04 02:30'))).toBe(true);
    expect(brokerStartsAt(plan('30', '2'), at('2026-05-04 02:29'))).toBe(false);
  });

  it('names the leaf with the planned local time and a literal Z', () => {
    const [run] = brokerSchedule(plan('30', '2'), new Date('2026-07-01T12:00:00Z'), 1, ZURICH).runs;
    expect(run).toMatchObject({ local: '2026-07-02 02:30', utc: '2026-07-02 00:30', iterationName: '20260702T023000Z' });
  });

  it('reads every field with atoi: a list, a range or a step is its first number', () => {
    // "0,30" is minute 0 only; "*/6" is hour 0; "1-5" in day of week is Monday only.
    expect(localDays(plan('0,30', '*/6'), '2026-05-04T10:00:00Z', 2)).toEqual(['2026-05-05 00:00', '2026-05-06 00:00']);
    const weekdays = localDays(plan('0', '3', '*', '*', '1-5'), '2026-05-01T00:00:00Z', 3);
    expect(weekdays).toEqual(['2026-05-04 03:00', '2026-05-11 03:00', '2026-05-18 03:00']);
    // cron would run on every weekday
    expect(nextRuns(plan('0', '3', '*', '*', '1-5'), new Date('2026-05-01T00:00:00Z'), 3, 'UTC').map((r) => r.local)).toEqual([
      '2026-05-01 03:00',
      '2026-05-04 03:00',
      '2026-05-05 03:00',
    ]);
  });

  it('runs the hour-wildcard plan every hour at its minute', () => {
    expect(localDays(plan('15', '*'), '2026-05-04T10:20:00Z', 3)).toEqual(['2026-05-04 11:15', '2026-05-04 12:15', '2026-05-04 13:15']);
  });

  it('never runs day of week 7', () => {
    expect(brokerSchedule(plan('0', '3', '*', '*', '7'), new Date('2026-05-01T00:00:00Z'), 3, 'UTC').runs).toEqual([]);
    expect(brokerSchedule(plan('0', '3', '*', '*', '0'), new Date('2026-05-01T00:00:00Z'), 1, 'UTC').runs[0].local).toBe(
      '2026-05-03 03:00',
    );
  });

  it('takes the first listed day of week that is not before today, so an unsorted list skips days', () => {
    // 2026-05-04 is a Monday. "5,1": on Monday the first listed day >= 1 is Friday, so Mondays never run.
    expect(localDays(plan('0', '3', '*', '*', '5,1'), '2026-05-03T12:00:00Z', 3)).toEqual([
      '2026-05-08 03:00',
      '2026-05-15 03:00',
      '2026-05-22 03:00',
    ]);
    expect(localDays(plan('0', '3', '*', '*', '1,5'), '2026-05-03T12:00:00Z', 3)).toEqual([
      '2026-05-04 03:00',
      '2026-05-08 03:00',
      '2026-05-11 03:00',
    ]);
    // No listed day is >= Saturday: it adds 7 - first listed day (to Friday), then a week for the hour already past.
    expect(brokerPlannedTime(plan('0', '3', '*', '*', '1,5'), at('2026-05-09 02:00'))).toEqual({ kind: 'at', at: at('2026-05-15 03:00') });
  });

  it('puts month m into a 0-based field, so it runs in month m + 1', () => {
    const runs = localDays(plan('0', '3', '*', '6'), '2026-01-10T00:00:00Z', 2);
    expect(runs).toEqual(['2026-07-01 03:00', '2026-07-02 03:00']);
  });

  it('refuses a plan whose minute is * or whose day of month and day of week are both restricted', () => {
    expect(brokerSchedule(plan('*', '3'), new Date(), 1, 'UTC').refusal).toMatch(/fixed minute/);
    expect(brokerSchedule(plan('0', '3', '1', '*', '1'), new Date(), 1, 'UTC').refusal).toMatch(/both restricted/);
    expect(brokerSchedule(plan('0', '3', '*', '*', '*', false), new Date(), 1, 'UTC').refusal).toMatch(/sstCronActive/);
  });

  it('fails its date arithmetic for month 12 on every date', () => {
    const failures = brokerFailures(plan('0', '3', '*', '12'), new Date('2026-01-01T00:00:00Z'), 'UTC', 40);
    expect(failures).toHaveLength(40);
    expect(failures[0].reason).toMatch(/0-based month field/);
    expect(brokerSchedule(plan('0', '3', '*', '12'), new Date('2026-01-01T00:00:00Z'), 1, 'UTC').runs).toEqual([]);
  });

  it('fails for a day of month the computed month lacks, and for */n in the day field', () => {
    const thirtyFirst = brokerFailures(plan('0', '3', '31'), new Date('2026-04-01T00:00:00Z'), 'UTC', 30);
    expect(thirtyFirst.map((f) => f.date)).toContain('2026-04-15');
    expect(thirtyFirst[0].reason).toMatch(/April 31, 2026 does not exist/);
    expect(brokerPlannedTime(plan('0', '3', '*/2'), at('2026-05-04 10:00'))).toMatchObject({ kind: 'throws' });
    // 29 fails in February of a common year, and on the 30th and 31st of January before it.
    const twentyNinth = brokerFailures(plan('0', '3', '29'), new Date('2027-01-01T00:00:00Z'), 'UTC', 60).map((f) => f.date);
    expect(twentyNinth).toContain('2027-01-30');
    expect(twentyNinth).toContain('2027-02-10');
    expect(twentyNinth).not.toContain('2027-01-29');
    expect(brokerFailures(plan('0', '3', '28'), new Date('2027-01-01T00:00:00Z'), 'UTC', 800)).toEqual([]);
  });

  it('skips a planned local time that does not exist and runs twice at one that repeats', () => {
    const spring = brokerSchedule(plan('30', '2'), new Date('2026-03-28T12:00:00Z'), 2, ZURICH);
    expect(spring.runs.map((r) => r.local)).toEqual(['2026-03-30 02:30', '2026-03-31 02:30']);
    expect(spring.skipped[0]).toMatch(/2026-03-29 02:30 does not exist/);
    const autumn = brokerSchedule(plan('30', '2'), new Date('2026-10-24T12:00:00Z'), 3, ZURICH);
    expect(autumn.runs.map((r) => [r.local, r.utc, r.iterationName])).toEqual([
      ['2026-10-25 02:30', '2026-10-25 00:30', '20261025T023000Z'],
      ['2026-10-25 02:30', '2026-10-25 01:30', '20261025T023000Z'],
      ['2026-10-26 02:30', '2026-10-26 01:30', '20261026T023000Z'],
    ]);
  });

  it('names every misreading in words', () => {
    const texts = brokerMisreadings(plan('0', '3', '*', '*', '7,1'), ['hour']).map((m) => m.text);
    expect(texts.some((t) => /several values; the broker uses only the first/.test(t))).toBe(true);
    expect(texts.some((t) => /Day of week 7 never comes/.test(t))).toBe(true);
    expect(texts.some((t) => /not in ascending order/.test(t))).toBe(true);
    expect(brokerMisreadings(plan('0', '3'))).toEqual([]);
    expect(brokerMisreadings(plan('0', '3', '*', '12')).find((m) => m.fails)?.text).toMatch(/thirteenth month/);
  });
});
