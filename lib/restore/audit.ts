import 'server-only';
import type { Actor } from '@/lib/auth/access';
import { recordAudit, type AuditChange } from '@/lib/audit';
import { iterationDn } from '@/lib/ldap/layout';
import type { IterationRef } from './steps';

export type RestoreAuditAction =
  | 'restore.start'
  | 'restore.resolve'
  | 'restore.confirm'
  | 'restore.abort'
  | 'restore.retry'
  | 'restore.finish'
  | 'restore.undo'
  | 'restore.undo-retry'
  | 'restore.undo-cancel'
  | 'restore.discard';

/**
 * Every administrator decision in a restore goes to the audit trail next to the configuration
 * changes. The restore itself is already recorded in its journal; a failure to write the audit
 * record must not undo or block a restore step that has happened, so it is logged instead.
 */
export async function auditRestore(
  session: Actor,
  action: RestoreAuditAction,
  ref: IterationRef,
  note: string,
  changes: AuditChange[] = [],
): Promise<void> {
  try {
    await recordAudit({
      session,
      action,
      targetDn: iterationDn(ref.machineUuid, ref.iteration),
      machineUuid: ref.machineUuid,
      changes,
      note,
    });
  } catch (error) {
    console.error(`[audit] could not record ${action} of ${ref.machineUuid}/${ref.iteration}`, error);
  }
}
