import { describe, expect, it } from 'vitest';
import { plan } from '../../tests/fixtures/cron-plan';
import { describeCronPlan } from './describe';

describe('describeCronPlan', () => {
  it.each([
    [plan('0', '3'), 'Every day at 03:00'],
    [plan('30', '2', '*', '*', '0'), 'Sundays at 02:30'],
    [plan('30', '2', '*', '*', '7'), 'Sundays at 02:30'],
    [plan('15', '*'), 'At minute 15 of every hour'],
    [plan('0,30', '*'), 'Every 30 minutes'],
    [plan('0,20', '*'), 'At minutes 0 and 20 of every hour'],
    [plan('0', '8-10'), 'Every day at 08:00, 09:00 and 10:00'],
    [plan('0', '1,5,9,13,17,21,23'), 'At :00 past hours 01, 05, 09, 13, 17, 21 and 23'],
    [plan('0', '*/2', '*', '*', '1-5'), 'Every 2 hours at :00 on weekdays (Mon–Fri)'],
    [plan('0', '1-23/2'), 'Every 2 hours at :00 from 01:00'],
    [plan('0', '4', '1'), 'On day 1 of every month at 04:00'],
    [plan('0', '4', '1,15'), 'On days 1 and 15 of every month at 04:00'],
    [plan('0', '1,13'), 'Every day at 01:00 and 13:00'],
    [plan('0,30', '3'), 'Every day at 03:00 and 03:30'],
    [plan('*/15', '*'), 'Every 15 minutes'],
    [plan('*/15', '8-17'), 'Every 15 minutes from 08:00 to 17:45'],
    [plan('0', '8-17', '*', '*', '1-5'), 'Every hour at :00 from 08:00 to 17:00 on weekdays (Mon–Fri)'],
    [plan('*', '*'), 'Every minute'],
    [plan('0', '3', '*', '*', 'sat,sun'), 'On weekends (Sat–Sun) at 03:00'],
    [plan('0', '3', '*', '*', '1,4'), 'Mondays and Thursdays at 03:00'],
    [plan('0', '3', '*', '*', 'mon-thu'), 'Monday to Thursday at 03:00'],
    [plan('0', '3', '*', '*', '0-6'), 'Every day at 03:00'],
    [plan('0', '3', '*', '7'), 'Every day in July at 03:00'],
    [plan('0', '3', '*', '1-3'), 'Every day from January to March at 03:00'],
    [plan('0', '3', '1', '1,7'), 'On day 1 of January and July at 03:00'],
    [plan('0', '3', '1', '*', '1'), 'On day 1 of every month and on Mondays at 03:00'],
    [plan('0', '3', '1', '*', '0-6'), 'Every day at 03:00'],
    [plan('0', '3', '*/2', '*', '1'), 'On Mondays that fall on days 1, 3, 5 … 31 of every month at 03:00'],
    [plan('0', '3', '30', '2'), 'On day 30 of February at 03:00 (no such date, so it never runs)'],
  ])('%o → %s', (p, text) => {
    expect(describeCronPlan(p)).toBe(text);
  });

  it('says when a plan is inactive', () => {
    expect(describeCronPlan(plan('0', '3', '*', '*', '*', false))).toBe('Inactive — would run every day at 03:00');
    expect(describeCronPlan(plan('30', '2', '*', '*', '0', false))).toBe('Inactive — would run Sundays at 02:30');
  });

  it('names the first problem of an invalid or incomplete plan', () => {
    expect(describeCronPlan(plan('0', '24'))).toBe('Invalid schedule: hour 24 is out of range 0–23');
    expect(describeCronPlan(plan('0', '3', '*', '*', ''))).toBe('Incomplete schedule: day of week is missing');
  });
});
