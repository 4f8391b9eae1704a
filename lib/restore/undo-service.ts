import 'server-only';
import { requireMachineAccess } from '@/lib/auth/scope';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { checkUndo, listKept, readKeptView, type UndoCheck } from './kept';
import { compareRestoreIds, parseKeptRecordId, type KeptView } from './kept-records';
import type { IterationRef } from './steps';

/**
 * What the machine, iteration and undo pages read about kept disks and undos. Listing reads only
 * the directory; the undo page also checks the node (checkUndo), so it says before anything is
 * done whether the undo would lose something.
 */

/** A machine's kept records, newest restore first (the view right: the list shows what is kept where). */
export async function loadKeptDisks(machineUuid: string): Promise<KeptView[]> {
  await requireMachineAccess('view', machineUuid);
  return listKept(machineUuid);
}

/** The newest kept record of a restore of this iteration, or null when none kept anything. */
export async function keptForIteration(ref: IterationRef, capability: 'view' | 'restore' = 'view'): Promise<KeptView | null> {
  await requireMachineAccess(capability, ref.machineUuid);
  return (await listKept(ref.machineUuid)).find((k) => k.iteration === ref.iteration) ?? null;
}

export interface UndoPageData {
  view: KeptView;
  /** Only while nothing is under way: whether the undo would lose something (null once an undo started or ended). */
  check: UndoCheck | null;
  /** Whether a newer restore of the machine kept disks too (then only that one can be undone). */
  newerRestore: KeptView | null;
  shutdownTimeoutSeconds: number;
  keepHours: number;
}

export async function loadUndoPage(ref: IterationRef): Promise<UndoPageData> {
  await requireMachineAccess('restore', ref.machineUuid);
  const all = await listKept(ref.machineUuid);
  const view = all.find((k) => k.iteration === ref.iteration);
  if (!view)
    throw new AppError(
      'not-found',
      'No restore of this iteration kept anything to undo with: it was discarded, its retention ended, or the restore was not made by this console.',
    );
  const check = view.status === 'kept' ? await checkUndo(view.id) : null;
  const newerRestore = all.find((k) => compareRestoreIds(k.restoreId, view.restoreId) > 0) ?? null;
  return {
    view,
    check,
    newerRestore,
    shutdownTimeoutSeconds: Math.round(env().restore.shutdownTimeoutMs / 1000),
    keepHours: env().restore.keepHours,
  };
}

/** Polled by the undo page while an undo runs. */
export async function readUndoStatus(ref: IterationRef): Promise<KeptView> {
  await requireMachineAccess('restore', ref.machineUuid);
  const view = (await listKept(ref.machineUuid)).find((k) => k.iteration === ref.iteration);
  if (!view) throw new AppError('not-found', 'Nothing is kept for a restore of this iteration any more.');
  return view;
}

/** A kept record id as sent by a page: it must name this machine. */
export async function keptRecordOf(machineUuid: string, id: string): Promise<KeptView> {
  const parsed = parseKeptRecordId(id);
  if (!parsed || parsed.machineUuid !== machineUuid.toLowerCase())
    throw new AppError('not-found', 'There is no such kept record for this machine.');
  const view = await readKeptView(id);
  if (!view) throw new AppError('not-found', 'There is no such kept record; it may have been discarded already.');
  return view;
}
