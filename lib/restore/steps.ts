import 'server-only';
import { formatIterationName } from '@/lib/backup/iteration';
import { isAppError } from '@/lib/errors';
import { appendJournal, markIterationFailed, transitionIteration } from '@/lib/ldap/restore';
import { invalidateFleetCache } from '@/lib/inventory/cache';
import { encodeRecord, type JournalRecord } from './journal';

/**
 * The two roles of the design documents, kept apart: `command` is what a control instance
 * writes (a command mode with state 0, which a daemon-driven node would pick up), `working`/
 * `done` is what the node executor writes around its own work. Today the console plays both.
 */
export interface IterationRef {
  machineUuid: string;
  iteration: string;
}

export async function command(ref: IterationRef, from: string, to: string): Promise<void> {
  await transitionIteration(ref.machineUuid, ref.iteration, { from, to, state: '0' });
  invalidateFleetCache();
}

export async function working(ref: IterationRef, from: string, to: string): Promise<void> {
  await transitionIteration(ref.machineUuid, ref.iteration, { from, to, state: '0', returnValue: 0 });
  invalidateFleetCache();
}

export async function done(ref: IterationRef, from: string, to: string, now = new Date()): Promise<void> {
  await transitionIteration(ref.machineUuid, ref.iteration, { from, to, state: formatIterationName(now), returnValue: 0 });
  invalidateFleetCache();
}

export async function journal(ref: IterationRef, record: JournalRecord): Promise<void> {
  await appendJournal(ref.machineUuid, ref.iteration, encodeRecord(record));
}

/** A step that failed: its return value (daemon codes, spec §4.6) and everything the UI needs to explain it. */
export class StepFailure extends Error {
  constructor(
    readonly during: string,
    readonly returnValue: number,
    readonly reason: string,
    readonly machineState: string,
    readonly command?: { text: string; exitCode?: number; stderr?: string },
  ) {
    super(reason);
    this.name = 'StepFailure';
  }
}

/** Wraps a node or directory call so any error becomes a StepFailure with the given code. */
export async function step<T>(during: string, returnValue: number, machineState: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StepFailure) throw error;
    const details = commandDetails(error);
    const reason = isAppError(error) ? error.message : error instanceof Error ? error.message : String(error);
    throw new StepFailure(during, returnValue, reason, machineState, details);
  }
}

function commandDetails(error: unknown): { text: string; exitCode?: number; stderr?: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { command?: unknown; exitCode?: unknown; code?: unknown; stderr?: unknown };
  if (typeof e.command !== 'string') return undefined;
  return {
    text: e.command,
    exitCode: typeof e.exitCode === 'number' ? e.exitCode : undefined,
    stderr: typeof e.stderr === 'string' ? e.stderr.slice(0, 4000) : undefined,
  };
}

/** Records a failure: non-zero return value on the iteration (mode unchanged) and the reason in the journal. */
export async function recordFailure(ref: IterationRef, mode: string, failure: StepFailure): Promise<void> {
  await journal(ref, {
    step: 'failed',
    during: failure.during,
    returnValue: failure.returnValue,
    reason: failure.reason,
    machineState: failure.machineState,
    command: failure.command?.text,
    exitCode: failure.command?.exitCode,
    stderr: failure.command?.stderr,
  });
  await markIterationFailed(ref.machineUuid, ref.iteration, mode, failure.returnValue);
  invalidateFleetCache();
}
