import { describe, expect, it } from 'vitest';
import { decodeJournal, decodeLease, encodeLease, encodeRecord, type JournalRecord } from './journal';
import { deriveRestoreView } from './view';

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

  it('shows the first step done for a half-way restore started elsewhere (no journal)', () => {
    const view = deriveRestoreView({ mode: 'unretainedSmallFiles', returnValue: 0, records: [], lease: null, now });
    expect(view.stage).toBe('foreign');
    expect(view.steps.find((s) => s.key === 'small-files')?.status).toBe('done');
    expect(view.steps.filter((s) => s.status === 'done')).toHaveLength(1);
    const copying = deriveRestoreView({ mode: 'unretainingLargeFiles', returnValue: 0, records: [], lease: null, now });
    expect(copying.steps.find((s) => s.key === 'small-files')?.status).toBe('done');
  });
});
