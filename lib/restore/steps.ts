import 'server-only';
import { formatIterationName } from '@/lib/backup/iteration';
import { isAppError } from '@/lib/errors';
import { appendJournal, closeJournal, markIterationFailed, transitionIteration } from '@/lib/ldap/restore';
import { invalidateFleetCache } from '@/lib/inventory/cache';
import { encodeRecord, type JournalRecord } from './journal';
import { RETURN_CODE } from '@/lib/backup/return-codes';

/**
 * The two roles of the design documents, kept apart. The control role writes `command`s: a
 * command mode with state 0, compare-and-set, which the node daemon executes (daemon-driven
 * restores only). The executor role writes `working` and `done` around the work it does itself
 * (console-driven restores): always with a timestamp as state, never 0, because the node daemon
 * executes any of its commands with state 0 and the stepping-stone daemon answers every other
 * mode with state 0 by writing return value 18 (daemons.md, fact 1).
 */
export interface IterationRef {
  machineUuid: string;
  iteration: string;
  /**
   * The leaf whose mode carries the restore when it is not the iteration's own: an iteration
   * that exists only on the node (stoney cloud) has no leaf, and the machine's one leaf holds
   * the restore's modes meanwhile (see node-only.ts). Set by restoreRef from the journal.
   */
  leaf?: string;
}

/** The leaf whose mode, state and return value this restore writes. */
export const leafOf = (ref: IterationRef): string => ref.leaf ?? ref.iteration;

/** Control role: asks the node daemon for a step. `executionDate` is set when the iteration's is not 0 (the daemon then ignores commands). */
export async function command(ref: IterationRef, from: string, to: string, executionDate?: string): Promise<void> {
  await transitionIteration(ref.machineUuid, leafOf(ref), { from, to, state: '0', returnValue: RETURN_CODE.SUCCESS, executionDate });
  invalidateFleetCache();
}

/** Executor role: the console takes a step itself; the state says since when. */
export async function working(ref: IterationRef, from: string, to: string, now = new Date()): Promise<void> {
  await transitionIteration(ref.machineUuid, leafOf(ref), { from, to, state: formatIterationName(now), returnValue: RETURN_CODE.SUCCESS });
  invalidateFleetCache();
}

export async function done(ref: IterationRef, from: string, to: string, now = new Date()): Promise<void> {
  await transitionIteration(ref.machineUuid, leafOf(ref), { from, to, state: formatIterationName(now), returnValue: RETURN_CODE.SUCCESS });
  invalidateFleetCache();
}

export async function journal(ref: IterationRef, record: JournalRecord, now = new Date()): Promise<void> {
  await appendJournal(ref.machineUuid, ref.iteration, encodeRecord(record, now));
}

/**
 * The last record of a restore that ended (`by` and `remains` when an administrator marked it
 * finished by hand). The journal stays as its record (until the iteration is restored again);
 * without a lease it no longer counts as an open restore.
 */
export async function finishJournal(ref: IterationRef, byHand: { by: string; remains: string[] } | null = null): Promise<void> {
  await closeJournal(ref.machineUuid, ref.iteration, encodeRecord({ step: 'finished', ...(byHand ?? {}) }));
}

/** A step that failed: its return value (daemon codes, spec §4.6) and everything the UI needs to explain it. */
export class StepFailure extends Error {
  constructor(
    readonly during: string,
    readonly returnValue: number,
    readonly reason: string,
    readonly machineState: string,
    readonly command?: { text: string; exitCode?: number; stderr?: string },
    /** Daemon-driven: who reported it, and the command a retry writes again. */
    readonly origin: { by: 'daemon' | 'console'; reissue?: string } = { by: 'console' },
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

/** A failure as a journal records it: the restore's own journal and an undo's kept record alike. */
export function failedRecord(failure: StepFailure): Extract<JournalRecord, { step: 'failed' }> {
  return {
    step: 'failed',
    during: failure.during,
    returnValue: failure.returnValue,
    reason: failure.reason,
    machineState: failure.machineState,
    command: failure.command?.text,
    exitCode: failure.command?.exitCode,
    stderr: failure.command?.stderr,
  };
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

/**
 * Records a failure: the reason in the journal and a non-zero return value on the iteration
 * (mode unchanged, state a timestamp, so the failure never reads as a command; a daemon's own
 * failure keeps its code and loses its state 0 the same way).
 */
export async function recordFailure(ref: IterationRef, mode: string, failure: StepFailure): Promise<void> {
  await journal(ref, { ...failedRecord(failure), by: failure.origin.by, reissue: failure.origin.reissue });
  await markIterationFailed(ref.machineUuid, leafOf(ref), mode, failure.returnValue, formatIterationName(new Date()));
  invalidateFleetCache();
}
