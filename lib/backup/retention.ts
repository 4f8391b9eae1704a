import type { IterationHealth } from './iteration';
import type { InstallationKind } from './installation';

export type RetentionIteration = { name: string; health: IterationHealth };

export type RetentionPreview = {
  /** Existing iterations that stay after the next run, newest first. */
  kept: string[];
  /** Existing iterations the next run removes, newest first. */
  dropped: string[];
  /** A failed or stuck iteration: no new run starts until someone deals with it. */
  blockedBy: string | null;
  /** Iterations still running; the next run starts only after they finish. */
  waitsFor: string[];
  /**
   * FOSS-Cloud: there are more leaves than are kept, so fc-brokerd never starts another backup
   * (it removes old leaves only after a finished run; daemons.md, fact 5).
   */
  stopsForGood: boolean;
};

const newestFirst = (a: RetentionIteration, b: RetentionIteration) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);

/**
 * What the next backup run removes when `keep` iterations are kept, as the program that
 * prunes does it.
 *
 * stoney cloud (`iterations` are the folders on the node): after each run the wrapper keeps the
 * newest `keep` folders, the new one included, and deletes the rest at once.
 *
 * FOSS-Cloud (`iterations` are the leaves in the directory): fc-brokerd starts a run only while
 * a machine has at most `keep` leaves, and after a finished run removes one leaf, the oldest
 * finished one, when there are more than `keep`. With more leaves than `keep` it never starts
 * again, so nothing is ever removed.
 */
export function retentionPreview(
  iterations: RetentionIteration[],
  keep: number,
  kind: InstallationKind = 'stoney-cloud',
): RetentionPreview {
  const sorted = [...iterations].sort(newestFirst);
  const blocking = sorted.find((i) => i.health === 'failed' || i.health === 'pending');
  const waitsFor = sorted.filter((i) => i.health === 'running').map((i) => i.name);
  const keepCount = Math.max(0, Math.floor(keep));
  if (kind === 'foss-cloud') {
    const active = sorted.find((i) => i.health !== 'finished');
    if (blocking) return { kept: sorted.map((i) => i.name), dropped: [], blockedBy: blocking.name, waitsFor, stopsForGood: false };
    if (!active && sorted.length > keepCount) {
      return { kept: sorted.map((i) => i.name), dropped: [], blockedBy: null, waitsFor, stopsForGood: true };
    }
    // The running leaf finishes first; a new run adds one. Either way one finished leaf goes once there are more than `keep`.
    const afterRun = sorted.length + (active ? 0 : 1);
    const finished = sorted.filter((i) => i.health === 'finished');
    const dropped = afterRun > keepCount && finished.length > 0 ? [finished[finished.length - 1].name] : [];
    return {
      kept: sorted.map((i) => i.name).filter((n) => !dropped.includes(n)),
      dropped,
      blockedBy: null,
      waitsFor,
      stopsForGood: false,
    };
  }
  const prunable = sorted.filter((i) => i.health === 'finished' || i.health === 'running').map((i) => i.name);
  const survivors = Math.max(0, keepCount - 1);
  return {
    kept: prunable.slice(0, survivors),
    dropped: prunable.slice(survivors),
    blockedBy: blocking ? blocking.name : null,
    waitsFor,
    stopsForGood: false,
  };
}
