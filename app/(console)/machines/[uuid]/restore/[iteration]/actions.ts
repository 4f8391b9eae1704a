'use server';

import { z } from 'zod';
import { adminAction } from '@/lib/actions';
import { AppError } from '@/lib/errors';
import { auditRestore } from '@/lib/restore/audit';
import { abortRestore, confirmRestore, resolveConflicts, retrySmallFiles, startRestore } from '@/lib/restore/phase1';
import { consoleInstance, launchDriver, launchPhase2, launchRetry } from '@/lib/restore/runner';
import { iterationRef, readRestoreStatus } from '@/lib/restore/service';

const targetSchema = z.object({
  uuid: z.string().trim().min(1).max(64),
  iteration: z.string().trim().regex(/^\d{8}T\d{6}Z$/, 'not an iteration name'),
});

const decisionSchema = z.object({
  choice: z.enum(['live', 'backup', 'value']),
  value: z.string().max(4096).optional(),
});

const resolveSchema = targetSchema.extend({
  decisions: z.record(z.string().max(512), decisionSchema),
});

export const startRestoreAction = adminAction(targetSchema, async ({ uuid, iteration }, session) => {
  const ref = iterationRef(uuid, iteration);
  const executor = await startRestore(ref, session.login, consoleInstance());
  if (executor === 'daemon') {
    await auditRestore(session, 'restore.start', ref, `Restore of iteration ${iteration} started: the node daemon was asked to unretain the small files.`);
    // The server waits for the node daemon's answer; the page follows the iteration's mode.
    await launchDriver(ref);
  } else {
    await auditRestore(session, 'restore.start', ref, `Restore of iteration ${iteration} started: small files unretained.`);
  }
  return null;
});

export const resolveConflictsAction = adminAction(resolveSchema, async ({ uuid, iteration, decisions }, session) => {
  const ref = iterationRef(uuid, iteration);
  const result = await resolveConflicts(ref, decisions, session.login);
  // A decision that cannot be taken is the administrator's to fix, next to the difference it belongs to.
  if (!result.ok) throw new AppError('invalid-input', 'Some decisions cannot be taken; see the marked differences. Nothing was written.', undefined, result.errors);
  const choices = Object.entries(decisions).map(([id, d]) => `${id}: ${d.choice === 'value' ? `value ${JSON.stringify(d.value ?? '')}` : d.choice}`);
  await auditRestore(session, 'restore.resolve', ref, `Conflicts resolved (${choices.length}): ${choices.join('; ') || 'none'}.`);
  return null;
});

export const confirmRestoreAction = adminAction(targetSchema, async ({ uuid, iteration }, session) => {
  const ref = iterationRef(uuid, iteration);
  await confirmRestore(ref, session.login);
  await auditRestore(session, 'restore.confirm', ref, 'Plan confirmed; the restore continues unattended on the server.');
  // The restore now runs on the server; the browser only watches.
  await launchPhase2(ref);
  return null;
});

export const abortRestoreAction = adminAction(targetSchema, async ({ uuid, iteration }, session) => {
  const ref = iterationRef(uuid, iteration);
  await abortRestore(ref, session.login);
  await auditRestore(session, 'restore.abort', ref, 'Restore aborted: retain folder removed, iteration back to finished, nothing live changed.');
  return null;
});

export const retryRestoreAction = adminAction(targetSchema, async ({ uuid, iteration }, session) => {
  const ref = iterationRef(uuid, iteration);
  const status = await readRestoreStatus(ref);
  if (!status.view.canRetry) throw new AppError('conflict', 'This restore has not failed; there is nothing to retry.');
  // Console-driven, the small files are copied again in this request; everything else is retried on the server.
  if (status.view.executor === 'console' && status.view.phase === 1) await retrySmallFiles(ref, session.login);
  else if (!(await launchRetry(ref, session.login))) throw new AppError('conflict', 'Another console instance is driving this restore right now.');
  await auditRestore(session, 'restore.retry', ref, `Retried after: ${status.view.failure?.reason ?? 'a failure'}.`);
  return null;
});
