import type { InstallationKind } from '@/lib/backup/installation';
import type { StoredJournal } from '@/lib/ldap/restore';
import { last, type TimedRecord } from './journal';

/**
 * An iteration that exists only on the node (stoney cloud): the wrapper keeps one leaf per
 * machine and replaces it every night, so every older iteration is only its folder below the
 * backup root (daemons.md, "Two kinds of installation" and fact 7). Such an iteration has no
 * mode of its own to lock and to show where its restore stands, so the machine's one leaf holds
 * the restore's modes meanwhile, exactly as it would for its own restore:
 *
 * - the compare-and-set from `finished` on that leaf is the lock on the machine, so a restore of
 *   the leaf's own iteration or of another folder cannot start beside it;
 * - the stoney wrapper skips a machine whose one leaf is not finished with return value 0, so it
 *   neither backs the machine up in the middle of the restore nor prunes the folder being
 *   restored;
 * - nothing is added under `ou=backup`; when the restore ends (finished, marked finished or
 *   aborted) the leaf gets its own mode, state and return value back, and the wrapper replaces
 *   it at its next run as always.
 *
 * The restore's journal and lease are in the console's subtree keyed by machine and iteration,
 * as for any restore; the journal's `started` record names the leaf, and the entry's `seeAlso`
 * points at it, so pages can tell whose restore a leaf in a restore mode holds. Pure: rules and
 * sentences only.
 */

export interface LeafFacts {
  name: string;
  mode: string;
  returnValue: number | null;
}

export type LeafToHold = { ok: true; leaf: string; detail: string } | { ok: false; detail: string };

export const NODE_ONLY_CHECK = "The machine's leaf can hold the restore";

/** Which leaf holds the restore of `iteration` (a folder on the node without a leaf), or why none can. */
export function leafToHold(input: { iteration: string; kind: InstallationKind; leaves: LeafFacts[]; folder: string }): LeafToHold {
  const { iteration, leaves, folder } = input;
  const none = `Iteration ${iteration} has no leaf in the directory`;
  if (input.kind !== 'stoney-cloud') {
    return {
      ok: false,
      detail: `${none}. The console restores an iteration from its folder alone only on a stoney cloud installation, where the wrapper keeps one leaf per machine; this installation follows FOSS-Cloud's rules (the Configuration page says why).`,
    };
  }
  if (leaves.length === 0) {
    return {
      ok: false,
      detail: `${none}, and the machine has none either: nothing in the directory would keep the stoney wrapper from backing the machine up, and pruning this folder, while it is restored. Restore it after the wrapper's next run has given the machine its leaf.`,
    };
  }
  if (leaves.length > 1) {
    return {
      ok: false,
      detail: `${none}, and the machine has ${leaves.length} leaves (${leaves.map((l) => l.name).join(', ')}); the stoney wrapper skips such a machine. Unblock it on the machine page first, so that its one leaf can hold the restore.`,
    };
  }
  const leaf = leaves[0];
  if (leaf.mode !== 'finished' || (leaf.returnValue ?? 0) !== 0) {
    const code = leaf.returnValue ? ` with return value ${leaf.returnValue}` : '';
    return {
      ok: false,
      detail: `${none}, and the machine's one leaf ${leaf.name} is in mode ${leaf.mode}${code}: only a finished, successful leaf can hold the restore and be put back as it was afterwards. Let its backup or restore end, or unblock the machine, first.`,
    };
  }
  return {
    ok: true,
    leaf: leaf.name,
    detail: `${none}: it is the folder ${folder} on the node. While it is restored, the machine's one leaf ${leaf.name} holds the restore's modes, so the stoney wrapper skips the machine (no backup, no pruning of this folder) until the restore ends; then ${leaf.name} gets its own mode, state and return value back and the wrapper replaces it at its next run as always. Nothing is added under ou=backup.`,
  };
}

/** The node daemon takes an iteration's files from its leaf's name: it would restore the leaf's iteration, not the folder. */
export function daemonCannotRestore(node: string, summary: string): string {
  return `${summary} The node daemon finds an iteration's files by its leaf's name, so it would restore the leaf's iteration, not this folder: the console executes a restore of an iteration without a leaf itself, and only where no node daemon acts on the leaf. Set NODE_DAEMON=${node}=absent if the daemon does not really run there.`;
}

/** The leaf a node-only restore named when it started, or null for a restore of the iteration's own leaf. */
export function heldLeaf(records: TimedRecord[]): string | null {
  return last(records, 'started')?.leaf ?? null;
}

/** A restore whose journal has no lease any more (closed) has ended; an aborted one has no journal at all. */
export function restoreEnded(stored: Pick<StoredJournal, 'lease'> | null, records: TimedRecord[]): boolean {
  return stored === null || stored.lease === null || records.at(-1)?.step === 'finished';
}

/** What a leaf in a restore mode says when it holds another iteration's restore, for every place that would act on it as its own. */
export function heldForAnother(leaf: string, iteration: string): string {
  return `Leaf ${leaf} holds the open restore of iteration ${iteration}, which exists only on the node: open that restore (Restore from ${iteration}) to follow, finish or abort it. The leaf goes back to finished when it ends.`;
}
