import { describe, expect, it } from 'vitest';
import { defaultObjective, recoveryPointObjective } from './objective';
import { PROTECTION_STATES, RIGHT_NOW_STATES, STATUS_ORDER, classifyMachine, facetsOf, statusLabel, stepSince, type ClassifyInput, type ClassifiableIteration } from './status';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = new Date('2026-05-10T12:00:00Z');

const finished = (name: string, state = '0', returnValue: number | null = 0): ClassifiableIteration => ({ name, mode: 'finished', state, returnValue });

const input = (over: Partial<ClassifyInput>): ClassifyInput => ({
  iterations: [],
  excluded: false,
  backupCandidate: true,
  periodMs: DAY,
  planWarnings: [],
  objective: defaultObjective(DAY),
  steps: {},
  now,
  timeZone: 'UTC',
  kind: 'foss-cloud',
  ...over,
});

describe('protection: about the newest good backup, always', () => {
  it('is protected within the objective and stale past it, naming the objective', () => {
    const fresh = classifyMachine(input({ iterations: [finished('20260510T010000Z'), finished('20260509T010000Z')] }));
    expect(fresh).toMatchObject({ protection: 'protected', activity: null, status: 'protected', lastGood: new Date('2026-05-10T01:00:00Z'), latest: '20260510T010000Z' });
    expect(fresh.reason).toBe(
      'Last good backup 11 hours ago (20260510T010000Z), within the recovery point objective (30 hours: the plan runs every day, plus 6 hours).',
    );
    const old = classifyMachine(input({ iterations: [finished('20260507T010000Z', '20260507T013000Z')] }));
    expect(old).toMatchObject({ protection: 'stale', status: 'stale', lastGood: new Date('2026-05-07T01:30:00Z') });
    expect(old.reason).toMatch(/^Last good backup 3 days ago .*older than the recovery point objective \(30 hours/);
  });

  it('counts against an objective set for the pool or the cloud instead of the plan', () => {
    const iterations = [finished('20260509T050000Z')]; // 31 hours ago
    expect(classifyMachine(input({ iterations })).protection).toBe('stale');
    const settings = { cloudMs: 48 * HOUR, poolMs: new Map([['pool-a', 12 * HOUR]]) };
    const cloud = recoveryPointObjective(settings, 'pool-b', DAY);
    expect(cloud).toMatchObject({ source: 'cloud', text: "2 days: the cloud-wide recovery point objective" });
    expect(classifyMachine(input({ iterations, objective: cloud })).protection).toBe('protected');
    const pool = recoveryPointObjective(settings, 'POOL-A', DAY);
    expect(pool).toMatchObject({ source: 'pool', ms: 12 * HOUR });
    expect(classifyMachine(input({ iterations: [finished('20260509T230000Z')], objective: pool })).protection).toBe('stale');
  });

  it('stays stale while a backup runs: running is shown beside it, never instead', () => {
    const r = classifyMachine(
      input({ iterations: [finished('20240312T030000Z'), { name: '20260510T110000Z', mode: 'snapshotting', state: '0', returnValue: 0 }] }),
    );
    expect(r.protection).toBe('stale');
    expect(r.activity).toMatchObject({ kind: 'running', workflow: 'backup' });
    expect(r.status).toBe('stale');
    expect(facetsOf(r)).toEqual(['stale', 'running']);
    expect(r.reason).toMatch(/^Last good backup 2 years ago.*Backup in progress: snapshotting\.$/);
  });

  it('is never backed up with no good backup at all, with or without iterations', () => {
    expect(classifyMachine(input({})).reason).toBe('Never backed up: it has no iteration at all.');
    const failedOnly = classifyMachine(input({ iterations: [{ name: '20260509T010000Z', mode: 'merging', state: '0', returnValue: 11 }] }));
    expect(failedOnly).toMatchObject({ protection: 'never', status: 'failed' });
    expect(failedOnly.protectionReason).toBe('Never backed up: none of its 1 iteration finished.');
    const running = classifyMachine(input({ iterations: [{ name: '20260510T110000Z', mode: 'merging', state: '0', returnValue: 0 }] }));
    expect(facetsOf(running)).toEqual(['never', 'running']);
    expect(classifyMachine(input({ periodMs: null, planWarnings: ['The plan is inactive.'] })).reason).toBe(
      'Never backed up: it has no iteration at all. No backup will run: the plan is inactive.',
    );
  });

  it('is stale at once when the scheduler will never start another backup, however recent the last one', () => {
    const r = classifyMachine(input({ iterations: [finished('20260510T010000Z')], periodMs: null, planWarnings: ['The machine has 3 iteration leaves and keeps 2.'] }));
    expect(r).toMatchObject({ protection: 'stale', status: 'stale' });
    expect(r.reason).toBe('Last good backup 11 hours ago (20260510T010000Z), and no backup will run again: the machine has 3 iteration leaves and keeps 2.');
  });

  it('excludes dynamic clones and excluded machines, saying whether they were ever backed up', () => {
    const clone = classifyMachine(input({ backupCandidate: false }));
    expect(clone).toMatchObject({ protection: 'excluded', status: 'excluded', reason: 'Dynamic clone: it is rebuilt from its golden image, and fc-brokerd never backs clones up.' });
    expect(classifyMachine(input({ excluded: true })).reason).toBe('Excluded from backup by its configuration. It has never been backed up.');
    expect(classifyMachine(input({ excluded: true, iterations: [finished('20260301T010000Z')] })).reason).toMatch(/^Excluded from backup by its configuration\. Last good backup 2 months ago/);
  });

  it('treats a cancelled restore (finished with a stray 18) as a good backup', () => {
    expect(classifyMachine(input({ iterations: [finished('20260510T010000Z', '0', 18)] }))).toMatchObject({ protection: 'protected', activity: null });
  });
});

describe('activity: running, stuck, failed', () => {
  it('is failed when a step ended with a code, with what to do next', () => {
    const r = classifyMachine(
      input({ iterations: [finished('20260508T010000Z', '20260508T013000Z'), { name: '20260509T010000Z', mode: 'merging', state: '0', returnValue: 11 }] }),
    );
    expect(r.status).toBe('failed');
    expect(r.activity).toMatchObject({ kind: 'failed', workflow: 'backup', step: 'merge' });
    expect(r.activity?.text).toBe(
      'The backup 20260509T010000Z failed in merge (mode merging) with code 11 CANNOT_MERGE_DISK_IMAGES: The disk images could not be merged (block pull failed).',
    );
    expect(r.activity?.next).toMatch(/node daemon's log.*overlays on the snapshot in the retain directory.*No new backup/);
  });

  it('words a failed restore and a failed prune for what they are', () => {
    const restore = classifyMachine(input({ iterations: [finished('20260509T010000Z'), { name: '20260501T010000Z', mode: 'restoring', state: '0', returnValue: 40 }] }));
    expect(restore.activity?.text).toMatch(/^The restore from 20260501T010000Z failed in restore phase 2 \(restoring the machine\)/);
    expect(restore.activity?.next).toMatch(/^Open the restore/);
    const prune = classifyMachine(input({ iterations: [finished('20260509T010000Z'), { name: '20260401T010000Z', mode: 'deleting', state: '0', returnValue: 13 }] }));
    expect(prune.activity).toMatchObject({ kind: 'failed', workflow: 'prune' });
  });

  it('is stuck when a step has not moved for longer than the floor, saying since when and which limit', () => {
    const merge: ClassifiableIteration = { name: '20240312T030000Z', mode: 'merging', state: '0', returnValue: 0, modifiedAt: new Date('2024-03-12T03:05:00Z') };
    const r = classifyMachine(input({ iterations: [finished('20240311T030000Z'), merge] }));
    expect(r).toMatchObject({ protection: 'stale', status: 'stuck' });
    expect(r.activity).toMatchObject({ kind: 'stuck', step: 'merge', since: new Date('2024-03-12T03:05:00Z'), limit: { ms: 2 * HOUR } });
    expect(r.activity?.text).toBe(
      'Stuck since 2024-03-12 03:05 in merge: the backup 20240312T030000Z has been in mode merging for 2 years; limit the floor of 2 hours: no finished iteration of this machine records how long a merge takes.',
    );
    expect(r.activity?.next).toMatch(/^The node daemon took the step and did not finish it/);
  });

  it('takes the limit from the step times recorded on the machine, with a floor', () => {
    const merging = (hoursAgo: number): ClassifiableIteration => ({
      name: '20260510T010000Z', mode: 'merging', state: '0', returnValue: 0, modifiedAt: new Date(now.getTime() - hoursAgo * HOUR),
    });
    const steps = { merge: { seconds: 3 * 3600, iteration: '20260509T010000Z' } };
    const within = classifyMachine(input({ iterations: [finished('20260509T010000Z'), merging(8)], steps }));
    expect(within.activity).toMatchObject({ kind: 'running', limit: { ms: 9 * HOUR } });
    expect(within.activity?.limit?.basis).toBe('9 hours: 3 times the longest merge recorded on this machine (3 hours, iteration 20260509T010000Z)');
    expect(classifyMachine(input({ iterations: [finished('20260509T010000Z'), merging(10)], steps })).activity?.kind).toBe('stuck');
    const short = classifyMachine(input({ iterations: [finished('20260509T010000Z'), merging(1)], steps: { merge: { seconds: 300, iteration: 'x' } } }));
    expect(short.activity?.limit?.basis).toBe('the floor of 2 hours: the longest merge recorded on this machine took 5 minutes');
  });

  it('says a prune of an old iteration is a prune, not a backup in progress', () => {
    const r = classifyMachine(
      input({ iterations: [finished('20260510T010000Z'), { name: '20260420T010000Z', mode: 'deleting', state: '0', returnValue: 0, modifiedAt: new Date(now.getTime() - 10 * 60_000) }] }),
    );
    expect(r).toMatchObject({ protection: 'protected', status: 'running', activity: { kind: 'running', workflow: 'prune' } });
    expect(r.activity?.text).toBe('Pruning the old iteration 20260420T010000Z: deleting.');
    const stuck = classifyMachine(
      input({ iterations: [finished('20260510T010000Z'), { name: '20250420T010000Z', mode: 'deleting', state: '0', returnValue: 0, modifiedAt: new Date('2025-04-27T01:00:00Z') }] }),
    );
    expect(stuck.activity?.text).toMatch(/^Stuck since 2025-04-27 01:00 in prune of an old iteration \(deleting its files\)/);
  });

  it('calls a restore waiting in phase 1 for more than a day abandoned', () => {
    const waiting = (state: string): ClassifiableIteration => ({ name: '20260401T010000Z', mode: 'unretainedSmallFiles', state, returnValue: 0 });
    expect(classifyMachine(input({ iterations: [finished('20260510T010000Z'), waiting('20260510T110000Z')] })).activity).toMatchObject({ kind: 'running', workflow: 'restore' });
    const abandoned = classifyMachine(input({ iterations: [finished('20260510T010000Z'), waiting('20240101T100000Z')] }));
    expect(abandoned.activity?.text).toMatch(/^Stuck since 2024-01-01 10:00 in restore phase 1 \(waiting for a decision\).*limit a restore waiting for a decision for more than 24 hours counts as abandoned\.$/);
    expect(abandoned.activity?.next).toMatch(/^Open the restore and finish it or abort it/);
  });

  it('calls a command the node daemon ignores stuck at once', () => {
    const r = classifyMachine(input({ iterations: [finished('20260509T010000Z'), { name: '20260510T010000Z', mode: 'merge', state: '20260510T010500Z', returnValue: 0 }] }));
    expect(r.activity).toMatchObject({ kind: 'stuck', limit: { ms: null }, since: new Date('2026-05-10T01:05:00Z') });
    expect(r.activity?.next).toMatch(/^Nothing moves this iteration on/);
  });

  it('reports the most urgent of several unfinished iterations', () => {
    const r = classifyMachine(
      input({
        iterations: [
          finished('20260501T010000Z'),
          { name: '20260420T010000Z', mode: 'deleting', state: '0', returnValue: 0, modifiedAt: new Date(now.getTime() - 60_000) },
          { name: '20260502T010000Z', mode: 'snapshotting', state: '0', returnValue: 6 },
        ],
      }),
    );
    expect(r.activity).toMatchObject({ kind: 'failed', iteration: '20260502T010000Z' });
    expect(r.status).toBe('failed');
  });
});

describe('stoney cloud: blocked beside the protection, and one leaf', () => {
  const stoney = (over: Partial<ClassifyInput>) => classifyMachine(input({ kind: 'stoney-cloud', ...over }));

  it('shows blocked beside stale or protected, never instead, and heads the status with it', () => {
    const old = stoney({ iterations: [finished('20260401T023000Z')], blocked: 'The machine has 2 iteration leaves; the stoney wrapper expects exactly one.' });
    expect(old).toMatchObject({ protection: 'stale', blocked: expect.stringMatching(/2 iteration leaves/), status: 'blocked' });
    expect(facetsOf(old)).toEqual(['stale', 'blocked']);
    expect(old.reason).toMatch(/^Last good backup 6 weeks ago .* Blocked: The machine has 2 iteration leaves/);
    // Excluded on purpose is not blocked.
    expect(stoney({ excluded: true, blocked: 'x' })).toMatchObject({ protection: 'excluded', blocked: null, status: 'excluded' });
  });

  it('bounds the last good backup by the one leaf the wrapper replaced after a good run', () => {
    const failed = { name: '20260510T003004Z', mode: 'merging', state: '0', returnValue: 11 };
    const blocked = stoney({ iterations: [failed], blocked: 'Its one leaf is in mode merging with code 11.' });
    expect(blocked).toMatchObject({ protection: 'protected', status: 'blocked', activity: { kind: 'failed' }, lastGood: null });
    expect(facetsOf(blocked)).toEqual(['protected', 'blocked', 'failed']);
    expect(blocked.protectionReason).toMatch(/keeps only the last run, 20260510T003004Z.*older than its start 11 hours ago \(its folder is on the node\); that start is within/);
    expect(blocked.activity?.next).toMatch(/stoney wrapper's log.*skips this machine every night while it is there \(Unblock/);
    expect(stoney({ iterations: [{ ...failed, name: '20260501T003004Z' }] }).protection).toBe('stale');
    // FOSS-Cloud keeps several leaves: no finished one means never backed up.
    expect(classifyMachine(input({ iterations: [failed] })).protection).toBe('never');
  });

  it('counts a leaf being restored as the good backup it is, and names the iteration a held restore is of', () => {
    const restoring = { name: '20260510T003004Z', mode: 'unretainedSmallFiles', state: '20260510T100000Z', returnValue: 0 };
    const own = stoney({ iterations: [restoring] });
    expect(own).toMatchObject({ protection: 'protected', lastGood: new Date('2026-05-10T00:30:04Z'), activity: { kind: 'running', workflow: 'restore' } });
    expect(own.activity?.text).toBe('Restore from 20260510T003004Z in progress: waiting for the user.');
    const held = stoney({ iterations: [restoring], heldRestores: { '20260510T003004Z': '20260501T003000Z' } });
    expect(held.activity?.text).toBe('Restore of 20260501T003000Z in progress: waiting for the user.');
  });

  it('words a stuck run and an ignored command for the wrapper, not the node daemon', () => {
    const stuck = stoney({ iterations: [finished('20260509T003000Z'), { name: '20260510T003000Z', mode: 'snapshotting', state: '0', returnValue: 0, modifiedAt: new Date('2026-05-10T00:31:00Z') }] });
    expect(stuck.activity?.next).toMatch(/^The stoney wrapper started this run and did not finish it/);
    const pending = stoney({ iterations: [finished('20260509T003000Z'), { name: '20260510T003000Z', mode: 'merge', state: '20260510T010000Z', returnValue: 0 }] });
    expect(pending.activity?.limit?.basis).toBe('nothing on a stoney cloud node acts on mode merge with state 20260510T010000Z');
  });
});

describe('since when a step has not moved', () => {
  it('prefers modifyTimestamp, then the state, then (backups only) the iteration name', () => {
    const base = { returnValue: 0 };
    expect(stepSince({ ...base, name: '20260510T010000Z', mode: 'merging', state: '0', modifiedAt: new Date('2026-05-10T01:04:00Z') })).toEqual(new Date('2026-05-10T01:04:00Z'));
    expect(stepSince({ ...base, name: '20260510T010000Z', mode: 'snapshotted', state: '20260510T010200Z' })).toEqual(new Date('2026-05-10T01:02:00Z'));
    expect(stepSince({ ...base, name: '20260510T010000Z', mode: 'merging', state: '0' })).toEqual(new Date('2026-05-10T01:00:00Z'));
    expect(stepSince({ ...base, name: '20260101T010000Z', mode: 'deleting', state: '0' })).toBeNull();
  });
});

describe('status vocabulary', () => {
  it('orders and labels every status', () => {
    expect(STATUS_ORDER).toEqual(['blocked', 'failed', 'stuck', 'never', 'stale', 'running', 'excluded', 'protected']);
    expect(STATUS_ORDER.map(statusLabel)).toEqual(['Blocked', 'Failed', 'Stuck', 'Never backed up', 'Stale', 'Running', 'Excluded', 'Protected']);
    expect([...PROTECTION_STATES, ...RIGHT_NOW_STATES].sort()).toEqual([...STATUS_ORDER].sort());
  });
});
