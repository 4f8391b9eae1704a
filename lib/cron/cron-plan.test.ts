import { describe, expect, it } from 'vitest';
import { plan } from '../../tests/fixtures/cron-plan';
import { matchesDay, parseCronPlan, validateCronPlan } from './cron-plan';

describe('validateCronPlan', () => {
  it('returns no errors for a valid plan', () => {
    expect(validateCronPlan(plan('0', '3'))).toEqual({});
  });

  it('returns one error per bad field', () => {
    expect(validateCronPlan(plan('60', '24', '*', '', 'x'))).toEqual({
      minute: 'minute 60 is out of range 0–59',
      hour: 'hour 24 is out of range 0–23',
      month: 'month is missing',
      dayOfWeek: "'x' is not a day name (sun–sat)",
    });
  });
});

describe('parseCronPlan', () => {
  it('is null for an invalid plan', () => {
    expect(parseCronPlan(plan('0', '24'))).toBeNull();
  });

  it("classifies wildcard jobs by a leading '*' in minute or hour", () => {
    expect(parseCronPlan(plan('0', '3'))?.wildcard).toBe(false);
    expect(parseCronPlan(plan('*/5', '3'))?.wildcard).toBe(true);
    expect(parseCronPlan(plan('0', '*'))?.wildcard).toBe(true);
    expect(parseCronPlan(plan('0-59', '0-23'))?.wildcard).toBe(false);
  });
});

describe('matchesDay', () => {
  // 2026-03-01 is a Sunday.
  it('uses OR when both day fields are restricted', () => {
    const p = parseCronPlan(plan('0', '3', '15', '*', '0'))!;
    expect(matchesDay(p, 3, 1, 0)).toBe(true);
    expect(matchesDay(p, 3, 15, 0)).toBe(true);
    expect(matchesDay(p, 3, 16, 1)).toBe(false);
  });

  it("uses AND when either day field starts with '*'", () => {
    const p = parseCronPlan(plan('0', '3', '*/2', '*', '1'))!;
    expect(matchesDay(p, 3, 2, 1)).toBe(false);
    expect(matchesDay(p, 3, 3, 1)).toBe(true);
    expect(matchesDay(p, 3, 9, 1)).toBe(true);
    expect(matchesDay(p, 3, 9, 2)).toBe(false);
  });

  it('checks the month', () => {
    const p = parseCronPlan(plan('0', '3', '*', 'jul'))!;
    expect(matchesDay(p, 7, 1, 3)).toBe(true);
    expect(matchesDay(p, 8, 1, 6)).toBe(false);
  });
});
