'use server';

import { z } from 'zod';
import { adminAction } from '@/lib/actions';
import { AppError } from '@/lib/errors';
import { abortRestore, confirmRestore, resolveConflicts, retrySmallFiles, startRestore } from '@/lib/restore/phase1';
import { consoleInstance, launchPhase2, launchRetry } from '@/lib/restore/runner';
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
  await startRestore(iterationRef(uuid, iteration), session.login, consoleInstance());
  return null;
});

export const resolveConflictsAction = adminAction(resolveSchema, async ({ uuid, iteration, decisions }, session) => {
  return resolveConflicts(iterationRef(uuid, iteration), decisions, session.login);
});

export const confirmRestoreAction = adminAction(targetSchema, async ({ uuid, iteration }, session) => {
  const ref = iterationRef(uuid, iteration);
  await confirmRestore(ref, session.login);
  // The restore now runs on the server; the browser only watches.
  await launchPhase2(ref);
  return null;
});

export const abortRestoreAction = adminAction(targetSchema, async ({ uuid, iteration }, session) => {
  await abortRestore(iterationRef(uuid, iteration), session.login);
  return null;
});

export const retryRestoreAction = adminAction(targetSchema, async ({ uuid, iteration }, session) => {
  const ref = iterationRef(uuid, iteration);
  const status = await readRestoreStatus(ref);
  if (!status.view.canRetry) throw new AppError('conflict', 'This restore has not failed; there is nothing to retry.');
  if (status.view.phase === 1) await retrySmallFiles(ref, session.login);
  else if (!(await launchRetry(ref, session.login))) throw new AppError('conflict', 'Another console instance is driving this restore right now.');
  return null;
});
