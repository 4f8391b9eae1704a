import { describe, expect, it } from 'vitest';
import { AUDIT_ID, auditRecordId, pageOfRecords, type AuditRecord } from './record';

const record = (id: string): AuditRecord => ({
  version: 1,
  id,
  at: '2026-01-01T00:00:00.000Z',
  actor: { dn: 'uid=1', login: 'admin', name: 'Ada' },
  action: 'test',
  targetDn: 'ou=backup',
  changes: [],
});

describe('audit records', () => {
  it('are named by UTC time with milliseconds, so names sort in time order', () => {
    const id = auditRecordId(new Date('2026-03-29T01:02:03.045Z'), '0a1b2c3d');
    expect(id).toBe('20260329T010203.045Z-0a1b2c3d');
    expect(id).toMatch(AUDIT_ID);
    expect(auditRecordId(new Date('2026-03-29T01:02:03.046Z'), '00000000') > id).toBe(true);
  });

  it('page newest first with a cursor', () => {
    const all = ['20260101T000000.001Z-aa', '20260101T000000.003Z-aa', '20260101T000000.002Z-aa'].map(record);
    const first = pageOfRecords(all, 2);
    expect(first.records.map((r) => r.id)).toEqual(['20260101T000000.003Z-aa', '20260101T000000.002Z-aa']);
    expect(first.nextCursor).toBe('20260101T000000.002Z-aa');
    const second = pageOfRecords(all, 2, first.nextCursor ?? undefined);
    expect(second).toEqual({ records: [all[0]], nextCursor: null });
  });
});
