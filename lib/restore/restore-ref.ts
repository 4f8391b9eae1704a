import 'server-only';
import { AppError } from '@/lib/errors';
import { findOpenRestoresOf, readIterationStatus, readJournal, type IterationStatus, type StoredJournal } from '@/lib/ldap/restore';
import { decodeJournal } from './journal';
import { heldForAnother, heldLeaf, restoreEnded } from './node-only';
import type { IterationRef } from './steps';

/**
 * The ref every restore step works with (see node-only.ts): for a restore of an iteration that
 * exists only on the node, with the leaf its journal names. A leaf that holds another
 * iteration's open restore is refused as a restore of its own: acting on it so (an abort, say)
 * would end the other restore's hold on the machine.
 */
export async function restoreRef(ref: IterationRef): Promise<IterationRef> {
  if (ref.leaf) return ref;
  const stored = await readJournal(ref.machineUuid, ref.iteration);
  const leaf = stored ? heldLeaf(decodeJournal(stored.records)) : null;
  if (leaf) return { ...ref, leaf };
  await refuseHeldLeaf(ref);
  return ref;
}

/** Throws when the iteration's leaf holds the open restore of another iteration (one that exists only on the node). */
export async function refuseHeldLeaf(ref: IterationRef): Promise<void> {
  const holding = (await findOpenRestoresOf(ref.machineUuid)).find((r) => r.leaf === ref.iteration && r.iteration !== ref.iteration);
  if (holding) throw new AppError('conflict', heldForAnother(ref.iteration, holding.iteration));
}

/** An iteration without a leaf whose restore is not open: a completed backup folder, as far as the directory can tell. */
export const AT_REST: IterationStatus = { mode: 'finished', state: '', returnValue: 0, executionDate: null, modifiedAt: null };

/**
 * The mode, state and return value a restore of `ref` stands at: its own leaf's, or while a
 * restore of an iteration without a leaf is open, the holding leaf's; once that restore has
 * ended, `finished` (the leaf may be gone by then: the wrapper replaces it every night). Null
 * when there is neither a leaf nor a node-only journal (the caller decides whether the folder is
 * on the node).
 */
export async function restoreStatus(ref: IterationRef, stored: StoredJournal | null): Promise<IterationStatus | null> {
  const records = stored ? decodeJournal(stored.records) : [];
  const leaf = heldLeaf(records);
  if (!leaf) return readIterationStatus(ref.machineUuid, ref.iteration);
  if (restoreEnded(stored, records)) return AT_REST;
  const status = await readIterationStatus(ref.machineUuid, leaf);
  if (!status) throw new AppError('not-found', `Leaf ${leaf}, which holds this restore of an iteration that exists only on the node, is no longer in the directory; someone removed it while the restore was open.`);
  return status;
}
