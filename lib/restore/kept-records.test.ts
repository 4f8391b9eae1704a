import { describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecord } from './journal';
import {
  compareRestoreIds,
  deriveKeptView,
  keptRecordId,
  keptStatus,
  parseKeptRecordId,
  retentionEnded,
  type KeptRecord,
  type TimedKeptRecord,
} from './kept-records';

const now = new Date('2026-11-29T12:00:00Z');
let tick = 0;
function records(...steps: KeptRecord[]): TimedKeptRecord[] {
  return decodeRecords<TimedKeptRecord>(steps.map((s) => encodeRecord(s, new Date(now.getTime() - 3600_000 + (tick += 1000)))).reverse());
}
const uuid = 'bdd640fb-0667-4ad1-9c80-317fa3b1799d';
const kept: KeptRecord = {
  step: 'kept',
  machineUuid: uuid,
  machineName: 'web-01',
  node: 'node-01',
  iteration: '20261120T010000Z',
  restoreId: '20261129T100000Z',
  restoredBy: 'admin',
  previousState: '20261120T011500Z',
  previousReturnValue: 0,
  retainRoot: '/r',
  retainFolder: '/r/x',
  virtualizationRoot: '/v',
  domain: { wasDefined: true, wasRunning: true },
  images: [
    {
      target: 'vda',
      live: '/v/p/a.qcow2',
      kept: '/v/p/a.qcow2.before-restore-20261129T100000Z',
      id: '1:10',
      sizeBytes: 100,
      allocatedBytes: 4096,
    },
    {
      target: 'vdb',
      live: '/v/p/b.qcow2',
      kept: '/v/p/b.qcow2.before-restore-20261129T100000Z',
      id: null,
      sizeBytes: 0,
      allocatedBytes: 0,
    },
  ],
};
const restored: KeptRecord = {
  step: 'restored',
  finishedState: '20261129T100100Z',
  images: [],
  domainXmlDigest: 'x',
  iterations: ['20261120T010000Z'],
};

describe('a kept record', () => {
  it('holds the space of the images that were live, until it is undone', () => {
    const view = deriveKeptView({ id: 'k', records: records(kept, restored), lease: null, retentionHours: 72, now });
    expect(view).toMatchObject({ status: 'kept', heldBytes: 4096 });
    expect(view?.images.map((i) => i.held)).toEqual([true, false]);
    expect(view?.keptUntil).toBe(new Date(new Date(view!.restoredAt!).getTime() + 72 * 3600_000).toISOString());
    const undone = deriveKeptView({
      id: 'k',
      records: records(kept, restored, { step: 'undo-started', by: 'admin' }, { step: 'undone', by: 'admin' }),
      lease: null,
      retentionHours: 72,
      now,
    });
    expect(undone).toMatchObject({ status: 'undone', heldBytes: 0, keptUntil: null });
  });

  it('is open while its restore has not finished, and cannot be undone then', () => {
    expect(keptStatus(records(kept))).toBe('restore-open');
  });

  it('tells an undo that runs, failed, was retried, or was called off', () => {
    const started: KeptRecord = { step: 'undo-started', by: 'admin' };
    expect(keptStatus(records(kept, restored, started))).toBe('undoing');
    const failed: KeptRecord = { step: 'failed', during: 'stopping the machine', returnValue: 21, reason: 'x', machineState: 'y' };
    const view = deriveKeptView({
      id: 'k',
      records: records(kept, restored, started, { step: 'iteration-taken' }, failed),
      lease: null,
      retentionHours: 72,
      now,
    });
    expect(view).toMatchObject({ status: 'undo-failed', undo: { canCancel: true } });
    expect(view?.undo.steps.find((s) => s.key === 'stop')?.status).toBe('failed');
    expect(keptStatus(records(kept, restored, started, failed, { step: 'retried', by: 'admin' }))).toBe('undoing');
    const touched = deriveKeptView({
      id: 'k',
      records: records(kept, restored, started, { step: 'machine-stopped', how: 'shutdown' }, failed),
      lease: null,
      retentionHours: 72,
      now,
    });
    expect(touched?.undo.canCancel).toBe(false);
    expect(keptStatus(records(kept, restored, started, { step: 'undo-cancelled', by: 'admin' }))).toBe('kept');
  });

  it('ends its retention only when kept or undone, never while an undo runs or its restore is open', () => {
    const later = new Date(now.getTime() + 100 * 3600_000);
    const view = (r: TimedKeptRecord[]) => deriveKeptView({ id: 'k', records: r, lease: null, retentionHours: 72, now })!;
    expect(retentionEnded(view(records(kept, restored)), 72, now)).toBe(false);
    expect(retentionEnded(view(records(kept, restored)), 72, later)).toBe(true);
    expect(retentionEnded(view(records(kept, restored, { step: 'undo-started', by: 'a' })), 72, later)).toBe(false);
    expect(retentionEnded(view(records(kept)), 72, later)).toBe(false);
  });

  it('is named after the machine, the iteration and the restore', () => {
    const id = keptRecordId(uuid.toUpperCase(), '20261120T010000Z', '20261129T100000.250Z');
    expect(parseKeptRecordId(id)).toEqual({ machineUuid: uuid, iteration: '20261120T010000Z', restoreId: '20261129T100000.250Z' });
    expect(parseKeptRecordId('x_y_z')).toBeNull();
    expect(parseKeptRecordId(`${uuid}_20261120T010000.250Z_20261129T100000Z`)).toBeNull();
  });

  it('written before restore ids had milliseconds is still read, and ordered among the newer ones', () => {
    const old = keptRecordId(uuid, '20261120T010000Z', '20261129T100000Z');
    expect(parseKeptRecordId(old)?.restoreId).toBe('20261129T100000Z');
    const ids = ['20261129T100000.250Z', '20261129T100000Z', '20261129T095959.999Z', '20261129T100001Z'];
    expect([...ids].sort(compareRestoreIds)).toEqual([
      '20261129T095959.999Z',
      '20261129T100000Z',
      '20261129T100000.250Z',
      '20261129T100001Z',
    ]);
  });
});
