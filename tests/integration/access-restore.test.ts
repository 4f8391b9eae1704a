import { describe, expect, it, vi } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { demoMachine } from '../support/demo';
import { signInAs } from '../support/sign-in';
import { restoreWorldForFile } from './restore-world';

vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));

/** A directory and node of its own: the restore really starts and is aborted. */
restoreWorldForFile();

const actions = () => import('@/app/(console)/machines/[uuid]/restore/[iteration]/actions');
const undoActions = () => import('@/app/(console)/machines/[uuid]/restore/[iteration]/undo/actions');

async function finishedIteration(name: string): Promise<{ uuid: string; iteration: string }> {
  const { readMachineView } = await import('@/lib/inventory/machine');
  const uuid = demoMachine(name).uuid;
  const iteration = (await readMachineView(uuid)).iterations
    .filter((i) => i.mode === 'finished')
    .map((i) => i.name)
    .sort()
    .at(-1) as string;
  return { uuid, iteration };
}

describe('the restore right', () => {
  it('lets a restorer start and abort a restore, and the audit trail says it was done with the restore right', async () => {
    const { startRestoreAction, abortRestoreAction } = await actions();
    const { listAudit } = await import('@/lib/audit');
    const target = await finishedIteration('web-01');
    await signInAs(DEMO.logins.restorer);
    expect(await startRestoreAction(target)).toEqual({ ok: true, data: null });
    expect(await abortRestoreAction(target)).toEqual({ ok: true, data: null });
    const { records } = await listAudit({ machineUuid: target.uuid, limit: 2 });
    expect(records.map((r) => [r.action, r.actor.login, r.capability])).toEqual([
      ['restore.abort', 'restorer', 'restore'],
      ['restore.start', 'restorer', 'restore'],
    ]);
  });

  it('lets a person limited to the production pool restore there and nowhere else; the pages say the same', async () => {
    const { startRestoreAction, abortRestoreAction } = await actions();
    const { loadPreflight, iterationRef } = await import('@/lib/restore/service');
    await signInAs(DEMO.logins.production);
    const own = await finishedIteration('db-01');
    const other = await finishedIteration('tpl-windows-2022');
    expect((await loadPreflight(iterationRef(own.uuid, own.iteration))).checks.length).toBeGreaterThan(0);
    await expect(loadPreflight(iterationRef(other.uuid, other.iteration))).rejects.toMatchObject({ code: 'forbidden' });
    expect(await startRestoreAction(other)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Your account may not restore tpl-windows-2022:/),
    });
    expect(await startRestoreAction(own)).toEqual({ ok: true, data: null });
    expect(await abortRestoreAction(own)).toEqual({ ok: true, data: null });
  });

  it('guards undo, retry, call off and discard of a kept restore the same way: the right, the pool, and a record id that is one', async () => {
    const undo = await undoActions();
    const { keptRecordId } = await import('@/lib/restore/kept-records');
    const own = await finishedIteration('db-01');
    const other = await finishedIteration('tpl-windows-2022');
    const recordOf = (t: { uuid: string; iteration: string }) => ({
      uuid: t.uuid,
      record: keptRecordId(t.uuid, t.iteration, '20261129T100000.250Z'),
    });
    const each = [undo.undoRestoreAction, undo.retryUndoAction, undo.cancelUndoAction, undo.discardKeptAction];

    for (const login of [DEMO.logins.viewer, DEMO.logins.configurer]) {
      await signInAs(login);
      for (const action of each)
        expect(await action(recordOf(own))).toEqual({ ok: false, error: expect.stringContaining('no "restore" right') });
    }

    await signInAs(DEMO.logins.production);
    for (const action of each) {
      expect(await action(recordOf(other))).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^Your account may not restore tpl-windows-2022:/),
      });
      // In its own pool the right holds; there is simply no such kept restore, and it says so.
      expect(await action(recordOf(own))).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^There is no such kept record/),
      });
      expect(await action({ uuid: own.uuid, record: `${own.uuid}_${own.iteration}_../../etc` })).toMatchObject({
        ok: false,
        fieldErrors: { record: 'not a kept record' },
      });
    }
  });
});
