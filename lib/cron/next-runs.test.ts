import { describe, expect, it } from 'vitest';
import { plan } from '../../tests/fixtures/cron-plan';
import { nextRuns, typicalPeriodMs } from './next-runs';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZURICH = 'Europe/Zurich';

describe('nextRuns in UTC', () => {
  it('lists daily runs strictly after `from`, with UTC iteration names', () => {
    const runs = nextRuns(plan('0', '3'), new Date('2026-05-10T03:00:00Z'), 3, 'UTC');
    expect(runs.map((r) => r.iterationName)).toEqual(['20260511T030000Z', '20260512T030000Z', '20260513T030000Z']);
    expect(runs[0]).toEqual({
      at: new Date('2026-05-11T03:00:00Z'),
      local: '2026-05-11 03:00',
      utc: '2026-05-11 03:00',
      iterationName: '20260511T030000Z',
    });
  });

  it('starts later on the same day when the time is still ahead', () => {
    const runs = nextRuns(plan('0', '3'), new Date('2026-05-10T02:59:59Z'), 1, 'UTC');
    expect(runs[0].utc).toBe('2026-05-10 03:00');
  });

  it('uses OR when day of month and day of week are both restricted', () => {
    // 2026-06: day 1 is a Monday; Sundays are 7, 14, ...
    const runs = nextRuns(plan('0', '3', '1', '*', '0'), new Date('2026-05-31T12:00:00Z'), 3, 'UTC');
    expect(runs.map((r) => r.local)).toEqual(['2026-06-01 03:00', '2026-06-07 03:00', '2026-06-14 03:00']);
  });

  it("uses AND when a day field starts with '*'", () => {
    const runs = nextRuns(plan('0', '3', '*/2', '*', '1'), new Date('2026-06-01T12:00:00Z'), 2, 'UTC');
    // Mondays on odd days: 2026-06-15, 2026-06-29.
    expect(runs.map((r) => r.local)).toEqual(['2026-06-15 03:00', '2026-06-29 03:00']);
  });

  it('finds leap days and gives up on impossible dates', () => {
    expect(nextRuns(plan('0', '3', '29', '2'), new Date('2026-01-01T00:00:00Z'), 2, 'UTC').map((r) => r.local)).toEqual([
      '2028-02-29 03:00',
    ]);
    expect(nextRuns(plan('0', '3', '30', '2'), new Date('2026-01-01T00:00:00Z'), 3, 'UTC')).toEqual([]);
  });

  it('returns [] for an invalid plan or a zero count, ignores `active`', () => {
    expect(nextRuns(plan('0', '24'), new Date(), 3, 'UTC')).toEqual([]);
    expect(nextRuns(plan('0', '3'), new Date(), 0, 'UTC')).toEqual([]);
    expect(nextRuns(plan('0', '3', '*', '*', '*', false), new Date(), 1, 'UTC')).toHaveLength(1);
  });

  it('rejects an unknown time zone', () => {
    expect(() => nextRuns(plan('0', '3'), new Date(), 1, 'Nowhere/City')).toThrow(RangeError);
  });

  it('is quick for a plan that runs every minute', () => {
    const started = Date.now();
    const runs = nextRuns(plan('*', '*'), new Date('2026-01-01T00:00:00Z'), 2000, ZURICH);
    expect(runs).toHaveLength(2000);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('nextRuns in Europe/Zurich across daylight-saving changes', () => {
  it('reads cron fields as local time', () => {
    const [winter] = nextRuns(plan('0', '3'), new Date('2026-01-10T00:00:00Z'), 1, ZURICH);
    const [summer] = nextRuns(plan('0', '3'), new Date('2026-07-10T00:00:00Z'), 1, ZURICH);
    expect(winter).toMatchObject({ local: '2026-01-10 03:00', utc: '2026-01-10 02:00', iterationName: '20260110T020000Z' });
    expect(summer).toMatchObject({ local: '2026-07-10 03:00', utc: '2026-07-10 01:00', iterationName: '20260710T010000Z' });
  });

  it('runs a fixed-time job right after the spring-forward jump when its time does not exist', () => {
    const runs = nextRuns(plan('30', '2'), new Date('2026-03-28T12:00:00Z'), 2, ZURICH);
    expect(runs[0]).toEqual({
      at: new Date('2026-03-29T01:00:00Z'),
      local: '2026-03-29 03:00',
      utc: '2026-03-29 01:00',
      iterationName: '20260329T010000Z',
      dst: 'gap',
      note: '02:30 does not exist on 2026-03-29 (clocks jump from 02:00 to 03:00); cron runs it right after the jump, at 03:00.',
    });
    expect(runs[1]).toMatchObject({ local: '2026-03-30 02:30', utc: '2026-03-30 00:30' });
    expect(runs[1].dst).toBeUndefined();
  });

  it('catches up every skipped minute of a fixed-time job', () => {
    const runs = nextRuns(plan('0,30', '2'), new Date('2026-03-28T12:00:00Z'), 3, ZURICH);
    expect(runs.map((r) => [r.utc, r.dst])).toEqual([
      ['2026-03-29 01:00', 'gap'],
      ['2026-03-29 01:00', 'gap'],
      ['2026-03-30 00:00', undefined],
    ]);
  });

  it('does not catch up a wildcard job in the gap', () => {
    const runs = nextRuns(plan('15', '*'), new Date('2026-03-28T23:00:00Z'), 3, ZURICH);
    expect(runs.map((r) => r.local)).toEqual(['2026-03-29 00:15', '2026-03-29 01:15', '2026-03-29 03:15']);
    expect(runs.every((r) => r.dst === undefined)).toBe(true);
  });

  it('runs a fixed-time job once, at the first of two identical local times', () => {
    const runs = nextRuns(plan('30', '2'), new Date('2026-10-24T12:00:00Z'), 2, ZURICH);
    expect(runs[0]).toMatchObject({
      at: new Date('2026-10-25T00:30:00Z'),
      local: '2026-10-25 02:30',
      dst: 'overlap',
      note: '02:30 occurs twice on 2026-10-25 (clocks go back from 03:00 to 02:00); cron runs it once, at the first 02:30 (UTC+02:00).',
    });
    expect(runs[1]).toMatchObject({ local: '2026-10-26 02:30', utc: '2026-10-26 01:30' });
  });

  it('runs a wildcard job twice in the repeated hour, in time order', () => {
    const runs = nextRuns(plan('15,45', '*'), new Date('2026-10-25T00:00:00Z'), 5, ZURICH);
    expect(runs.map((r) => [r.local, r.utc, r.dst])).toEqual([
      ['2026-10-25 02:15', '2026-10-25 00:15', 'overlap'],
      ['2026-10-25 02:45', '2026-10-25 00:45', 'overlap'],
      ['2026-10-25 02:15', '2026-10-25 01:15', 'overlap'],
      ['2026-10-25 02:45', '2026-10-25 01:45', 'overlap'],
      ['2026-10-25 03:15', '2026-10-25 02:15', undefined],
    ]);
    expect(runs[2].note).toContain('this is the second, at UTC+01:00');
  });
});

describe('typicalPeriodMs', () => {
  const from = new Date('2026-05-01T00:00:00Z');

  it('is a day for a daily plan, a week for a weekly one, an hour for an hourly one', () => {
    expect(typicalPeriodMs(plan('0', '3'), 'UTC', from)).toBe(DAY);
    expect(typicalPeriodMs(plan('30', '2', '*', '*', '0'), 'UTC', from)).toBe(7 * DAY);
    expect(typicalPeriodMs(plan('15', '*'), 'UTC', from)).toBe(HOUR);
  });

  it('is the largest gap, so weekday plans span the weekend', () => {
    expect(typicalPeriodMs(plan('0', '3', '*', '*', '1-5'), 'UTC', from)).toBe(3 * DAY);
  });

  it('includes the hour gained when clocks go back', () => {
    expect(typicalPeriodMs(plan('30', '2'), ZURICH, new Date('2026-10-01T00:00:00Z'))).toBe(25 * HOUR);
  });

  it('sees past the eight-week window for monthly plans', () => {
    expect(typicalPeriodMs(plan('0', '4', '1'), 'UTC', from)).toBe(31 * DAY);
  });

  it('is null when the scheduler would never fire the plan or it never runs', () => {
    expect(typicalPeriodMs(plan('0', '3', '*', '*', '*', false), 'UTC', from)).toBeNull();
    expect(typicalPeriodMs(plan('*', '3'), 'UTC', from)).toBeNull();
    expect(typicalPeriodMs(plan('0', '3', '', '*', '*'), 'UTC', from)).toBeNull();
    expect(typicalPeriodMs(plan('0', '3', '30', '2'), 'UTC', from)).toBeNull();
    expect(typicalPeriodMs(plan('0', '24'), 'UTC', from)).toBeNull();
  });
});
