import { describe, expect, it } from 'vitest';
import { decodeJournal, decodeLease, encodeLease, encodeRecord, type JournalRecord } from './journal';
import { abortRule, CHECKING_RESTORED_IMAGES, CHECKING_RESTORED_MACHINE, deriveRestoreView } from './view';

const now = new Date('2026-11-22T10:00:00Z');
/** The state a step's answer leaves: when it finished. */
const ANSWERED_AT = '20261122T101500Z';
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
const confirmed: JournalRecord = { step: 'confirmed', by: 'a' };

/** A console-driven restore's journal in the order the console writes it, up to the machine started again. */
const CONSOLE_RESTORE: JournalRecord[] = [
  started,
  { step: 'small-files-copied' },
  resolved,
  confirmed,
  { step: 'large-files-verified' },
  { step: 'machine-stopped', how: 'shutdown' },
  { step: 'domain-undefined', wasDefined: true },
  { step: 'directory-restored', changes: 2 },
  { step: 'domain-defined' },
  { step: 'domain-started', how: 'restore-with-state' },
];

/** The console-driven restore's journal up to and including `step`. */
function through(step: JournalRecord['step']): JournalRecord[] {
  const at = CONSOLE_RESTORE.findIndex((r) => r.step === step);
  if (at < 0) throw new Error(`a console restore writes no ${step}`);
  return CONSOLE_RESTORE.slice(0, at + 1);
}

const failure = (during: string, returnValue: number, more: Partial<Extract<JournalRecord, { step: 'failed' }>> = {}): JournalRecord => ({
  step: 'failed',
  during,
  returnValue,
  reason: 'r',
  machineState: 's',
  ...more,
});

/** The view of an iteration in `mode` whose journal holds `journal`; no lease unless given. */
const viewOf = (mode: string, returnValue: number, journal: JournalRecord[], more: { state?: string; lease?: string } = {}) =>
  deriveRestoreView({ mode, returnValue, records: records(...journal), lease: null, now, ...more });

describe('the restore journal', () => {
  it('keeps records in the order they were written, whatever order the directory returns', () => {
    const list = records(...through('resolved'));
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
    const view = viewOf('unretainedSmallFiles', 0, through('small-files-copied'));
    expect(view).toMatchObject({ stage: 'deciding', phase: 1, canAbort: true, canDecide: true, canConfirm: false });
    expect(view.steps.find((s) => s.key === 'small-files')?.status).toBe('done');
  });

  it('asks for confirmation once resolved', () => {
    const view = viewOf('unretainedSmallFiles', 0, through('resolved'));
    expect(view).toMatchObject({ stage: 'confirming', canConfirm: true, withState: true });
  });

  it('reports a failed copy as failed, retryable and still abortable', () => {
    const view = viewOf('unretainingLargeFiles', 8, [
      ...through('confirmed'),
      failure('copying a.qcow2', 8, { reason: 'connection lost', machineState: 'Nothing live has changed.' }),
    ]);
    expect(view).toMatchObject({ stage: 'failed', phase: 2, canRetry: true, canAbort: true });
    expect(view.failure?.returnName).toBe('CANNOT_COPY_IMAGE_TO_BACKUP_LOCATION');
    expect(view.steps.find((s) => s.key === 'large-files')?.status).toBe('failed');
  });

  it('cannot be aborted once the machine was touched', () => {
    const view = viewOf('restoring', 0, through('machine-stopped'), { lease: encodeLease('other', new Date(now.getTime() - 1000)) });
    expect(view).toMatchObject({ stage: 'restoring', canAbort: false });
    expect(view.driver?.stale).toBe(true);
    expect(view.steps.find((s) => s.key === 'undefine')?.status).toBe('running');
  });

  it('offers a retry and "mark as finished" when only the retain folder is left', () => {
    const view = viewOf('restored', 46, [
      ...through('domain-started'),
      failure('removing the retain folder', 46, { reason: 'busy', machineState: 'restored' }),
    ]);
    expect(view).toMatchObject({ stage: 'failed', canRetry: true, canAbort: false, canRetryWithoutState: false });
    expect(view.finishByHand).toEqual({
      remains: ['The retain folder /r stays on node node-01: remove it by hand once it is no longer needed.'],
      domainMustBeDefined: false,
    });
  });

  it('offers a retry without the saved state and "mark as finished" when libvirt refused the state', () => {
    const refused = failure('restoring the saved state', 21, { reason: 'refused', machineState: 'defined' });
    const view = viewOf('restoring', 21, [...through('domain-defined'), refused]);
    expect(view).toMatchObject({ stage: 'failed', canRetry: true, canRetryWithoutState: true, canAbort: false });
    expect(view.finishByHand?.domainMustBeDefined).toBe(true);
    expect(view.finishByHand?.remains[0]).toMatch(/defined from the resolved XML but not running/);
    // Before the domain was defined there is nothing to finish: only a retry.
    const undefinedYet = viewOf('restoring', 41, [...through('directory-restored'), failure('defining the domain', 41)]);
    expect(undefinedYet).toMatchObject({ canRetry: true, canRetryWithoutState: false, finishByHand: null });
    // Nor while images are being moved.
    const moving = viewOf('restoring', 40, [...through('domain-undefined'), failure('moving a over b', 40)]);
    expect(moving.finishByHand).toBeNull();
  });

  it('is finished when an administrator marked it so, naming what remains', () => {
    const view = viewOf('finished', 0, [
      started,
      { step: 'directory-restored', changes: 0 },
      { step: 'finished', by: 'admin', remains: ['the retain folder'] },
    ]);
    expect(view.stage).toBe('finished');
    expect(view.finishByHand).toBeNull();
    expect(view.steps.every((s) => s.status === 'done')).toBe(true);
  });

  it('shows a retried failure as running again', () => {
    const view = viewOf('unretainingLargeFiles', 0, [...through('confirmed'), failure('x', 8), { step: 'retried', by: 'a' }]);
    expect(view.stage).toBe('copying-large-files');
  });

  it('shows no step as running before a restore starts', () => {
    const view = viewOf('finished', 0, []);
    expect(view.stage).toBe('not-a-restore');
    expect(view.steps.every((s) => s.status === 'pending')).toBe(true);
  });

  it('is finished when the journal says so', () => {
    const view = viewOf('finished', 0, [started, { step: 'finished' }]);
    expect(view.stage).toBe('finished');
    expect(view.steps.every((s) => s.status === 'done')).toBe(true);
  });

  it('shows the first step done for a half-way restore started elsewhere (no journal)', () => {
    const view = viewOf('unretainedSmallFiles', 0, []);
    expect(view.stage).toBe('foreign');
    expect(view.steps.find((s) => s.key === 'small-files')?.status).toBe('done');
    expect(view.steps.filter((s) => s.status === 'done')).toHaveLength(1);
    const copying = viewOf('unretainingLargeFiles', 0, []);
    expect(copying.steps.find((s) => s.key === 'small-files')?.status).toBe('done');
  });
});

describe('a daemon-driven restore', () => {
  const daemonStarted: JournalRecord = {
    ...(started as Extract<JournalRecord, { step: 'started' }>),
    executor: 'daemon',
    executorReason: 'The node daemon runs on node-01: …',
  };
  /** Phase 1 decided and confirmed: what every phase-2 journal below starts with. */
  const confirmedByDaemon: JournalRecord[] = [daemonStarted, resolved, confirmed];

  it('says the node daemon executes and what the console waits for', () => {
    const commanded: JournalRecord[] = [daemonStarted, { step: 'commanded', mode: 'unretainSmallFiles' }];
    const view = viewOf('unretainSmallFiles', 0, commanded, { state: '0' });
    expect(view).toMatchObject({ stage: 'copying-small-files', executor: 'daemon', canAbort: false });
    expect(view.waitingForDaemon).toMatchObject({ command: 'unretainSmallFiles', taken: false });
    expect(view.abortBlocked).toMatch(/node daemon has been asked/);
    expect(view.steps[0]).toMatchObject({ key: 'small-files', status: 'running', label: expect.stringMatching(/^Node daemon: /) });
    const taken = viewOf('unretainingSmallFiles', 0, commanded, { state: '0' });
    expect(taken.waitingForDaemon?.taken).toBe(true);
    expect(taken.abortBlocked).toMatch(/node daemon is working/);
  });

  it('can be aborted while the decisions are open, and after the daemon answered a failure, but not on unretainedLargeFiles (the broker moves that on)', () => {
    const phase1: JournalRecord[] = [
      daemonStarted,
      { step: 'commanded', mode: 'unretainSmallFiles' },
      { step: 'daemon-answered', mode: 'unretainedSmallFiles', returnValue: 0 },
    ];
    expect(viewOf('unretainedSmallFiles', 0, phase1, { state: ANSWERED_AT })).toMatchObject({ stage: 'deciding', canAbort: true });
    const failed = records(...confirmedByDaemon, failure('x', 38, { by: 'daemon', reissue: 'unretainLargeFiles' }));
    expect(abortRule({ mode: 'unretainingLargeFiles', state: ANSWERED_AT, returnValue: 38, records: failed })).toEqual({ ok: true });
    expect(abortRule({ mode: 'unretainedLargeFiles', state: ANSWERED_AT, returnValue: 0, records: failed })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/broker/),
    });
    expect(abortRule({ mode: 'unretainLargeFiles', state: '0', returnValue: 7, records: failed })).toMatchObject({ ok: false });
  });

  it('marks the stop skipped when the broker asked for the restore (and stopped the machine) itself; the decisions still follow', () => {
    const view = viewOf(
      'restoring',
      0,
      [
        ...confirmedByDaemon,
        { step: 'commanded', mode: 'unretainLargeFiles' },
        { step: 'daemon-answered', mode: 'unretainedLargeFiles', returnValue: 0 },
        { step: 'large-files-verified' },
        { step: 'followed', mode: 'restore', by: 'broker' },
      ],
      { state: '0' },
    );
    expect(view).toMatchObject({ stage: 'restoring', followedBroker: true, canAbort: false });
    expect(Object.fromEntries(view.steps.map((s) => [s.key, s.status]))).toMatchObject({
      verify: 'done',
      directory: 'running',
      define: 'pending',
      stop: 'skipped',
    });
  });

  it('offers "mark as finished" only after the node daemon answered restored, and not when a live image is not the backup’s', () => {
    const before: JournalRecord[] = [
      ...confirmedByDaemon,
      { step: 'large-files-verified' },
      { step: 'directory-restored', changes: 1 },
      { step: 'domain-defined' },
      { step: 'machine-stopped', how: 'shutdown' },
      { step: 'commanded', mode: 'restore' },
    ];
    // The daemon's own restore failed: nobody can tell which images it moved.
    const daemonFailed = viewOf('restoring', 40, [...before, failure('the node daemon’s step restore', 40, { by: 'daemon' })], {
      state: ANSWERED_AT,
    });
    expect(daemonFailed).toMatchObject({
      stage: 'failed',
      canRetry: true,
      canRetryWithoutState: false,
      finishByHand: null,
      canAbort: false,
    });
    expect(daemonFailed.finishByHandBlocked).toMatch(/cannot see how far its restore step got/);
    const answered: JournalRecord[] = [...before, { step: 'daemon-answered', mode: 'restored', returnValue: 0 }];
    // Restored, but the console found the machine not running: finished by hand once it is started.
    const notRunning = viewOf('restored', 21, [...answered, failure(CHECKING_RESTORED_MACHINE, 21, { by: 'console' })], {
      state: ANSWERED_AT,
    });
    expect(notRunning.finishByHand).toMatchObject({ domainMustBeDefined: true });
    expect(notRunning.finishByHand?.remains[1]).toMatch(/\/r\.resolved/);
    // Restored, but a live image has not the backup's size: not finished.
    const wrongImage = viewOf('restored', 40, [...answered, failure(CHECKING_RESTORED_IMAGES, 40, { by: 'console' })], {
      state: ANSWERED_AT,
    });
    expect(wrongImage).toMatchObject({ finishByHand: null, finishByHandBlocked: expect.stringMatching(/not the backup/) });
    // Only the retain folder is left.
    const leftOver = viewOf('restored', 46, [...answered, failure('removing the retain folder', 46, { by: 'console' })], {
      state: ANSWERED_AT,
    });
    expect(leftOver).toMatchObject({ finishByHand: { domainMustBeDefined: false }, finishByHandBlocked: null });
  });

  it('is finished when the broker finished the daemon’s restore', () => {
    const journal: JournalRecord[] = [...confirmedByDaemon, { step: 'daemon-answered', mode: 'restored', returnValue: 0 }];
    expect(viewOf('finished', 0, journal, { state: '20261122T1015000Z' }).stage).toBe('finished');
  });
});

describe('a console-driven restore', () => {
  it('cannot be aborted while the console restores (it may be stopping the machine), but can once that failed before anything live changed', () => {
    const list = records(...through('large-files-verified'));
    expect(abortRule({ mode: 'restoring', state: ANSWERED_AT, returnValue: 0, records: list })).toMatchObject({ ok: false });
    expect(abortRule({ mode: 'restoring', state: ANSWERED_AT, returnValue: 21, records: list })).toEqual({ ok: true });
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
    const view = viewOf('restoring', 40, [...ended, { step: 'undo-started', by: 'admin', record: 'k' }]);
    expect(view).toMatchObject({
      stage: 'undoing',
      canAbort: false,
      canRetry: false,
      undo: { state: 'undoing', by: 'admin', record: 'k' },
    });
  });
  it('is finished again once undone, and says so, with the downtime the restore had', () => {
    const view = viewOf('finished', 0, [
      ...ended,
      { step: 'undo-started', by: 'admin', record: 'k' },
      { step: 'undone', by: 'admin', record: 'k' },
    ]);
    expect(view).toMatchObject({ stage: 'finished', undo: { state: 'undone' }, downtime: { seconds: 1.25 } });
  });
});
