'use server';

import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import { AppError, quoteShort } from '@/lib/errors';
import { auditRestore } from '@/lib/restore/audit';
import { afterCommitted } from '@/lib/restore/committed';
import { abortRestore, confirmRestore, resolveConflicts, retrySmallFiles, startRestore } from '@/lib/restore/phase1';
import { consoleInstance, launchDriver, launchPhase2, launchRetry, markFinishedByHand } from '@/lib/restore/runner';
import { iterationRef, readRestoreStatus } from '@/lib/restore/service';

const targetSchema = z.object({
  uuid: z.string().trim().min(1).max(64),
  iteration: z
    .string()
    .trim()
    .regex(/^\d{8}T\d{6}Z$/, 'not an iteration name'),
});

const decisionSchema = z.object({
  choice: z.enum(['live', 'backup', 'value']),
  value: z.string().max(4096).optional(),
});

const retrySchema = targetSchema.extend({
  withoutState: z.boolean().optional(),
});

const resolveSchema = targetSchema.extend({
  decisions: z
    .record(z.string().max(512), decisionSchema)
    .refine((d) => Object.keys(d).length <= 1000, 'At most 1000 decisions at a time.'),
});

const machineOf = ({ uuid }: { uuid: string }) => ({ machine: uuid });

export const startRestoreAction = consoleAction(
  { capability: 'restore', schema: targetSchema, scope: machineOf },
  async ({ uuid, iteration }, actor) => {
    const ref = iterationRef(uuid, iteration);
    const executor = await startRestore(ref, actor.login, consoleInstance());
    await afterCommitted(`The restore of iteration ${iteration} has started`, async () => {
      if (executor === 'daemon') {
        await auditRestore(
          actor,
          'restore.start',
          ref,
          `Restore of iteration ${iteration} started: the node daemon was asked to unretain the small files.`,
        );
        // The server waits for the node daemon's answer; the page follows the iteration's mode.
        await launchDriver(ref);
      } else {
        await auditRestore(actor, 'restore.start', ref, `Restore of iteration ${iteration} started: small files unretained.`);
      }
    });
    return null;
  },
);

export const resolveConflictsAction = consoleAction(
  { capability: 'restore', schema: resolveSchema, scope: machineOf },
  async ({ uuid, iteration, decisions }, actor) => {
    const ref = iterationRef(uuid, iteration);
    const result = await resolveConflicts(ref, decisions, actor.login);
    // A decision that cannot be taken is the administrator's to fix, next to the difference it belongs to.
    if (!result.ok)
      throw new AppError(
        'invalid-input',
        'Some decisions cannot be taken; see the marked differences. Nothing was written.',
        undefined,
        result.errors,
      );
    // The note repeats what was sent, so each part is cut short and a long list is summed up.
    const choices = Object.entries(decisions).map(
      ([id, d]) => `${id.length > 80 ? quoteShort(id) : id}: ${d.choice === 'value' ? `value ${quoteShort(d.value ?? '')}` : d.choice}`,
    );
    const listed = choices.length > 50 ? [...choices.slice(0, 50), `and ${choices.length - 50} more`] : choices;
    await auditRestore(actor, 'restore.resolve', ref, `Conflicts resolved (${choices.length}): ${listed.join('; ') || 'none'}.`);
    return null;
  },
);

export const confirmRestoreAction = consoleAction(
  { capability: 'restore', schema: targetSchema, scope: machineOf },
  async ({ uuid, iteration }, actor) => {
    const ref = iterationRef(uuid, iteration);
    await confirmRestore(ref, actor.login);
    await afterCommitted('The restore is confirmed', async () => {
      await auditRestore(actor, 'restore.confirm', ref, 'Plan confirmed; the restore continues unattended on the server.');
      // The restore now runs on the server; the browser only watches.
      await launchPhase2(ref);
    });
    return null;
  },
);

export const abortRestoreAction = consoleAction(
  { capability: 'restore', schema: targetSchema, scope: machineOf },
  async ({ uuid, iteration }, actor) => {
    const ref = iterationRef(uuid, iteration);
    await abortRestore(ref, actor.login);
    await auditRestore(
      actor,
      'restore.abort',
      ref,
      'Restore aborted: retain folder removed, iteration back to finished, nothing live changed.',
    );
    return null;
  },
);

export const retryRestoreAction = consoleAction(
  { capability: 'restore', schema: retrySchema, scope: machineOf },
  async ({ uuid, iteration, withoutState }, actor) => {
    const ref = iterationRef(uuid, iteration);
    const status = await readRestoreStatus(ref);
    if (!status.view.canRetry) throw new AppError('conflict', 'This restore has not failed; there is nothing to retry.');
    if (withoutState && !status.view.canRetryWithoutState) {
      throw new AppError(
        'conflict',
        status.view.executor === 'daemon'
          ? 'The node daemon executes this restore and decides by itself whether it restores the saved state; retry it as it is.'
          : 'A retry without the saved state is only offered when libvirt refused the saved state.',
      );
    }
    // Console-driven, the small files are copied again in this request; everything else is retried on the server.
    if (status.view.executor === 'console' && status.view.phase === 1) await retrySmallFiles(ref, actor.login);
    else if (!(await launchRetry(ref, actor.login, { withoutState })))
      throw new AppError('conflict', 'Another console instance is driving this restore right now.');
    await auditRestore(
      actor,
      'restore.retry',
      ref,
      `Retried${withoutState ? ' without the saved state (define and start)' : ''} after: ${status.view.failure?.reason ?? 'a failure'}.`,
    );
    return null;
  },
);

export const finishRestoreAction = consoleAction(
  { capability: 'restore', schema: targetSchema, scope: machineOf },
  async ({ uuid, iteration }, actor) => {
    const ref = iterationRef(uuid, iteration);
    const status = await readRestoreStatus(ref);
    const { remains } = await markFinishedByHand(ref, actor.login);
    await auditRestore(
      actor,
      'restore.finish',
      ref,
      `Marked as finished by hand after: ${status.view.failure?.reason ?? 'a failure'}. Left as it was: ${remains.join(' ')}`,
    );
    return null;
  },
);
