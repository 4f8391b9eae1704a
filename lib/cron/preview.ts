import type { CronFieldName } from './cron-field';
import { matchesDay, parseCronPlan, validateCronPlan, type CronPlan } from './cron-plan';
import { describeCronPlan } from './describe';
import { nextRuns } from './next-runs';
import { schedulerSyntaxWarnings, schedulerWarnings } from './scheduler-warnings';
import { DAY_MS, HOUR_MS, MINUTE_MS, assertTimeZone, formatWallClock, formatWallMinute, offsetAt } from './time-zone';

export type PreviewRun = {
  /** 'YYYY-MM-DD HH:mm' on the node. */
  local: string;
  /** 'YYYY-MM-DD HH:mm' UTC. */
  utc: string;
  iterationName: string;
  dst?: 'gap' | 'overlap';
  note?: string;
};

export type CronPreview = {
  valid: boolean;
  fieldErrors: Partial<Record<CronFieldName, string>>;
  description: string;
  /** Why the scheduler would never start the plan. */
  warnings: string[];
  /** Where FOSS-Cloud's scheduler would read the plan differently from cron. */
  syntaxWarnings: string[];
  runs: PreviewRun[];
  /** Runs in the coming year that fall into a daylight-saving change. */
  daylightSaving: string[];
  timeZone: string;
};

const HORIZON_DAYS = 366;
const WINDOW_MS = 4 * HOUR_MS;

/** Instants in (from, from + horizon] where the zone's UTC offset changes. */
function transitions(fromMs: number, timeZone: string): number[] {
  const out: number[] = [];
  for (let day = 0; day < HORIZON_DAYS; day += 1) {
    let lo = fromMs + day * DAY_MS;
    let hi = lo + DAY_MS;
    const before = offsetAt(lo, timeZone);
    if (offsetAt(hi, timeZone) === before) continue;
    while (hi - lo > MINUTE_MS) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
      if (offsetAt(mid, timeZone) === before) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}

/**
 * Runs a wildcard plan (minute or hour starting with '*') loses in a
 * spring-forward gap: cron does not catch those up, so nextRuns() simply has
 * none; say so, since an administrator would otherwise never notice.
 */
function skippedInGap(plan: CronPlan, transition: number, timeZone: string): string | null {
  const parsed = parseCronPlan(plan);
  if (!parsed || !parsed.wildcard) return null;
  const before = offsetAt(transition - HOUR_MS, timeZone);
  const after = offsetAt(transition + HOUR_MS, timeZone);
  if (after <= before) return null;
  const gapStart = transition + before;
  const gapEnd = transition + after;
  const day = new Date(Date.UTC(new Date(gapStart).getUTCFullYear(), new Date(gapStart).getUTCMonth(), new Date(gapStart).getUTCDate()));
  if (!matchesDay(parsed, day.getUTCMonth() + 1, day.getUTCDate(), day.getUTCDay())) return null;
  let skipped = 0;
  for (const h of parsed.fields.hour.values) {
    for (const m of parsed.fields.minute.values) {
      const wall = day.getTime() + h * HOUR_MS + m * MINUTE_MS;
      if (wall >= gapStart && wall < gapEnd) skipped += 1;
    }
  }
  if (skipped === 0) return null;
  return (
    `On ${formatWallMinute(gapStart).slice(0, 10)} clocks jump from ${formatWallClock(gapStart)} to ${formatWallClock(gapEnd)}: ` +
    `${skipped} run${skipped === 1 ? '' : 's'} in that hour do${skipped === 1 ? 'es' : ''} not happen (cron does not catch up a plan whose minute or hour is '*').`
  );
}

export function daylightSavingNotes(plan: CronPlan, from: Date, timeZone: string): string[] {
  assertTimeZone(timeZone);
  if (!parseCronPlan(plan)) return [];
  const notes: string[] = [];
  for (const t of transitions(from.getTime(), timeZone)) {
    const gap = skippedInGap(plan, t, timeZone);
    if (gap) notes.push(gap);
    const runs = nextRuns(plan, new Date(Math.max(from.getTime(), t - WINDOW_MS)), 2 * 60 * 8, timeZone);
    for (const run of runs) {
      if (run.at.getTime() > t + WINDOW_MS) break;
      // A wildcard job's two runs in an overlap carry one note each; one sentence is enough here.
      const note = run.note?.replace(/ — this is the (first|second), at [^.]*\.$/, '.');
      if (run.dst && note && !notes.includes(note)) notes.push(note);
    }
  }
  return notes;
}

/** Everything the cron editor shows for a plan, computed for the node's time zone. */
export function previewCronPlan(plan: CronPlan, now: Date, timeZone: string, count = 5): CronPreview {
  assertTimeZone(timeZone);
  const fieldErrors = validateCronPlan(plan);
  const valid = Object.keys(fieldErrors).length === 0;
  return {
    valid,
    fieldErrors,
    description: describeCronPlan(plan),
    warnings: schedulerWarnings(plan),
    syntaxWarnings: valid ? schedulerSyntaxWarnings(plan) : [],
    runs: valid
      ? nextRuns(plan, now, count, timeZone).map((r) => ({
          local: r.local,
          utc: r.utc,
          iterationName: r.iterationName,
          ...(r.dst ? { dst: r.dst } : {}),
          ...(r.note ? { note: r.note } : {}),
        }))
      : [],
    daylightSaving: valid ? daylightSavingNotes(plan, now, timeZone) : [],
    timeZone,
  };
}
