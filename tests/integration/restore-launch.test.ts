import { expect, it, vi } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { domainOf, restoreWorldForFile, treeMachine } from './restore-world';

vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

// The one fault this file needs: starting the confirmed restore on the server fails once, as it
// does when the directory stops answering right after the confirmation was written. Everything
// else is the real runner, against the real slapd and sshd test node.
const launchFailure = vi.hoisted(() => ({ next: null as Error | null }));
vi.mock('@/lib/restore/runner', async (importActual) => {
  const actual = await importActual<typeof import('@/lib/restore/runner')>();
  return {
    ...actual,
    launchPhase2: async (...args: Parameters<typeof actual.launchPhase2>) => {
      const failure = launchFailure.next;
      launchFailure.next = null;
      if (failure) throw failure;
      return actual.launchPhase2(...args);
    },
  };
});

const world = restoreWorldForFile({ signedInAs: DEMO.logins.admin });

it('a confirmed restore whose start on the server fails says it is confirmed, not that nothing was changed, and is taken up by the sweep', async () => {
  const { startRestoreAction, resolveConflictsAction, confirmRestoreAction } =
    await import('@/app/(console)/machines/[uuid]/restore/[iteration]/actions');
  const { readRestoreStatus, iterationRef } = await import('@/lib/restore/service');
  const { resumeInterruptedRestores, settle } = await import('@/lib/restore/runner');
  const { AppError } = await import('@/lib/errors');
  const db = treeMachine(world, 'db-01');
  const iteration = db.iterations[0];
  if (!iteration) throw new Error('db-01 has no iteration with files');
  const ref = iterationRef(db.uuid, iteration.name);

  expect(await startRestoreAction({ uuid: db.uuid, iteration: iteration.name })).toEqual({ ok: true, data: null });
  expect(await resolveConflictsAction({ uuid: db.uuid, iteration: iteration.name, decisions: {} })).toEqual({ ok: true, data: null });
  launchFailure.next = new AppError('directory-unavailable', 'The directory does not answer.');
  const confirmed = await confirmRestoreAction({ uuid: db.uuid, iteration: iteration.name });

  expect(confirmed.ok).toBe(false);
  const error = confirmed.ok ? '' : confirmed.error;
  expect(error).toMatch(
    /^The restore is confirmed, but this console could not go on with it: The directory does not answer\. A console instance takes the restore up by itself within about \d+ seconds; reload the page to see where it stands\.$/,
  );
  expect(error).not.toMatch(/nothing was changed/i);
  // It is confirmed indeed: the journal says so, and the iteration is in phase 2.
  const status = await readRestoreStatus(ref);
  expect(status.journal.map((r) => r.step)).toContain('confirmed');
  expect(status.view.phase).toBe(2);

  // What the message promises: the sweep of a console instance takes the restore up and finishes it.
  expect(await resumeInterruptedRestores()).toEqual([`${db.uuid}/${iteration.name}`]);
  await settle();
  expect((await readRestoreStatus(ref)).view.stage).toBe('finished');
  expect(domainOf(world, db.uuid)?.state).toBe('running');
}, 180_000);
