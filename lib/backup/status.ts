import { formatDuration, formatPeriod } from './duration';
import { finishTime, iterationHealth, parseIterationName, type IterationState } from './iteration';
import { describeMode, type ModeWorkflow } from './modes';
import { describeReturnCode } from './return-codes';

export type MachineStatus = 'protected' | 'running' | 'failed' | 'blocked' | 'stale' | 'never' | 'excluded';

/** Most urgent first. */
export const STATUS_ORDER: readonly MachineStatus[] = ['failed', 'blocked', 'stale', 'never', 'running', 'excluded', 'protected'];

const LABELS: Readonly<Record<MachineStatus, string>> = {
  failed: 'Failed',
  blocked: 'Blocked',
  stale: 'Stale',
  never: 'Never backed up',
  running: 'Running',
  excluded: 'Excluded',
  protected: 'Protected',
};

export function statusLabel(status: MachineStatus): string {
  return LABELS[status];
}

export type ClassifiableIteration = IterationState & { name: string };

export type ClassifyInput = {
  iterations: ClassifiableIteration[];
  excluded: boolean;
  /** False for ordinary dynamic clones, which the scheduler never backs up. */
  backupCandidate: boolean;
  /** From typicalPeriodMs of the effective plan; null = the plan never fires. */
  periodMs: number | null;
  planWarnings: string[];
  now: Date;
  /** Slack past the period before a machine counts as stale; default 6 hours. */
  marginMs?: number;
  /** stoney cloud: why the wrapper skips the machine every night (lib/backup/verdict.ts), or null. */
  blocked?: string | null;
};

export type Classification = {
  status: MachineStatus;
  reason: string;
  lastFinished: Date | null;
  /** Name of the newest iteration. */
  latest: string | null;
};

const DEFAULT_MARGIN_MS = 6 * 3_600_000;

const WORKFLOW_NAMES: Readonly<Record<ModeWorkflow, string>> = {
  backup: 'Backup',
  export: 'Backup',
  prune: 'Pruning',
  restore: 'Restore',
  done: 'Iteration',
  unknown: 'Iteration',
};

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * One machine's backup status. Iterations are ordered by name, which is time
 * order. The newest iteration that is not finished decides failed / running:
 * the scheduler treats any unfinished iteration as the machine's active one,
 * and a restore usually runs on an older iteration than the newest.
 */
export function classifyMachine(input: ClassifyInput): Classification {
  const sorted = [...input.iterations].sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  const latest = sorted[0]?.name ?? null;
  const newestFinished = sorted.find((it) => iterationHealth(it) === 'finished');
  const lastFinished = newestFinished ? (finishTime(newestFinished) ?? parseIterationName(newestFinished.name)) : null;
  const result = (status: MachineStatus, reason: string): Classification => ({ status, reason, lastFinished, latest });

  if (!input.backupCandidate) {
    return result('excluded', 'Dynamic clone: rebuilt from its golden image, never backed up.');
  }
  if (input.excluded) return result('excluded', 'Excluded from backup by its configuration.');
  if (input.blocked) return result('blocked', `Blocked: ${input.blocked}`);

  const neverFires = input.planWarnings[0] ?? 'The plan has no upcoming run.';
  if (sorted.length === 0) {
    return result('never', input.periodMs === null ? `No backup yet, and none is scheduled: ${lowerFirst(neverFires)}` : 'No backup has run yet.');
  }

  const active = sorted.find((it) => iterationHealth(it) !== 'finished');
  if (active) {
    const health = iterationHealth(active);
    const mode = describeMode(active.mode);
    const workflow = WORKFLOW_NAMES[mode.workflow];
    if (health === 'failed') {
      const code = describeReturnCode(active.returnValue ?? 0);
      return result('failed', `${workflow} failed in mode ${active.mode} with code ${code.code}: ${code.text}`);
    }
    if (health === 'running') {
      const what = mode.workflow === 'restore' ? `Restore from ${active.name}` : workflow;
      return result('running', `${what} in progress: ${mode.label}.`);
    }
    const why = mode.known ? ` with a state other than 0` : '';
    return result('stale', `Iteration ${active.name} is stuck in mode ${active.mode}${why}; nothing advances it, so no new backup starts.`);
  }

  if (input.periodMs === null) return result('stale', `No backups are scheduled: ${lowerFirst(neverFires)}`);
  if (!lastFinished) return result('never', 'No backup has finished yet.');
  const age = input.now.getTime() - lastFinished.getTime();
  const ago = `Last backup finished ${formatDuration(age)} ago`;
  if (age > input.periodMs + (input.marginMs ?? DEFAULT_MARGIN_MS)) {
    return result('stale', `${ago}; the plan runs ${formatPeriod(input.periodMs)}.`);
  }
  return result('protected', `${ago}.`);
}
