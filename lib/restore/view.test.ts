import { describe, expect, it } from 'vitest';
import { decodeJournal, decodeLease, encodeLease, encodeRecord, type JournalRecord } from './journal';
import { abortRule, deriveRestoreView } from './view';

const now = new Date('2026-11-22T10:00:00Z');
let tick = 0;
function records(...steps: JournalRecord[]) {
  return decodeJournal(steps.map((s) => encodeRecord(s, new Date(now.getTime() + (tick += 1000)))).reverse());
}
const started: JournalRecord = { step: 'started', by: 'admin', node: 'node-01', previousState: '20261121T030500Z', previousReturnValue: 0, retainFolder: '/r', backupFolder: '/b' };
const resolved: JournalRecord = { step: 'resolved', by: 'admin', decisions: {}, plan: { overwritten: [], kept: [], entriesAdded: [], entriesRemoved: [] }, withState: true };

describe('the restore journal', () => {
  it('keeps records in the order they were written, whatever order the directory returns', () => {
    const list = records(started, { step: 'small-files-copied' }, resolved);
    expect(list.map((r) => r.step)).toEqual(['started', 'small-files-copied', 'resolved']);
  });

  it('encodes and decodes the lease', () => {
    const lease = decodeLease(encodeLease('host-1', now));
    expect(lease).toEqual({ instance: 'host-1', expires: now });
    expect(decodeLease('garbage')).toBeNull();
  });
});

describe('where a restore stands', () => {
  it('waits for decisions after the small files were copied', () => {
    const view = deriveRestoreView({ mode: 'unretainedSmallFiles', returnValue: 0, records: records(started, { step: 'small-files-copied' }), lease: null, now });
    expect(view).toMatchObject({ stage: 'deciding', phase: 1, canAbort: true, canDecide: true, canConfirm: false });
    expect(view.steps.find((s) => s.key === 'small-files')?.status).toBe('done');
  });

  it('asks for confirmation once resolved', () => {
    const view = deriveRestoreView({ mode: 'unretainedSmallFiles', returnValue: 0, records: records(started, { step: 'small-files-copied' }, resolved), lease: null, now });
    expect(view).toMatchObject({ stage: 'confirming', canConfirm: true, withState: true });
  });

  it('reports a failed copy as failed, retryable and still abortable', () => {
    const view = deriveRestoreView({
      mode: 'unretainingLargeFiles',
      returnValue: 8,
      records: records(started, { step: 'small-files-copied' }, resolved, { step: 'confirmed', by: 'admin' }, { step: 'failed', during: 'copying a.qcow2', returnValue: 8, reason: 'connection lost', machineState: 'Nothing live has changed.' }),
      lease: null,
      now,
    });
    expect(view).toMatchObject({ stage: 'failed', phase: 2, canRetry: true, canAbort: true });
    expect(view.failure?.returnName).toBe('CANNOT_COPY_IMAGE_TO_BACKUP_LOCATION');
    expect(view.steps.find((s) => s.key === 'large-files')?.status).toBe('failed');
  });

  it('cannot be aborted once the machine was touched', () => {
    const view = deriveRestoreView({
      mode: 'restoring',
      returnValue: 0,
      records: records(started, { step: 'small-files-copied' }, resolved, { step: 'confirmed', by: 'a' }, { step: 'large-files-verified' }, { step: 'machine-stopped', how: 'shutdown' }),
      lease: encodeLease('other', new Date(now.getTime() - 1000)),
      now,
    });
    expect(view).toMatchObject({ stage: 'restoring', canAbort: false });
    expect(view.driver?.stale).toBe(true);
    expect(view.steps.find((s) => s.key === 'undefine')?.status).toBe('running');
  });

  it('shows a retried failure as running again', () => {
    const view = deriveRestoreView({
      mode: 'unretainingLargeFiles',
      returnValue: 0,
      records: records(started, resolved, { step: 'confirmed', by: 'a' }, { step: 'failed', during: 'x', returnValue: 8, reason: 'r', machineState: 's' }, { step: 'retried', by: 'a' }),
      lease: null,
      now,
    });
    expect(view.stage).toBe('copying-large-files');
  });

  it('shows no step as running before a restore starts', () => {
    const view = deriveRestoreView({ mode: 'finished', returnValue: 0, records: [], lease: null, now });
    expect(view.stage).toBe('not-a-restore');
    expect(view.steps.every((s) => s.status === 'pending')).toBe(true);
  });

  it('is finished when the journal says so', () => {
    const view = deriveRestoreView({ mode: 'finished', returnValue: 0, records: records(started, { step: 'finished' }), lease: null, now });
    expect(view.stage).toBe('finished');
    expect(view.steps.every((s) => s.status === 'done')).toBe(true);
  });
});

describe('a daemon-driven restore', () => {
  const daemonStarted: JournalRecord = { ...(started as Extract<JournalRecord, { step: 'started' }>), executor: 'daemon', executorReason: 'The node daemon runs on node-01: …' };

  it('says the node daemon executes and what the console waits for', () => {
    const view = deriveRestoreView({ mode: 'unretainSmallFiles', state: '0', returnValue: 0, records: records(daemonStarted, { step: 'commanded', mode: 'unretainSmallFiles' }), lease: null, now });
    expect(view).toMatchObject({ stage: 'copying-small-files', executor: 'daemon', canAbort: false });
    expect(view.waitingForDaemon).toMatchObject({ command: 'unretainSmallFiles', taken: false });
    expect(view.abortBlocked).toMatch(/node daemon has been asked/);
    expect(view.steps[0]).toMatchObject({ key: 'small-files', status: 'running', label: expect.stringMatching(/^Node daemon: /) });
    const taken = deriveRestoreView({ mode: 'unretainingSmallFiles', state: '0', returnValue: 0, records: records(daemonStarted, { step: 'commanded', mode: 'unretainSmallFiles' }), lease: null, now });
    expect(taken.waitingForDaemon?.taken).toBe(true);
    expect(taken.abortBlocked).toMatch(/node daemon is working/);
  });

  it('can be aborted while the decisions are open, and after the daemon answered a failure, but not on unretainedLargeFiles (the broker moves that on)', () => {
    const phase1 = records(daemonStarted, { step: 'commanded', mode: 'unretainSmallFiles' }, { step: 'daemon-answered', mode: 'unretainedSmallFiles', returnValue: 0 });
    expect(deriveRestoreView({ mode: 'unretainedSmallFiles', state: '20261122T101500Z', returnValue: 0, records: phase1, lease: null, now })).toMatchObject({ stage: 'deciding', canAbort: true });
    const failed = records(daemonStarted, resolved, { step: 'confirmed', by: 'a' }, { step: 'failed', during: 'x', returnValue: 38, reason: 'r', machineState: 's', by: 'daemon', reissue: 'unretainLargeFiles' });
    expect(abortRule({ mode: 'unretainingLargeFiles', state: '20261122T101500Z', returnValue: 38, records: failed })).toEqual({ ok: true });
    expect(abortRule({ mode: 'unretainedLargeFiles', state: '20261122T101500Z', returnValue: 0, records: failed })).toMatchObject({ ok: false, reason: expect.stringMatching(/broker/) });
    expect(abortRule({ mode: 'unretainLargeFiles', state: '0', returnValue: 7, records: failed })).toMatchObject({ ok: false });
  });

  it('marks the stop skipped when the broker asked for the restore (and stopped the machine) itself; the decisions still follow', () => {
    const list = records(
      daemonStarted,
      resolved,
      { step: 'confirmed', by: 'a' },
      { step: 'commanded', mode: 'unretainLargeFiles' },
      { step: 'daemon-answered', mode: 'unretainedLargeFiles', returnValue: 0 },
      { step: 'large-files-verified' },
      { step: 'followed', mode: 'restore', by: 'broker' },
    );
    const view = deriveRestoreView({ mode: 'restoring', state: '0', returnValue: 0, records: list, lease: null, now });
    expect(view).toMatchObject({ stage: 'restoring', followedBroker: true, canAbort: false });
    expect(Object.fromEntries(view.steps.map((s) => [s.key, s.status]))).toMatchObject({ verify: 'done', directory: 'running', define: 'pending', stop: 'skipped' });
  });

  it('is finished when the broker finished the daemon’s restore', () => {
    const list = records(daemonStarted, resolved, { step: 'confirmed', by: 'a' }, { step: 'daemon-answered', mode: 'restored', returnValue: 0 });
    expect(deriveRestoreView({ mode: 'finished', state: '20261122T1015000Z', returnValue: 0, records: list, lease: null, now }).stage).toBe('finished');
  });
});

describe('a console-driven restore', () => {
  it('cannot be aborted while the console restores (it may be stopping the machine), but can once that failed before anything live changed', () => {
    const list = records(started, resolved, { step: 'confirmed', by: 'a' }, { step: 'large-files-verified' });
    expect(abortRule({ mode: 'restoring', state: '20261122T101500Z', returnValue: 0, records: list })).toMatchObject({ ok: false });
    expect(abortRule({ mode: 'restoring', state: '20261122T101500Z', returnValue: 21, records: list })).toEqual({ ok: true });
  });
});
