import { describe, expect, it } from 'vitest';
import { finishTime, formatIterationName, iterationHealth, parseExecutionTimes, parseIterationName } from './iteration';

describe('iteration names', () => {
  it('parses UTC names', () => {
    expect(parseIterationName('20260329T010000Z')).toEqual(new Date('2026-03-29T01:00:00Z'));
    expect(parseIterationName(' 20240229T235959Z ')).toEqual(new Date('2024-02-29T23:59:59Z'));
  });

  it('rejects malformed and impossible names', () => {
    for (const bad of [
      '',
      '0',
      '20260329T0100Z',
      '20260329 010000Z',
      '20260329T010000',
      '20260431T010000Z',
      '20250229T000000Z',
      '20260329T240000Z',
      '20260329T016000Z',
      'x20260329T010000Z',
    ]) {
      expect(parseIterationName(bad), bad).toBeNull();
    }
  });

  it('formats and round-trips', () => {
    expect(formatIterationName(new Date('2026-03-29T01:02:03.999Z'))).toBe('20260329T010203Z');
    expect(formatIterationName(parseIterationName('20261025T003000Z')!)).toBe('20261025T003000Z');
  });
});

describe('parseExecutionTimes', () => {
  it('reads steps and seconds, tolerating decimals and spaces, skipping garbage', () => {
    expect(
      parseExecutionTimes([
        'snapshot: 12',
        'downtime:3.250',
        '  merge :  140 ',
        'retain: 7,5',
        'garbage',
        'merge: soon',
        ': 4',
        'copy: -3',
      ]),
    ).toEqual([
      { step: 'snapshot', seconds: 12 },
      { step: 'downtime', seconds: 3.25 },
      { step: 'merge', seconds: 140 },
      { step: 'retain', seconds: 7.5 },
    ]);
    expect(parseExecutionTimes([])).toEqual([]);
  });
});

describe('iterationHealth', () => {
  const it_ = (mode: string, state: string, returnValue: number | null) => ({ mode, state, returnValue });

  it('is finished for a finished iteration, even with a stray return value after a cancel', () => {
    expect(iterationHealth(it_('finished', '20260329T011500Z', 0))).toBe('finished');
    expect(iterationHealth(it_('finished', '0', 18))).toBe('finished');
  });

  it('is failed when not finished and the return value is non-zero', () => {
    expect(iterationHealth(it_('merging', '0', 11))).toBe('failed');
    expect(iterationHealth(it_('retained', '20260329T020000Z', 13))).toBe('failed');
    expect(iterationHealth(it_('bogus', '0', 18))).toBe('failed');
  });

  it('is running while a step is asked for, in progress or waiting for the next command', () => {
    expect(iterationHealth(it_('snapshot', '0', 0))).toBe('running');
    expect(iterationHealth(it_('merging', '0', 0))).toBe('running');
    expect(iterationHealth(it_('merged', '20260329T013000Z', 0))).toBe('running');
    expect(iterationHealth(it_('initialized', '0', null))).toBe('running');
    expect(iterationHealth(it_('unretainedSmallFiles', '20260329T013000Z', 0))).toBe('running');
    expect(iterationHealth(it_('restoring', '0', null))).toBe('running');
  });

  it('is pending when nothing will move it by itself', () => {
    expect(iterationHealth(it_('merge', '20260329T013000Z', 0))).toBe('pending');
    expect(iterationHealth(it_('paused', '0', 0))).toBe('pending');
  });
});

describe('finishTime', () => {
  it('is the state timestamp, or null while the state is 0', () => {
    expect(finishTime({ state: '20260329T011500Z' })).toEqual(new Date('2026-03-29T01:15:00Z'));
    expect(finishTime({ state: '0' })).toBeNull();
    expect(finishTime({ state: '' })).toBeNull();
  });
});
