import { describe, expect, it } from 'vitest';
import { plan } from '../../tests/fixtures/cron-plan';
import { daylightSavingNotes, previewCronPlan } from './preview';

const ZURICH = 'Europe/Zurich';

describe('previewCronPlan', () => {
  it('lists the next five runs on the node and in UTC with the iteration each creates', () => {
    const preview = previewCronPlan(plan('30', '2'), new Date('2026-03-26T12:00:00Z'), ZURICH);
    expect(preview.description).toBe('Every day at 02:30');
    expect(preview.warnings).toEqual([]);
    expect(preview.runs.map((r) => [r.local, r.utc, r.iterationName, r.dst ?? ''])).toEqual([
      ['2026-03-27 02:30', '2026-03-27 01:30', '20260327T013000Z', ''],
      ['2026-03-28 02:30', '2026-03-28 01:30', '20260328T013000Z', ''],
      // 02:30 does not exist on 29 March in Zurich: cron runs the fixed-time job right after the jump.
      ['2026-03-29 03:00', '2026-03-29 01:00', '20260329T010000Z', 'gap'],
      ['2026-03-30 02:30', '2026-03-30 00:30', '20260330T003000Z', ''],
      ['2026-03-31 02:30', '2026-03-31 00:30', '20260331T003000Z', ''],
    ]);
    expect(preview.runs[2].note).toMatch(/does not exist on 2026-03-29/);
  });

  it('warns ahead of time about both changes of the coming year', () => {
    const notes = daylightSavingNotes(plan('30', '2'), new Date('2026-01-10T00:00:00Z'), ZURICH);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/02:30 does not exist on 2026-03-29/);
    expect(notes[1]).toMatch(/02:30 occurs twice on 2026-10-25.*runs it once/);
    expect(daylightSavingNotes(plan('0', '4'), new Date('2026-01-10T00:00:00Z'), ZURICH)).toEqual([]);
    expect(daylightSavingNotes(plan('30', '2'), new Date('2026-01-10T00:00:00Z'), 'UTC')).toEqual([]);
  });

  it('says when a wildcard plan loses runs in the gap and repeats them in the overlap', () => {
    const notes = daylightSavingNotes(plan('15', '*'), new Date('2026-01-10T00:00:00Z'), ZURICH);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/On 2026-03-29 clocks jump from 02:00 to 03:00: 1 run in that hour does not happen/);
    expect(
      notes.some((n) =>
        /^02:15 occurs twice on 2026-10-25 \(clocks go back from 03:00 to 02:00\); cron runs this job both times\.$/.test(n),
      ),
    ).toBe(true);
  });

  it('reports field errors and why the scheduler would never fire the plan', () => {
    const bad = previewCronPlan(plan('*', '25'), new Date('2026-01-10T00:00:00Z'), ZURICH);
    expect(bad.valid).toBe(false);
    expect(bad.fieldErrors.hour).toBe('hour 25 is out of range 0–23');
    expect(bad.runs).toEqual([]);
    const never = previewCronPlan(plan('*', '3', '1', '*', '1', false), new Date('2026-01-10T00:00:00Z'), ZURICH);
    expect(never.warnings).toEqual([
      'The plan is inactive.',
      "Minute is '*'; the scheduler only starts plans with a fixed minute.",
      "Day of month and day of week are both restricted; the scheduler needs one of them to be '*'.",
    ]);
    expect(never.description).toMatch(/^Inactive — would run/);
    expect(never.runs).toHaveLength(5);
    expect(previewCronPlan(plan('0', '1-3'), new Date(), ZURICH).syntaxWarnings[0]).toMatch(/single number/);
  });
});
