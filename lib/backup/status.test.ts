import { describe, expect, it } from 'vitest';
import { STATUS_ORDER, classifyMachine, statusLabel, type ClassifyInput, type ClassifiableIteration } from './status';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = new Date('2026-05-10T12:00:00Z');

const finished = (name: string, state = '0', returnValue: number | null = 0): ClassifiableIteration => ({
  name,
  mode: 'finished',
  state,
  returnValue,
});

const input = (over: Partial<ClassifyInput>): ClassifyInput => ({
  iterations: [],
  excluded: false,
  backupCandidate: true,
  periodMs: DAY,
  planWarnings: [],
  now,
  ...over,
});

describe('classifyMachine', () => {
  it('puts dynamic clones and excluded machines first', () => {
    expect(classifyMachine(input({ backupCandidate: false, iterations: [{ name: '20260510T010000Z', mode: 'merging', state: '0', returnValue: 11 }] }))).toEqual({
      status: 'excluded',
      reason: 'Dynamic clone: rebuilt from its golden image, never backed up.',
      lastFinished: null,
      latest: '20260510T010000Z',
    });
    expect(classifyMachine(input({ excluded: true, iterations: [finished('20260301T010000Z')] }))).toMatchObject({
      status: 'excluded',
      reason: 'Excluded from backup by its configuration.',
      lastFinished: new Date('2026-03-01T01:00:00Z'),
    });
  });

  it('is never without iterations, and says when nothing is scheduled either', () => {
    expect(classifyMachine(input({}))).toEqual({ status: 'never', reason: 'No backup has run yet.', lastFinished: null, latest: null });
    expect(classifyMachine(input({ periodMs: null, planWarnings: ['The plan is inactive.'] })).reason).toBe(
      'No backup yet, and none is scheduled: the plan is inactive.',
    );
  });

  it('is failed when the newest iteration failed, naming the mode and the code', () => {
    const r = classifyMachine(
      input({
        iterations: [finished('20260508T010000Z', '20260508T013000Z'), { name: '20260509T010000Z', mode: 'merging', state: '0', returnValue: 11 }],
      }),
    );
    expect(r).toEqual({
      status: 'failed',
      reason: 'Backup failed in mode merging with code 11: The disk images could not be merged (block pull failed).',
      lastFinished: new Date('2026-05-08T01:30:00Z'),
      latest: '20260509T010000Z',
    });
  });

  it('is failed when a restore on an older iteration failed', () => {
    const r = classifyMachine(
      input({
        iterations: [finished('20260509T010000Z', '20260509T012000Z'), { name: '20260501T010000Z', mode: 'restoring', state: '0', returnValue: 40 }],
      }),
    );
    expect(r.status).toBe('failed');
    expect(r.reason).toBe('Restore failed in mode restoring with code 40: A restored disk image could not be moved over the live one.');
  });

  it('is running while a backup or restore is under way', () => {
    expect(classifyMachine(input({ iterations: [finished('20260509T010000Z'), { name: '20260510T010000Z', mode: 'merging', state: '0', returnValue: 0 }] })))
      .toMatchObject({ status: 'running', reason: 'Backup in progress: Merging.' });
    expect(
      classifyMachine(input({ iterations: [finished('20260509T010000Z'), { name: '20260501T010000Z', mode: 'unretainedSmallFiles', state: '20260510T110000Z', returnValue: 0 }] })),
    ).toMatchObject({ status: 'running', reason: 'Restore from 20260501T010000Z in progress: Waiting for the user.' });
  });

  it('treats a cancelled restore (finished with a stray 18) as finished', () => {
    expect(classifyMachine(input({ iterations: [finished('20260510T010000Z', '0', 18)] }))).toMatchObject({
      status: 'protected',
      lastFinished: new Date('2026-05-10T01:00:00Z'),
    });
  });

  it('is stale when an iteration is stuck where nothing advances it', () => {
    const r = classifyMachine(input({ iterations: [{ name: '20260510T010000Z', mode: 'merge', state: '20260510T010500Z', returnValue: 0 }] }));
    expect(r).toMatchObject({
      status: 'stale',
      reason: 'Iteration 20260510T010000Z is stuck in mode merge with a state other than 0; nothing advances it, so no new backup starts.',
    });
  });

  it('is stale when the plan never fires, quoting the first warning', () => {
    const r = classifyMachine(input({ iterations: [finished('20260510T010000Z')], periodMs: null, planWarnings: ["Minute is '*'; the scheduler only starts plans with a fixed minute."] }));
    expect(r).toMatchObject({ status: 'stale', reason: "No backups are scheduled: minute is '*'; the scheduler only starts plans with a fixed minute." });
  });

  it('is stale when the last backup is older than the period plus the margin', () => {
    const r = classifyMachine(input({ iterations: [finished('20260507T010000Z', '20260507T013000Z')] }));
    expect(r).toEqual({
      status: 'stale',
      reason: 'Last backup finished 3 days ago; the plan runs every day.',
      lastFinished: new Date('2026-05-07T01:30:00Z'),
      latest: '20260507T010000Z',
    });
  });

  it('honours the margin', () => {
    // Finished 31 hours ago: within a day + 6 h would be 30 h.
    const iterations = [finished('20260509T050000Z')];
    expect(classifyMachine(input({ iterations })).status).toBe('stale');
    expect(classifyMachine(input({ iterations, marginMs: 8 * HOUR })).status).toBe('protected');
  });

  it('is protected when the last backup is recent, using the name time when the state is 0', () => {
    expect(classifyMachine(input({ iterations: [finished('20260510T010000Z'), finished('20260509T010000Z')] }))).toEqual({
      status: 'protected',
      reason: 'Last backup finished 11 hours ago.',
      lastFinished: new Date('2026-05-10T01:00:00Z'),
      latest: '20260510T010000Z',
    });
  });
});

describe('status vocabulary', () => {
  it('orders and labels every status', () => {
    expect(STATUS_ORDER).toEqual(['failed', 'blocked', 'stale', 'never', 'running', 'excluded', 'protected']);
    expect(STATUS_ORDER.map(statusLabel)).toEqual(['Failed', 'Blocked', 'Stale', 'Never backed up', 'Running', 'Excluded', 'Protected']);
  });
});
