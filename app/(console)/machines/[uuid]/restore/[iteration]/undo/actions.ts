'use server';

import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import { uuidSchema } from '@/lib/backup/action-schemas';
import { formatBytes } from '@/lib/diff/units';
import { auditRestore } from '@/lib/restore/audit';
import { callOffUndo, discardKeptDisks, launchUndo, launchUndoRetry } from '@/lib/restore/runner';
import { iterationRef } from '@/lib/restore/service';
import { parseKeptRecordId } from '@/lib/restore/kept-records';
import { keptRecordOf } from '@/lib/restore/undo-service';

const keptSchema = z.object({
  uuid: uuidSchema,
  record: z
    .string()
    .trim()
    .refine((record) => parseKeptRecordId(record) !== null, 'not a kept record'),
});

const machineOf = ({ uuid }: { uuid: string }) => ({ machine: uuid });

export const undoRestoreAction = consoleAction(
  { capability: 'restore', schema: keptSchema, scope: machineOf },
  async ({ uuid, record }, actor) => {
    const view = await keptRecordOf(uuid, record);
    await launchUndo(view.id, actor.login);
    await auditRestore(
      actor,
      'restore.undo',
      iterationRef(uuid, view.iteration),
      `Undo of the restore of ${view.restoreId} started: the machine goes back to its disks, definition and directory entries from before that restore.`,
    );
    return null;
  },
);

export const retryUndoAction = consoleAction(
  { capability: 'restore', schema: keptSchema, scope: machineOf },
  async ({ uuid, record }, actor) => {
    const view = await keptRecordOf(uuid, record);
    await launchUndoRetry(view.id, actor.login);
    await auditRestore(
      actor,
      'restore.undo-retry',
      iterationRef(uuid, view.iteration),
      `Undo retried after: ${view.undo.failure?.reason ?? 'a failure'}.`,
    );
    return null;
  },
);

export const cancelUndoAction = consoleAction(
  { capability: 'restore', schema: keptSchema, scope: machineOf },
  async ({ uuid, record }, actor) => {
    const view = await keptRecordOf(uuid, record);
    await callOffUndo(view.id, actor.login);
    await auditRestore(
      actor,
      'restore.undo-cancel',
      iterationRef(uuid, view.iteration),
      'Undo called off before it changed the machine; the restore stays, its kept disks too.',
    );
    return null;
  },
);

export const discardKeptAction = consoleAction(
  { capability: 'restore', schema: keptSchema, scope: machineOf },
  async ({ uuid, record }, actor) => {
    const view = await keptRecordOf(uuid, record);
    const result = await discardKeptDisks(view.id);
    await auditRestore(
      actor,
      'restore.discard',
      iterationRef(uuid, view.iteration),
      `Kept disks of the restore of ${view.restoreId} discarded (${formatBytes(result.bytes)}${result.files.length > 0 ? `: ${result.files.join(', ')}` : ''}); that restore can no longer be undone.`,
    );
    return { bytes: result.bytes, files: result.files };
  },
);
