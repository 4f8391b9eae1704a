import { describeMode } from '@/lib/backup/modes';
import { describeReturnCode } from '@/lib/backup/return-codes';
import { finishTime, iterationHealth, parseExecutionTimes, parseIterationName } from '@/lib/backup/iteration';
import type { Iteration } from '@/lib/ldap/backup';

/** What the browser gets for one iteration: plain JSON, already explained in words. */
export interface IterationRow {
  name: string;
  mode: string;
  modeLabel: string;
  modeMeaning: string;
  nextActor: string;
  workflow: string;
  health: 'finished' | 'failed' | 'running' | 'pending';
  returnValue: number | null;
  returnName: string | null;
  returnText: string | null;
  plannedAt: string | null;
  finishedAt: string | null;
  state: string;
  executionTimes: { step: string; seconds: number }[];
}

export function toIterationRow(iteration: Iteration): IterationRow {
  const mode = describeMode(iteration.mode);
  const code = iteration.returnValue === null ? null : describeReturnCode(iteration.returnValue);
  const finished = finishTime(iteration);
  const health = iterationHealth(iteration);
  return {
    name: iteration.name,
    mode: iteration.mode,
    modeLabel: mode.label,
    modeMeaning: mode.meaning,
    // A failed step is not retried by anyone: saying "the daemon continues" would be a lie.
    nextActor:
      health === 'failed'
        ? 'An administrator. The step failed and is not retried; until someone deals with it, this iteration blocks further backups of the machine.'
        : mode.nextActor,
    workflow: mode.workflow,
    health,
    returnValue: iteration.returnValue,
    returnName: code?.name ?? null,
    returnText: code?.text ?? null,
    plannedAt: parseIterationName(iteration.name)?.toISOString() ?? null,
    finishedAt: finished ? finished.toISOString() : null,
    state: iteration.state,
    executionTimes: parseExecutionTimes(iteration.executionTimes),
  };
}

export const anyRunning = (rows: IterationRow[]) => rows.some((r) => r.health === 'running' || r.health === 'pending');
