'use server';

import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import { uuidSchema } from '@/lib/backup/action-schemas';
import { formatBytes } from '@/lib/diff/units';
import { auditRestore, type RestoreAuditAction } from '@/lib/restore/audit';
import { callOffUndo, discardKeptDisks, launchUndo, launchUndoRetry } from '@/lib/restore/runner';
import { iterationRef } from '@/lib/restore/service';
import { parseKeptRecordId, type KeptView } from '@/lib/restore/kept-records';
import { keptRecordOf } from '@/lib/restore/undo-service';

const keptSchema = z.object({
  uuid: uuidSchema,
  record: z
    .string()
    .trim()
    .refine((record) => parseKeptRecordId(record) !== null, 'not a kept record'),
});

const machineOf = ({ uuid }: { uuid: string }) => ({ machine: uuid });

/**
 * An action on one kept record with the restore right: the record is looked up under the machine
 * the person may restore, the step runs, and the audit trail says what it did in words.
 */
function keptRecordAction<T>(
  auditAction: RestoreAuditAction,
  step: (view: KeptView, by: string) => Promise<T>,
  note: (view: KeptView, result: T) => string,
) {
  return consoleAction({ capability: 'restore', schema: keptSchema, scope: machineOf }, async ({ uuid, record }, actor) => {
    const view = await keptRecordOf(uuid, record);
    const result = await step(view, actor.login);
    await auditRestore(actor, auditAction, iterationRef(uuid, view.iteration), note(view, result));
    return result;
  });
}

export const undoRestoreAction = keptRecordAction(
  'restore.undo',
  async (view, by) => {
    await launchUndo(view.id, by);
    return null;
  },
  (view) =>
    `Undo of the restore of ${view.restoreId} started: the machine goes back to its disks, definition and directory entries from before that restore.`,
);

export const retryUndoAction = keptRecordAction(
  'restore.undo-retry',
  async (view, by) => {
    await launchUndoRetry(view.id, by);
    return null;
  },
  (view) => `Undo retried after: ${view.undo.failure?.reason ?? 'a failure'}.`,
);

export const cancelUndoAction = keptRecordAction(
  'restore.undo-cancel',
  async (view, by) => {
    await callOffUndo(view.id, by);
    return null;
  },
  () => 'Undo called off before it changed the machine; the restore stays, its kept disks too.',
);

export const discardKeptAction = keptRecordAction(
  'restore.discard',
  async (view) => {
    const { bytes, files } = await discardKeptDisks(view.id);
    return { bytes, files };
  },
  (view, { bytes, files }) =>
    `Kept disks of the restore of ${view.restoreId} discarded (${formatBytes(bytes)}${files.length > 0 ? `: ${files.join(', ')}` : ''}); that restore can no longer be undone.`,
);
