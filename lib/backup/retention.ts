import type { IterationHealth } from './iteration';

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
};

/**
 * What the next backup run would remove when `keep` iterations are kept. The
 * new iteration counts as one of them, so `keep - 1` existing ones survive.
 * Running iterations finish before the next run starts, so they count as
 * finished; a failed or stuck one is never pruned and holds up the next run.
 * The stoney node wrapper prunes the backup folders all at once; FOSS-Cloud's
 * scheduler deletes one iteration per run, oldest first, until the count fits.
 */
export function retentionPreview(iterations: RetentionIteration[], keep: number): RetentionPreview {
  const sorted = [...iterations].sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  const prunable = sorted.filter((i) => i.health === 'finished' || i.health === 'running').map((i) => i.name);
  const survivors = Math.max(0, Math.floor(keep) - 1);
  const blocking = sorted.find((i) => i.health === 'failed' || i.health === 'pending');
  return {
    kept: prunable.slice(0, survivors),
    dropped: prunable.slice(survivors),
    blockedBy: blocking ? blocking.name : null,
    waitsFor: sorted.filter((i) => i.health === 'running').map((i) => i.name),
  };
}
