import { describe, expect, it } from 'vitest';
import type { CronPlan } from './cron-plan';
import { schedulerSyntaxWarnings, schedulerWarnings } from './scheduler-warnings';

const plan = (minute: string, hour: string, day = '*', month = '*', dayOfWeek = '*', active = true): CronPlan => ({
  minute,
  hour,
  day,
  month,
  dayOfWeek,
  active,
});

describe('schedulerWarnings', () => {
  it('is empty for a plan the scheduler fires', () => {
    expect(schedulerWarnings(plan('0', '3'))).toEqual([]);
    expect(schedulerWarnings(plan('0', '3', '*', '*', '1,3,5'))).toEqual([]);
    expect(schedulerWarnings(plan('0', '3', '1', '*', '*'))).toEqual([]);
  });

  it('flags an inactive plan first', () => {
    expect(schedulerWarnings(plan('*', '3', '*', '*', '*', false))).toEqual([
      'The plan is inactive.',
      "Minute is '*'; the scheduler only starts plans with a fixed minute.",
    ]);
  });

  it('lists missing fields', () => {
    expect(schedulerWarnings(plan('0', '3', '', '*', ''))).toEqual([
      'Day of month and day of week are missing; the scheduler needs all five cron fields.',
    ]);
    expect(schedulerWarnings({ minute: '', hour: '', day: '', month: '', dayOfWeek: '', active: true })).toEqual([
      'Minute, hour, day of month, month and day of week are missing; the scheduler needs all five cron fields.',
    ]);
    expect(schedulerWarnings(plan('0', ' '))).toEqual(['Hour is missing; the scheduler needs all five cron fields.']);
  });

  it("flags minute '*' but not a minute step", () => {
    expect(schedulerWarnings(plan('*', '3'))).toEqual(["Minute is '*'; the scheduler only starts plans with a fixed minute."]);
    expect(schedulerWarnings(plan('*/5', '3'))).toEqual([]);
  });

  it('flags both day fields restricted, even where cron would accept it', () => {
    expect(schedulerWarnings(plan('0', '3', '1', '*', '0'))).toEqual([
      "Day of month and day of week are both restricted; the scheduler needs one of them to be '*'.",
    ]);
    expect(schedulerWarnings(plan('0', '3', '1-31', '*', '0-6'))).toHaveLength(1);
  });
});

describe('schedulerSyntaxWarnings', () => {
  it('is empty for the plain numbers the scheduler reads', () => {
    expect(schedulerSyntaxWarnings(plan('0', '3', '*', '*', '1,3,5'))).toEqual([]);
  });

  it('flags ranges, steps, lists and names the scheduler misreads', () => {
    expect(schedulerSyntaxWarnings(plan('0,30', '*/2', '*', '*', 'mon-fri'))).toEqual([
      "The scheduler reads minute only as a single number, so '0,30' does not work as written.",
      "The scheduler reads hour only as a single number, so '*/2' does not work as written.",
      "The scheduler reads day of week only as numbers separated by commas, so 'mon-fri' does not work as written.",
    ]);
  });

  it('flags a fixed month', () => {
    expect(schedulerSyntaxWarnings(plan('0', '3', '1', '7'))).toEqual([
      'The scheduler starts a fixed month one month late (a known fc-brokerd bug): month 7 runs in August.',
    ]);
    expect(schedulerSyntaxWarnings(plan('0', '3', '1', '12'))[0]).toContain('month 12 runs in January');
  });
});
