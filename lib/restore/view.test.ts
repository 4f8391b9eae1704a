import { describe, expect, it } from 'vitest';
import { decodeJournal, decodeLease, encodeLease, encodeRecord, type JournalRecord } from './journal';
import { abortRule, CHECKING_RESTORED_IMAGES, CHECKING_RESTORED_MACHINE, deriveRestoreView } from './view';

const now = new Date('2026-11-22T10:00:00Z');
let tick = 0;
function records(...steps: JournalRecord[]) {
  return decodeJournal(steps.map((s) => encodeRecord(s, new Date(now.getTime() + (tick += 1000)))).reverse());
}
const started: JournalRecord = {
  step: 'started',
  by: 'admin',
  node: 'node-01',
  previousState: '20261121T030500Z',
  previousReturnValue: 0,
  retainFolder: '/r',
  backupFolder: '/b',
};
const resolved: JournalRecord = {
  step: 'resolved',
  by: 'admin',
  decisions: {},
  plan: { overwritten: [], kept: [], entriesAdded: [], entriesRemoved: [] },
  withState: true,
};

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
    const view = deriveRestoreView({
      mode: 'unretainedSmallFiles',
      returnValue: 0,
      records: records(started, { step: 'small-files-copied' }),
      lease: null,
      now,
    });
    expect(view).toMatchObject({ stage: 'deciding', phase: 1, canAbort: true, canDecide: true, canConfirm: false });
    expect(view.steps.find((s) => s.key === 'small-files')?.status).toBe('done');
  });

  it('asks for confirmation once resolved', () => {
    const view = deriveRestoreView({
      mode: 'unretainedSmallFiles',
      returnValue: 0,
      records: records(started, { step: 'small-files-copied' }, resolved),
      lease: null,
      now,
    });
    expect(view).toMatchObject({ stage: 'confirming', canConfirm: true, withState: true });
  });

  it('reports a failed copy as failed, retryable and still abortable', () => {
    const view = deriveRestoreView({
      mode: 'unretainingLargeFiles',
      returnValue: 8,
      records: records(
        started,
        { step: 'small-files-copied' },
        resolved,
        { step: 'confirmed', by: 'admin' },
        { step: 'failed', during: 'copying a.qcow2', returnValue: 8, reason: 'connection lost', machineState: 'Nothing live has changed.' },
      ),
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
      records: records(
        started,
        { step: 'small-files-copied' },
        resolved,
        { step: 'confirmed', by: 'a' },
        { step: 'large-files-verified' },
        { step: 'machine-stopped', how: 'shutdown' },
      ),
      lease: encodeLease('other', new Date(now.getTime() - 1000)),
      now,
    });
    expect(view).toMatchObject({ stage: 'restoring', canAbort: false });
    expect(view.driver?.stale).toBe(true);
    expect(view.steps.find((s) => s.key === 'undefine')?.status).toBe('running');
  });

  it('offers a retry and "mark as finished" when only the retain folder is left', () => {
    const view = deriveRestoreView({
      mode: 'restored',
      returnValue: 46,
      records: records(
        started,
        resolved,
        { step: 'confirmed', by: 'a' },
        { step: 'large-files-verified' },
        { step: 'machine-stopped', how: 'shutdown' },
        { step: 'domain-undefined', wasDefined: true },
        { step: 'directory-restored', changes: 2 },
        { step: 'domain-defined' },
        { step: 'domain-started', how: 'restore-with-state' },
        { step: 'failed', during: 'removing the retain folder', returnValue: 46, reason: 'busy', machineState: 'restored' },
      ),
      lease: null,
      now,
    });
    expect(view).toMatchObject({ stage: 'failed', canRetry: true, canAbort: false, canRetryWithoutState: false });
    expect(view.finishByHand).toEqual({
      remains: ['The retain folder /r stays on node node-01: remove it by hand once it is no longer needed.'],
      domainMustBeDefined: false,
    });
  });

  it('offers a retry without the saved state and "mark as finished" when libvirt refused the state', () => {
    const base = [
      started,
      resolved,
      { step: 'confirmed', by: 'a' },
      { step: 'large-files-verified' },
      { step: 'machine-stopped', how: 'shutdown' },
      { step: 'domain-undefined', wasDefined: true },
      { step: 'directory-restored', changes: 0 },
    ] as JournalRecord[];
    const refused: JournalRecord = {
      step: 'failed',
      during: 'restoring the saved state',
      returnValue: 21,
      reason: 'refused',
      machineState: 'defined',
    };
    const view = deriveRestoreView({
      mode: 'restoring',
      returnValue: 21,
      records: records(...base, { step: 'domain-defined' }, refused),
      lease: null,
      now,
    });
    expect(view).toMatchObject({ stage: 'failed', canRetry: true, canRetryWithoutState: true, canAbort: false });
    expect(view.finishByHand?.domainMustBeDefined).toBe(true);
    expect(view.finishByHand?.remains[0]).toMatch(/defined from the resolved XML but not running/);
    // Before the domain was defined there is nothing to finish: only a retry.
    const undefinedYet = deriveRestoreView({
      mode: 'restoring',
      returnValue: 41,
      records: records(...base, { step: 'failed', during: 'defining the domain', returnValue: 41, reason: 'x', machineState: 'y' }),
      lease: null,
      now,
    });
    expect(undefinedYet).toMatchObject({ canRetry: true, canRetryWithoutState: false, finishByHand: null });
    // Nor while images are being moved.
    const moving = deriveRestoreView({
      mode: 'restoring',
      returnValue: 40,
      records: records(...base.slice(0, 6), { step: 'failed', during: 'moving a over b', returnValue: 40, reason: 'x', machineState: 'y' }),
      lease: null,
      now,
    });
    expect(moving.finishByHand).toBeNull();
  });

  it('is finished when an administrator marked it so, naming what remains', () => {
    const view = deriveRestoreView({
      mode: 'finished',
      returnValue: 0,
      records: records(
        started,
        { step: 'directory-restored', changes: 0 },
        { step: 'finished', by: 'admin', remains: ['the retain folder'] },
      ),
      lease: null,
      now,
    });
    expect(view.stage).toBe('finished');
    expect(view.finishByHand).toBeNull();
    expect(view.steps.every((s) => s.status === 'done')).toBe(true);
  });

  it('shows a retried failure as running again', () => {
    const view = deriveRestoreView({
      mode: 'unretainingLargeFiles',
      returnValue: 0,
      records: records(
        started,
        resolved,
        { step: 'confirmed', by: 'a' },
        { step: 'failed', during: 'x', returnValue: 8, reason: 'r', machineState: 's' },
        { step: 'retried', by: 'a' },
      ),
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

  it('shows the first step done for a half-way restore started elsewhere (no journal)', () => {
    const view = deriveRestoreView({ mode: 'unretainedSmallFiles', returnValue: 0, records: [], lease: null, now });
    expect(view.stage).toBe('foreign');
    expect(view.steps.find((s) => s.key === 'small-files')?.status).toBe('done');
    expect(view.steps.filter((s) => s.status === 'done')).toHaveLength(1);
    const copying = deriveRestoreView({ mode: 'unretainingLargeFiles', returnValue: 0, records: [], lease: null, now });
    expect(copying.steps.find((s) => s.key === 'small-files')?.status).toBe('done');
  });
});

describe('a daemon-driven restore', () => {
  const daemonStarted: JournalRecord = {
    ...(started as Extract<JournalRecord, { step: 'started' }>),
    executor: 'daemon',
    executorReason: 'The node daemon runs on node-01: …',
  };

  it('says the node daemon executes and what the console waits for', () => {
    const view = deriveRestoreView({
      mode: 'unretainSmallFiles',
      state: '0',
      returnValue: 0,
      records: records(daemonStarted, { step: 'commanded', mode: 'unretainSmallFiles' }),
      lease: null,
      now,
    });
    expect(view).toMatchObject({ stage: 'copying-small-files', executor: 'daemon', canAbort: false });
    expect(view.waitingForDaemon).toMatchObject({ command: 'unretainSmallFiles', taken: false });
    expect(view.abortBlocked).toMatch(/node daemon has been asked/);
    expect(view.steps[0]).toMatchObject({ key: 'small-files', status: 'running', label: expect.stringMatching(/^Node daemon: /) });
    const taken = deriveRestoreView({
      mode: 'unretainingSmallFiles',
      state: '0',
      returnValue: 0,
      records: records(daemonStarted, { step: 'commanded', mode: 'unretainSmallFiles' }),
      lease: null,
      now,
    });
    expect(taken.waitingForDaemon?.taken).toBe(true);
    expect(taken.abortBlocked).toMatch(/node daemon is working/);
  });

  it('can be aborted while the decisions are open, and after the daemon answered a failure, but not on unretainedLargeFiles (the broker moves that on)', () => {
    const phase1 = records(
      daemonStarted,
      { step: 'commanded', mode: 'unretainSmallFiles' },
      { step: 'daemon-answered', mode: 'unretainedSmallFiles', returnValue: 0 },
    );
    expect(
      deriveRestoreView({ mode: 'unretainedSmallFiles', state: '20261122T101500Z', returnValue: 0, records: phase1, lease: null, now }),
    ).toMatchObject({ stage: 'deciding', canAbort: true });
    const failed = records(
      daemonStarted,
      resolved,
      { step: 'confirmed', by: 'a' },
      { step: 'failed', during: 'x', returnValue: 38, reason: 'r', machineState: 's', by: 'daemon', reissue: 'unretainLargeFiles' },
    );
    expect(abortRule({ mode: 'unretainingLargeFiles', state: '20261122T101500Z', returnValue: 38, records: failed })).toEqual({ ok: true });
    expect(abortRule({ mode: 'unretainedLargeFiles', state: '20261122T101500Z', returnValue: 0, records: failed })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/broker/),
    });
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
    expect(Object.fromEntries(view.steps.map((s) => [s.key, s.status]))).toMatchObject({
      verify: 'done',
      directory: 'running',
      define: 'pending',
      stop: 'skipped',
    });
  });

  it('offers "mark as finished" only after the node daemon answered restored, and not when a live image is not the backup’s', () => {
    const before = [
      daemonStarted,
      resolved,
      { step: 'confirmed', by: 'a' },
      { step: 'large-files-verified' },
      { step: 'directory-restored', changes: 1 },
      { step: 'domain-defined' },
      { step: 'machine-stopped', how: 'shutdown' },
      { step: 'commanded', mode: 'restore' },
    ] as JournalRecord[];
    const failure = (during: string, returnValue: number, by: 'daemon' | 'console' = 'console'): JournalRecord => ({
      step: 'failed',
      during,
      returnValue,
      reason: 'r',
      machineState: 's',
      by,
    });
    // The daemon's own restore failed: nobody can tell which images it moved.
    const daemonFailed = deriveRestoreView({
      mode: 'restoring',
      state: '20261122T101500Z',
      returnValue: 40,
      records: records(...before, failure('the node daemon’s step restore', 40, 'daemon')),
      lease: null,
      now,
    });
    expect(daemonFailed).toMatchObject({
      stage: 'failed',
      canRetry: true,
      canRetryWithoutState: false,
      finishByHand: null,
      canAbort: false,
    });
    expect(daemonFailed.finishByHandBlocked).toMatch(/cannot see how far its restore step got/);
    const answered = [...before, { step: 'daemon-answered', mode: 'restored', returnValue: 0 }] as JournalRecord[];
    // Restored, but the console found the machine not running: finished by hand once it is started.
    const notRunning = deriveRestoreView({
      mode: 'restored',
      state: '20261122T101500Z',
      returnValue: 21,
      records: records(...answered, failure(CHECKING_RESTORED_MACHINE, 21)),
      lease: null,
      now,
    });
    expect(notRunning.finishByHand).toMatchObject({ domainMustBeDefined: true });
    expect(notRunning.finishByHand?.remains[1]).toMatch(/\/r\.resolved/);
    // Restored, but a live image has not the backup's size: not finished.
    const wrongImage = deriveRestoreView({
      mode: 'restored',
      state: '20261122T101500Z',
      returnValue: 40,
      records: records(...answered, failure(CHECKING_RESTORED_IMAGES, 40)),
      lease: null,
      now,
    });
    expect(wrongImage).toMatchObject({ finishByHand: null, finishByHandBlocked: expect.stringMatching(/not the backup/) });
    // Only the retain folder is left.
    const leftOver = deriveRestoreView({
      mode: 'restored',
      state: '20261122T101500Z',
      returnValue: 46,
      records: records(...answered, failure('removing the retain folder', 46)),
      lease: null,
      now,
    });
    expect(leftOver).toMatchObject({ finishByHand: { domainMustBeDefined: false }, finishByHandBlocked: null });
  });

  it('is finished when the broker finished the daemon’s restore', () => {
    const list = records(
      daemonStarted,
      resolved,
      { step: 'confirmed', by: 'a' },
      { step: 'daemon-answered', mode: 'restored', returnValue: 0 },
    );
    expect(deriveRestoreView({ mode: 'finished', state: '20261122T1015000Z', returnValue: 0, records: list, lease: null, now }).stage).toBe(
      'finished',
    );
  });
});

describe('a console-driven restore', () => {
  it('cannot be aborted while the console restores (it may be stopping the machine), but can once that failed before anything live changed', () => {
    const list = records(started, resolved, { step: 'confirmed', by: 'a' }, { step: 'large-files-verified' });
    expect(abortRule({ mode: 'restoring', state: '20261122T101500Z', returnValue: 0, records: list })).toMatchObject({ ok: false });
    expect(abortRule({ mode: 'restoring', state: '20261122T101500Z', returnValue: 21, records: list })).toEqual({ ok: true });
  });
});

describe('a finished restore that is undone', () => {
  const ended: JournalRecord[] = [
    started,
    { step: 'small-files-copied' },
    resolved,
    { step: 'confirmed', by: 'admin' },
    { step: 'domain-started', how: 'restore-with-state', downtime: { stoppedAt: now.toISOString(), seconds: 1.25 } },
    { step: 'finished' },
  ];
  it('is being undone while its undo runs (the iteration is taken in restoring), with nothing to abort or retry', () => {
    const view = deriveRestoreView({
      mode: 'restoring',
      returnValue: 40,
      records: records(...ended, { step: 'undo-started', by: 'admin', record: 'k' }),
      lease: null,
      now,
    });
    expect(view).toMatchObject({
      stage: 'undoing',
      canAbort: false,
      canRetry: false,
      undo: { state: 'undoing', by: 'admin', record: 'k' },
    });
  });
  it('is finished again once undone, and says so, with the downtime the restore had', () => {
    const view = deriveRestoreView({
      mode: 'finished',
      returnValue: 0,
      records: records(...ended, { step: 'undo-started', by: 'admin', record: 'k' }, { step: 'undone', by: 'admin', record: 'k' }),
      lease: null,
      now,
    });
    expect(view).toMatchObject({ stage: 'finished', undo: { state: 'undone' }, downtime: { seconds: 1.25 } });
  });
});
