import { describe, expect, it } from 'vitest';
import { plan } from '../../tests/fixtures/cron-plan';
import { schedulerWarnings } from './scheduler-warnings';

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
