import { z } from 'zod';

/** One attribute of one entry, before and after a change. */
export type AuditChange = { attribute: string; before: string[]; after: string[] };

const changeSchema = z.object({ attribute: z.string(), before: z.array(z.string()), after: z.array(z.string()) });

/**
 * What the audit trail keeps per change. Stored as JSON so that it reads the same on
 * every console instance and survives any restart; `version` lets later consoles read
 * records written by this one.
 */
export const auditRecordSchema = z.object({
  version: z.literal(1),
  id: z.string(),
  at: z.string(),
  actor: z.object({ dn: z.string(), login: z.string(), name: z.string() }),
  /** The right the action was allowed by (view, configure, restore); absent for sign-in records and older records. */
  capability: z.enum(['view', 'configure', 'restore']).optional(),
  action: z.string(),
  targetDn: z.string(),
  machineUuid: z.string().optional(),
  poolUuid: z.string().optional(),
  changes: z.array(changeSchema),
  note: z.string().optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The record's name: its UTC time with milliseconds, then random hex against two
 * records in the same millisecond. Names sort in time order, so the newest-first
 * listing is a string sort.
 */
export function auditRecordId(at: Date, randomHex: string): string {
  const stamp =
    `${pad(at.getUTCFullYear(), 4)}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}` +
    `T${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}.${pad(at.getUTCMilliseconds(), 3)}Z`;
  return `${stamp}-${randomHex}`;
}

export const AUDIT_ID = /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8,32}$/;

/** Newest first, then the page after `cursor` (the id of the last record shown). */
export function pageOfRecords(
  records: AuditRecord[],
  limit: number,
  cursor?: string,
): { records: AuditRecord[]; nextCursor: string | null } {
  const sorted = [...records].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const after = cursor ? sorted.filter((r) => r.id < cursor) : sorted;
  const page = after.slice(0, limit);
  return { records: page, nextCursor: after.length > limit ? (page.at(-1)?.id ?? null) : null };
}
