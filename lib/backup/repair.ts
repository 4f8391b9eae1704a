import { describeMode } from './modes';
import { wrapperSkipReason, type LeafFacts } from './verdict';

/**
 * Unblocking a machine the stoney wrapper skips every night (daemons.md, fact 7): afterwards
 * its ou=backup holds exactly one finished, successful leaf with nothing below it, or there is
 * no ou=backup at all (the wrapper then creates one with a leaf). Only directory entries
 * change; every file on the node stays where it is, and what is removed from the directory is
 * kept in the audit record.
 */

export type RepairLeaf = LeafFacts & { dn: string };

export type RepairInput = {
  /** The machine's ou=backup. */
  backup: { dn: string; excluded: boolean; hasConfiguration: boolean };
  leaves: RepairLeaf[];
  /** Entries below the leaves (a restore journal, anything else), deepest first or in any order. */
  below: { dn: string; leafDn: string }[];
  now: Date;
};

export type RepairPlan =
  | { kind: 'none'; message: string }
  | { kind: 'refuse'; message: string }
  | {
      kind: 'repair';
      /** DNs to delete, children before their parents. */
      deletions: string[];
      /** A leaf that becomes `finished` with return value 0 so the wrapper accepts it. */
      markFinished: { dn: string; name: string; previousMode: string; previousReturnValue: number | null } | null;
      message: string;
    };

const depth = (dn: string) => dn.split(/(?<!\\),/).length;

export function planUnblock(input: RepairInput): RepairPlan {
  const skip = wrapperSkipReason({ excluded: input.backup.excluded, leaves: input.leaves, now: input.now });
  if (!skip || !skip.blocked) return { kind: 'none', message: 'The stoney wrapper does not skip this machine; nothing needs repairing.' };
  const restoring = input.leaves.find((l) => describeMode(l.mode).workflow === 'restore' && l.mode !== 'finished');
  if (restoring) {
    return {
      kind: 'refuse',
      message: `Iteration ${restoring.name} is being restored (${restoring.mode}); finish or abort the restore first.`,
    };
  }
  const belowAll = [...input.below].sort((a, b) => depth(b.dn) - depth(a.dn)).map((e) => e.dn);
  const files = 'The backup folders on the node stay as they are.';
  const sorted = [...input.leaves].sort((a, b) => (a.name < b.name ? 1 : -1));
  const good = sorted.find((l) => l.mode === 'finished' && (l.returnValue ?? 0) === 0);
  if (!good && (input.leaves.length === 0 || !input.backup.hasConfiguration)) {
    const leaves = input.leaves.map((l) => l.dn);
    const what =
      input.leaves.length === 0
        ? 'Its ou=backup held no iteration leaf'
        : `Its plain ou=backup and its ${input.leaves.length === 1 ? 'leaf' : `${input.leaves.length} leaves`} (${input.leaves.map((l) => l.name).join(', ')}) were removed from the directory`;
    const own = input.backup.hasConfiguration
      ? ' Its own configuration went with it (the audit record keeps every value); set it again after the first backup.'
      : '';
    return {
      kind: 'repair',
      deletions: [...belowAll, ...leaves, input.backup.dn],
      markFinished: null,
      message: `${what}; the stoney wrapper creates a new ou=backup with a leaf and backs the machine up at its next run.${own} ${files}`,
    };
  }
  const keeper = good ?? sorted[0];
  const others = sorted.filter((l) => l !== keeper).map((l) => l.dn);
  const parts: string[] = [];
  if (others.length > 0)
    parts.push(`removed ${others.length === 1 ? 'the older leaf' : `${others.length} other leaves`} from the directory`);
  if (belowAll.length > 0)
    parts.push(`removed ${belowAll.length === 1 ? 'the entry' : `${belowAll.length} entries`} below the leaves (kept in the audit record)`);
  const markFinished = good
    ? null
    : { dn: keeper.dn, name: keeper.name, previousMode: keeper.mode, previousReturnValue: keeper.returnValue };
  if (markFinished) {
    parts.push(
      `marked ${keeper.name} finished with return value 0 (it had stopped in mode ${keeper.mode}${keeper.returnValue ? ` with code ${keeper.returnValue}` : ''}; it is not a usable backup, and the wrapper replaces it at its next run)`,
    );
  }
  return {
    kind: 'repair',
    deletions: [...belowAll, ...others],
    markFinished,
    message: `Unblocked: ${parts.join('; ')}. The stoney wrapper backs the machine up at its next run. ${files}`,
  };
}
