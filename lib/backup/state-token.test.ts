import { describe, expect, it } from 'vitest';
import type { BackupEntryState } from './override';
import { decodeStateToken, describeStateDifferences, encodeStateToken, sameState } from './state-token';

const read: BackupEntryState = {
  exists: true,
  hasConfigClass: true,
  copyFingerprint: null,
  values: { iterations: 3, rootDirectory: 'file:///b', cron: { minute: '0', hour: '3', active: true } },
};

describe('state tokens', () => {
  it('round-trip and do not depend on key order', () => {
    const token = encodeStateToken(read);
    expect(decodeStateToken(token)).toEqual(read);
    const reordered: BackupEntryState = {
      ...read,
      values: { cron: { active: true, hour: '3', minute: '0' }, rootDirectory: 'file:///b', iterations: 3 },
    };
    expect(encodeStateToken(reordered)).toBe(token);
    expect(sameState(read, reordered)).toBe(true);
  });

  it('reject garbage', () => {
    expect(decodeStateToken('not base64 json')).toBeNull();
    expect(decodeStateToken(Buffer.from('{"exists":"yes"}').toString('base64url'))).toBeNull();
  });

  it('say what someone else changed, per field', () => {
    const now: BackupEntryState = {
      ...read,
      values: { ...read.values, iterations: 5, cron: { ...read.values.cron, hour: '4' }, excludeFromBackup: true },
    };
    const diff = describeStateDifferences(read, now);
    expect(diff.lines).toEqual(['Iterations kept: "3" → "5"', 'Excluded from backup: (not set) → TRUE', 'Schedule hour: "3" → "4"']);
    expect(diff.fields.iterations).toMatch(/now "5" \(you read "3"\)/);
    expect(diff.fields.cronHour).toMatch(/now "4"/);
    expect(describeStateDifferences(read, { ...read, hasConfigClass: false, values: {} }).lines[0]).toBe(
      'Someone removed its own configuration.',
    );
  });
});
