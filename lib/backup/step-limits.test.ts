import { describe, expect, it } from 'vitest';
import { DECISION_WAIT_MS, STEP_FLOOR_MS, stepHistory, stepLimit, stepOf } from './step-limits';

const HOUR = 3_600_000;

describe('how long a step may take', () => {
  const history = stepHistory([
    { name: '20260501T030000Z', mode: 'finished', executionTimes: ['snapshot: 12', 'downtime: 3', 'merge: 3600', 'retain: 95'] },
    { name: '20260502T030000Z', mode: 'finished', executionTimes: ['snapshot: 20', 'merge: 0', 'retain: 300'] },
    // Not finished: what it recorded says nothing about a complete step.
    { name: '20260503T030000Z', mode: 'merging', executionTimes: ['snapshot: 900', 'merge: 99999'] },
  ]);

  it('remembers the longest recorded time of each step on finished iterations', () => {
    expect(history).toEqual({
      snapshot: { seconds: 20, iteration: '20260502T030000Z' },
      merge: { seconds: 3600, iteration: '20260501T030000Z' },
      retain: { seconds: 300, iteration: '20260502T030000Z' },
    });
  });

  it('allows three times that, never less than the floor, and says which limit it used', () => {
    expect(stepLimit(stepOf('merging'), history)).toEqual({ ms: 3 * HOUR, basis: '3 hours: 3 times the longest merge recorded on this machine (60 minutes, iteration 20260501T030000Z)' });
    expect(stepLimit(stepOf('retaining'), history)).toMatchObject({ ms: STEP_FLOOR_MS, basis: 'the floor of 2 hours: the longest retain recorded on this machine took 5 minutes' });
    expect(stepLimit(stepOf('merge'), {})).toMatchObject({ ms: STEP_FLOOR_MS, basis: 'the floor of 2 hours: no finished iteration of this machine records how long a merge takes' });
    expect(stepLimit(stepOf('snapshotted'), history).basis).toMatch(/^the floor of 2 hours: the scheduler moves an iteration on within a minute/);
    expect(stepLimit(stepOf('deleting'), history).ms).toBe(STEP_FLOOR_MS);
    expect(stepLimit(stepOf('unretainedSmallFiles'), history).ms).toBe(DECISION_WAIT_MS);
    expect(stepLimit(stepOf('cleaningUp'), history).ms).toBeNull();
    expect(stepLimit(stepOf('bogus'), history).ms).toBeNull();
  });

  it('names the step in words, whatever the spelling of the mode', () => {
    expect(stepOf('MERGING').step).toBe('merge');
    expect(stepOf('deleting').step).toBe('prune of an old iteration (deleting its files)');
    expect(stepOf('unretainedSmallFiles').step).toBe('restore phase 1 (waiting for a decision)');
  });
});
