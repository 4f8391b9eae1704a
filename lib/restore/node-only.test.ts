import { describe, expect, it } from 'vitest';
import type { TimedRecord } from './journal';
import { heldLeaf, leafToHold, restoreEnded } from './node-only';

const folder = '/var/backup/virtualization/vm-persistent/pool/vm/20261101T013012Z';
const base = { iteration: '20261101T013012Z', kind: 'stoney-cloud' as const, folder };
const finished = (name: string) => ({ name, mode: 'finished', returnValue: 0 });

describe('leafToHold: which leaf holds the restore of an iteration without a leaf', () => {
  it("is the machine's one finished, successful leaf; the sentence says what that means for the wrapper", () => {
    const held = leafToHold({ ...base, leaves: [finished('20261103T013007Z')] });
    expect(held).toMatchObject({ ok: true, leaf: '20261103T013007Z' });
    expect(held.detail).toContain(folder);
    expect(held.detail).toContain('the stoney wrapper skips the machine');
    expect(held.detail).toContain('Nothing is added under ou=backup');
  });

  it('accepts a finished leaf without a return value, as the wrapper does (atoi of nothing is 0)', () => {
    expect(leafToHold({ ...base, leaves: [{ name: 'L', mode: 'finished', returnValue: null }] })).toMatchObject({ ok: true, leaf: 'L' });
  });

  it('refuses on FOSS-Cloud, where every iteration has its leaf', () => {
    const held = leafToHold({ ...base, kind: 'foss-cloud', leaves: [finished('L')] });
    expect(held.ok).toBe(false);
    expect(held.detail).toMatch(/only on a stoney cloud installation/);
  });

  it('refuses a machine without a leaf: nothing would keep the wrapper from backing it up or pruning the folder', () => {
    expect(leafToHold({ ...base, leaves: [] })).toMatchObject({ ok: false, detail: expect.stringContaining('pruning this folder') });
  });

  it('refuses several leaves (the wrapper skips such a machine; unblock first)', () => {
    expect(leafToHold({ ...base, leaves: [finished('A'), finished('B')] })).toMatchObject({ ok: false, detail: expect.stringContaining('2 leaves (A, B)') });
  });

  it('refuses a leaf that is not a finished, successful backup: running, failed, or holding a restore', () => {
    for (const leaf of [
      { name: 'L', mode: 'snapshotting', returnValue: 0 },
      { name: 'L', mode: 'merging', returnValue: 11 },
      { name: 'L', mode: 'finished', returnValue: 26 },
      { name: 'L', mode: 'unretainedSmallFiles', returnValue: 0 },
    ]) {
      const held = leafToHold({ ...base, leaves: [leaf] });
      expect(held.ok, leaf.mode).toBe(false);
      expect(held.detail).toContain(`leaf L is in mode ${leaf.mode}`);
    }
  });
});

describe('the journal of a restore held by another leaf', () => {
  const started = (leaf?: string): TimedRecord =>
    ({ step: 'started', by: 'admin', node: 'n', previousState: 's', previousReturnValue: 0, retainFolder: '/r', backupFolder: '/b', at: '2026-11-01T00:00:00.000Z', ...(leaf ? { leaf } : {}) }) as TimedRecord;

  it('names the leaf when the iteration has none of its own', () => {
    expect(heldLeaf([started('L')])).toBe('L');
    expect(heldLeaf([started()])).toBeNull();
    expect(heldLeaf([])).toBeNull();
  });

  it('has ended once its lease is gone or its last record is finished', () => {
    expect(restoreEnded(null, [])).toBe(true);
    expect(restoreEnded({ lease: null }, [started('L')])).toBe(true);
    expect(restoreEnded({ lease: 'c 2026-11-01T00:00:00.000Z' }, [started('L')])).toBe(false);
    expect(restoreEnded({ lease: 'c 2026-11-01T00:00:00.000Z' }, [started('L'), { step: 'finished', at: '2026-11-01T00:01:00.000Z' }])).toBe(true);
  });
});
