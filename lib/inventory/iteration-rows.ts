import { describeMode } from '@/lib/backup/modes';
import { describeReturnCode } from '@/lib/backup/return-codes';
import { finishTime, iterationHealth, parseExecutionTimes, parseIterationName } from '@/lib/backup/iteration';
import { failedNext, workflowOf } from '@/lib/backup/status';
import { stepOf } from '@/lib/backup/step-limits';
import type { InstallationKind } from '@/lib/backup/installation';
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
  /** When the iteration became finished; null for one that is not (a restore under way is not). */
  finishedAt: string | null;
  /** When its last step ended (the state attribute), whatever the step. */
  lastStepAt: string | null;
  state: string;
  executionTimes: { step: string; seconds: number }[];
}

const PENDING_NEXT: Readonly<Record<InstallationKind, string>> = {
  'foss-cloud':
    'An administrator: nothing moves this iteration on (the node daemon acts only on a known command whose state is 0). Reset it by hand: back to finished if its backup had completed, otherwise delete it.',
  'stoney-cloud':
    'An administrator: nothing moves this iteration on (no node daemon runs on stoney cloud nodes, and the wrapper does not act on modes). Reset it by hand, or unblock the machine on its page.',
};

/** `kind`: whose programs act on the iteration, for the words on what to do next. */
export function toIterationRow(iteration: Iteration, kind: InstallationKind): IterationRow {
  const mode = describeMode(iteration.mode);
  const code = iteration.returnValue === null ? null : describeReturnCode(iteration.returnValue);
  const stepEnded = finishTime(iteration);
  const health = iterationHealth(iteration);
  const step = stepOf(iteration.mode).step;
  // A failed step is over: say what it was, not what the daemon "is doing", and what to do now.
  const modeMeaning =
    health === 'failed'
      ? `The ${step} failed (mode ${iteration.mode}, code ${code?.code ?? '?'} ${code?.name ?? ''}); nothing retries it, and it blocks further backups of the machine.`
      : mode.meaning;
  const nextActor = health === 'failed' ? `An administrator. ${failedNext(workflowOf(iteration.mode), iteration.mode, kind)}` : health === 'pending' ? PENDING_NEXT[kind] : mode.nextActor;
  return {
    name: iteration.name,
    mode: iteration.mode,
    modeLabel: health === 'failed' ? `${mode.label} — failed` : mode.label,
    modeMeaning,
    nextActor,
    workflow: mode.workflow,
    health,
    returnValue: iteration.returnValue,
    returnName: code?.name ?? null,
    returnText: code?.text ?? null,
    plannedAt: parseIterationName(iteration.name)?.toISOString() ?? null,
    finishedAt: health === 'finished' && stepEnded ? stepEnded.toISOString() : null,
    lastStepAt: stepEnded ? stepEnded.toISOString() : null,
    state: iteration.state,
    executionTimes: parseExecutionTimes(iteration.executionTimes),
  };
}

export const anyRunning = (rows: IterationRow[]) => rows.some((r) => r.health === 'running' || r.health === 'pending');
