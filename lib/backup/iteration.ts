import { formatUtcCompact } from '../cron/time-zone';
import { describeMode } from './modes';

const COMPACT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/i;

/**
 * 'YYYYMMDDThhmmssZ' read as UTC, as stoney cloud writes it. FOSS-Cloud's
 * scheduler wrote local time with a literal 'Z'; nothing in the name tells
 * the two apart, so such names come out shifted by the node's offset.
 */
export function parseIterationName(name: string): Date | null {
  const m = COMPACT.exec(name.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  // Date.UTC rolls 31 April over to 1 May; a round trip rejects such names.
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  if (d.getUTCHours() !== hour || d.getUTCMinutes() !== minute || d.getUTCSeconds() !== second) return null;
  return d;
}

export function formatIterationName(d: Date): string {
  return formatUtcCompact(d.getTime());
}

export type ExecutionTime = { step: string; seconds: number };

const EXECUTION_TIME = /^\s*([A-Za-z][\w-]*)\s*:\s*(\d+(?:[.,]\d+)?)\s*s?\s*$/;

/** Reads "snapshot: 12" values; values that are not "<step>: <seconds>" are skipped. */
export function parseExecutionTimes(values: string[]): ExecutionTime[] {
  const out: ExecutionTime[] = [];
  for (const value of values) {
    const m = EXECUTION_TIME.exec(value);
    if (m) out.push({ step: m[1], seconds: Number(m[2].replace(',', '.')) });
  }
  return out;
}

export type IterationState = { mode: string; state: string; returnValue: number | null };
export type IterationHealth = 'finished' | 'failed' | 'running' | 'pending';

/**
 * - finished: mode 'finished', whatever the return value. A cancelled restore
 *   (and possibly the scheduler's 'initialized' step) leaves a stray 18 on a
 *   finished iteration, because the node daemon answers a mode it does not
 *   handle with 18; the scheduler only writes 'finished' after success.
 * - failed: not finished and a non-zero return value (a missing value counts
 *   as 0). A failed step usually stays in its "-ing" mode, sometimes the
 *   "-ed" one; either way it blocks further backups of the machine.
 * - running: someone has it in hand — a working ("-ing") mode; a command mode
 *   with state '0', which the node daemon is about to pick up; or a step that
 *   ended ("-ed", 'initialized') and waits for the scheduler or the console
 *   (or the user, after the small restore files are copied).
 * - pending: nothing will move it by itself — an unknown mode, or a command
 *   whose state is not '0', which the node daemon ignores.
 */
export function iterationHealth(it: IterationState): IterationHealth {
  const info = describeMode(it.mode);
  if (info.kind === 'finished') return 'finished';
  if (it.returnValue !== null && it.returnValue !== 0) return 'failed';
  if (!info.known) return 'pending';
  if (info.kind === 'command') return it.state.trim() === '0' ? 'running' : 'pending';
  return 'running';
}

/** When the last step ended: the state timestamp, or null while it reads '0'. */
export function finishTime(it: { state: string }): Date | null {
  return parseIterationName(it.state);
}
