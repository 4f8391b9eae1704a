export { listAudit, recordAudit } from './audit';
export type { ListAuditInput, RecordAuditInput } from './audit';
export { auditRecordSchema } from './record';
export type { AuditChange, AuditRecord } from './record';
