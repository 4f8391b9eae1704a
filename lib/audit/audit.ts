import 'server-only';
import { randomBytes } from 'node:crypto';
import type { Actor } from '@/lib/auth/access';
import { addAuditEntry, searchAuditEntries } from '@/lib/ldap/audit';
import { cloudBackupDn, machineDn, poolDn } from '@/lib/ldap/layout';
import { auditRecordId, auditRecordSchema, pageOfRecords, type AuditChange, type AuditRecord } from './record';

export type RecordAuditInput = {
  /** Who, and with which capability (the action wrapper sets it). */
  session: Actor;
  /** What was done, e.g. 'backup-config.save', 'backup.exclude'. */
  action: string;
  /** The entry that was written. */
  targetDn: string;
  machineUuid?: string;
  poolUuid?: string;
  changes: AuditChange[];
  note?: string;
};

/**
 * Records one change (who, when, which entry, old and new values) in the directory.
 * The record names the machine or pool it concerns (seeAlso), so a machine's history is
 * one equality search; without either it names the written entry itself.
 */
export async function recordAudit(input: RecordAuditInput): Promise<AuditRecord> {
  const at = new Date();
  const record: AuditRecord = {
    version: 1,
    id: auditRecordId(at, randomBytes(4).toString('hex')),
    at: at.toISOString(),
    actor: { dn: input.session.dn, login: input.session.login, name: input.session.name },
    ...(input.session.capability ? { capability: input.session.capability } : {}),
    action: input.action,
    targetDn: input.targetDn,
    ...(input.machineUuid ? { machineUuid: input.machineUuid.toLowerCase() } : {}),
    ...(input.poolUuid ? { poolUuid: input.poolUuid.toLowerCase() } : {}),
    changes: input.changes,
    ...(input.note ? { note: input.note } : {}),
  };
  const seeAlso = [...(record.machineUuid ? [machineDn(record.machineUuid)] : []), ...(record.poolUuid ? [poolDn(record.poolUuid)] : [])];
  await addAuditEntry(record.id, JSON.stringify(record), seeAlso.length > 0 ? seeAlso : [input.targetDn]);
  return record;
}

/**
 * At most one of machineUuid, poolUuid and cloud; none lists every record. `visible` leaves out
 * records the reader may not see, before paging, so every page is full.
 */
export type ListAuditInput = {
  machineUuid?: string;
  poolUuid?: string;
  cloud?: boolean;
  limit?: number;
  cursor?: string;
  visible?: (record: AuditRecord) => boolean;
};

/** Newest first; `nextCursor` fetches the following page. Records that do not parse are skipped. */
export async function listAudit(input: ListAuditInput = {}): Promise<{ records: AuditRecord[]; nextCursor: string | null }> {
  const about = input.machineUuid
    ? machineDn(input.machineUuid.toLowerCase())
    : input.poolUuid
      ? poolDn(input.poolUuid.toLowerCase())
      : input.cloud
        ? cloudBackupDn()
        : undefined;
  const entries = await searchAuditEntries(about);
  const records: AuditRecord[] = [];
  for (const entry of entries) {
    try {
      const parsed = auditRecordSchema.safeParse(JSON.parse(entry.json));
      if (parsed.success) {
        if (!input.visible || input.visible(parsed.data)) records.push(parsed.data);
      } else console.warn(`[audit] skipping malformed record ${entry.id}`);
    } catch {
      console.warn(`[audit] skipping record ${entry.id}: description is not JSON`);
    }
  }
  return pageOfRecords(records, Math.max(1, Math.min(input.limit ?? 50, 500)), input.cursor);
}
