import { formatDuration } from './duration';
import { parseExecutionTimes, type ExecutionTime } from './iteration';
import { canonicalMode, describeMode } from './modes';

/**
 * How long an unfinished iteration may stay in one mode before the console calls it stuck.
 *
 * A step's usual length comes from what the node daemon recorded on the machine's finished
 * iterations (`sstProvisioningExecutionTime`, "merge: 340"): three times the longest such
 * value, never less than a floor. Modes that only wait for the scheduler (it moves every ~30 s)
 * and steps the daemon records no time for get the floor. A restore waiting in phase 1 waits
 * for a person, so it gets a day before it counts as abandoned.
 */

export const STEP_FLOOR_MS = 2 * 3_600_000;
export const DECISION_WAIT_MS = 24 * 3_600_000;
export const STEP_FACTOR = 3;

export type StepKind = 'work' | 'scheduler' | 'decision' | 'stalled';

export interface StepInfo {
  /** What the iteration is doing, as a noun phrase: "merge", "waiting for the scheduler after the snapshot". */
  step: string;
  kind: StepKind;
  /** The recorded step whose length bounds this one (null: the floor or a fixed wait applies). */
  measuredBy: 'snapshot' | 'merge' | 'retain' | null;
}

const STEPS: Readonly<Record<string, StepInfo>> = {
  initialize: { step: 'creating the iteration', kind: 'scheduler', measuredBy: null },
  initialized: { step: 'waiting for the scheduler to ask for the snapshot', kind: 'scheduler', measuredBy: null },
  snapshot: { step: 'snapshot (requested, not yet picked up by the node daemon)', kind: 'work', measuredBy: 'snapshot' },
  snapshotting: { step: 'snapshot', kind: 'work', measuredBy: 'snapshot' },
  snapshotted: { step: 'waiting for the scheduler after the snapshot', kind: 'scheduler', measuredBy: null },
  merge: { step: 'merge (requested, not yet picked up by the node daemon)', kind: 'work', measuredBy: 'merge' },
  merging: { step: 'merge', kind: 'work', measuredBy: 'merge' },
  merged: { step: 'waiting for the scheduler after the merge', kind: 'scheduler', measuredBy: null },
  retain: { step: 'retain (requested, not yet picked up by the node daemon)', kind: 'work', measuredBy: 'retain' },
  retaining: { step: 'retain (copying to the backup directory)', kind: 'work', measuredBy: 'retain' },
  retained: { step: 'waiting for the scheduler to mark the backup finished', kind: 'scheduler', measuredBy: null },
  export: { step: 'export (requested)', kind: 'work', measuredBy: 'retain' },
  exporting: { step: 'export', kind: 'work', measuredBy: 'retain' },
  exported: { step: 'waiting for the scheduler after the export', kind: 'scheduler', measuredBy: null },
  commit: { step: 'commit (requested)', kind: 'work', measuredBy: 'merge' },
  committing: { step: 'commit', kind: 'work', measuredBy: 'merge' },
  committed: { step: 'waiting for the scheduler after the commit', kind: 'scheduler', measuredBy: null },
  delete: { step: 'prune of an old iteration (requested, not yet picked up by the node daemon)', kind: 'work', measuredBy: null },
  deleting: { step: 'prune of an old iteration (deleting its files)', kind: 'work', measuredBy: null },
  deleted: { step: 'prune of an old iteration (waiting for the scheduler to remove the entry)', kind: 'scheduler', measuredBy: null },
  unretainSmallFiles: { step: 'restore phase 1 (copying the small files, requested)', kind: 'work', measuredBy: null },
  unretainingSmallFiles: { step: 'restore phase 1 (copying the small files)', kind: 'work', measuredBy: null },
  unretainedSmallFiles: { step: 'restore phase 1 (waiting for a decision)', kind: 'decision', measuredBy: null },
  unretainLargeFiles: { step: 'restore phase 2 (copying the state file and disk images, requested)', kind: 'work', measuredBy: 'retain' },
  unretainingLargeFiles: { step: 'restore phase 2 (copying the state file and disk images)', kind: 'work', measuredBy: 'retain' },
  unretainedLargeFiles: { step: 'restore phase 2 (waiting for the machine to be stopped and restored)', kind: 'scheduler', measuredBy: null },
  restore: { step: 'restore phase 2 (restore requested)', kind: 'work', measuredBy: 'snapshot' },
  restoring: { step: 'restore phase 2 (restoring the machine)', kind: 'work', measuredBy: 'snapshot' },
  restored: { step: 'restore phase 2 (waiting to be marked finished)', kind: 'scheduler', measuredBy: null },
  cleanup: { step: 'cleanup (which no daemon implements)', kind: 'stalled', measuredBy: null },
  cleaningUp: { step: 'cleanup (which no daemon implements)', kind: 'stalled', measuredBy: null },
};

export function stepOf(mode: string): StepInfo {
  const canonical = canonicalMode(mode);
  const known = canonical ? STEPS[canonical] : undefined;
  if (known) return known;
  const label = describeMode(mode).label;
  return { step: `mode ${label}`, kind: 'stalled', measuredBy: null };
}

/** The longest recorded time of each step over a machine's finished iterations. */
export type StepHistory = Partial<Record<'snapshot' | 'merge' | 'retain', { seconds: number; iteration: string }>>;

export function stepHistory(iterations: readonly { name: string; mode: string; executionTimes?: readonly string[] | null }[]): StepHistory {
  const out: StepHistory = {};
  for (const it of iterations) {
    if (canonicalMode(it.mode) !== 'finished' || !it.executionTimes) continue;
    for (const t of parseExecutionTimes([...it.executionTimes]) as ExecutionTime[]) {
      if (t.step !== 'snapshot' && t.step !== 'merge' && t.step !== 'retain') continue;
      // The stoney wrapper pre-seeds "merge: 0"; a zero says nothing about how long a step takes.
      if (t.seconds <= 0) continue;
      const seen = out[t.step];
      if (!seen || t.seconds > seen.seconds) out[t.step] = { seconds: t.seconds, iteration: it.name };
    }
  }
  return out;
}

export interface StepLimit {
  /** null: nothing ever advances this mode, so any time in it is too long. */
  ms: number | null;
  /** Which limit was used, in words. */
  basis: string;
}

const WORDS: Readonly<Record<'snapshot' | 'merge' | 'retain', string>> = { snapshot: 'snapshot', merge: 'merge', retain: 'retain' };

export function stepLimit(info: StepInfo, history: StepHistory): StepLimit {
  const floor = formatDuration(STEP_FLOOR_MS);
  if (info.kind === 'stalled') return { ms: null, basis: 'no daemon moves an iteration on from this mode' };
  if (info.kind === 'decision') return { ms: DECISION_WAIT_MS, basis: `a restore waiting for a decision for more than ${formatDuration(DECISION_WAIT_MS)} counts as abandoned` };
  if (info.kind === 'scheduler') return { ms: STEP_FLOOR_MS, basis: `the floor of ${floor}: the scheduler moves an iteration on within a minute` };
  if (!info.measuredBy) return { ms: STEP_FLOOR_MS, basis: `the floor of ${floor}: the node daemon records no time for this step` };
  const word = WORDS[info.measuredBy];
  const seen = history[info.measuredBy];
  if (!seen) return { ms: STEP_FLOOR_MS, basis: `the floor of ${floor}: no finished iteration of this machine records how long a ${word} takes` };
  const scaled = STEP_FACTOR * seen.seconds * 1000;
  const longest = formatDuration(seen.seconds * 1000);
  if (scaled <= STEP_FLOOR_MS) return { ms: STEP_FLOOR_MS, basis: `the floor of ${floor}: the longest ${word} recorded on this machine took ${longest}` };
  return { ms: scaled, basis: `${formatDuration(scaled)}: ${STEP_FACTOR} times the longest ${word} recorded on this machine (${longest}, iteration ${seen.iteration})` };
}
