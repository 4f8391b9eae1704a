import type { CronFieldName } from './cron-field';
import { matchesDay, parseCronPlan, validateCronPlan, type CronPlan } from './cron-plan';
import { describeCronPlan } from './describe';
import { nextRuns } from './next-runs';
import { brokerFailures, brokerMisreadings, brokerSchedule } from './broker';
import { schedulerWarnings } from './scheduler-warnings';
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

/** What fc-brokerd makes of the plan (FOSS-Cloud), where it differs from cron's meaning. */
export type BrokerPreview = {
  /** Why it never starts the plan, or null. */
  refusal: string | null;
  runs: PreviewRun[];
  /** How it reads the fields differently from cron, one sentence each. */
  misreadings: string[];
  /** Days its date arithmetic fails in the coming four years, and the first of them. */
  failures: { count: number; first: string | null; reason: string | null };
  /** Planned times it skips (clocks jump forward). */
  skipped: string[];
  /** Whether its next runs differ from cron's. */
  differs: boolean;
};

export type CronPreview = {
  /** Whose reading the preview shows: fc-brokerd's (FOSS-Cloud) or nobody's (stoney cloud, where sstCron* is unused). */
  kind: 'foss-cloud' | 'stoney-cloud';
  broker: BrokerPreview | null;
  valid: boolean;
  fieldErrors: Partial<Record<CronFieldName, string>>;
  description: string;
  /** Why the scheduler would never start the plan. */
  warnings: string[];
  /** Where fc-brokerd reads the plan differently from cron (FOSS-Cloud only). */
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

/** fc-brokerd around daylight-saving changes: it skips a planned time that does not exist and runs twice at one that repeats. */
export function brokerDaylightSavingNotes(plan: CronPlan, from: Date, timeZone: string): string[] {
  assertTimeZone(timeZone);
  const notes: string[] = [];
  for (const t of transitions(from.getTime(), timeZone)) {
    const schedule = brokerSchedule(plan, new Date(Math.max(from.getTime(), t - DAY_MS)), 60, timeZone);
    for (const skipped of schedule.skipped) if (!notes.includes(skipped)) notes.push(skipped);
    const twice = schedule.runs.find((r) => r.dst === 'overlap' && Math.abs(r.at.getTime() - t) < DAY_MS);
    if (twice) {
      const note = `${twice.local} occurs twice (clocks go back); fc-brokerd runs the plan both times, and both runs are named ${twice.iterationName}.`;
      if (!notes.includes(note)) notes.push(note);
    }
  }
  return notes;
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

function brokerPreview(plan: CronPlan, now: Date, timeZone: string, count: number, cronRuns: PreviewRun[]): BrokerPreview {
  const schedule = brokerSchedule(plan, now, count, timeZone);
  const failures = brokerFailures(plan, now, timeZone);
  const runs = schedule.runs.map((r) => ({
    local: r.local,
    utc: r.utc,
    iterationName: r.iterationName,
    ...(r.dst ? { dst: r.dst } : {}),
    ...(r.note ? { note: r.note } : {}),
  }));
  const differs = runs.length !== cronRuns.length || runs.some((r, i) => r.utc !== cronRuns[i]?.utc);
  return {
    refusal: schedule.refusal,
    runs,
    misreadings: brokerMisreadings(plan)
      .filter((m) => m.field !== 'plan')
      .map((m) => m.text),
    failures: { count: failures.length, first: failures[0]?.date ?? null, reason: failures[0]?.reason ?? null },
    skipped: schedule.skipped,
    differs,
  };
}

/**
 * Everything the cron editor shows for a plan, computed for the node's time zone. On FOSS-Cloud
 * it adds fc-brokerd's own reading; on stoney cloud nothing reads sstCron*, and the preview says
 * only what the fields would mean.
 */
export function previewCronPlan(
  plan: CronPlan,
  now: Date,
  timeZone: string,
  count = 5,
  kind: 'foss-cloud' | 'stoney-cloud' = 'foss-cloud',
): CronPreview {
  assertTimeZone(timeZone);
  const fieldErrors = validateCronPlan(plan);
  const valid = Object.keys(fieldErrors).length === 0;
  const runs = valid
    ? nextRuns(plan, now, count, timeZone).map((r) => ({
        local: r.local,
        utc: r.utc,
        iterationName: r.iterationName,
        ...(r.dst ? { dst: r.dst } : {}),
        ...(r.note ? { note: r.note } : {}),
      }))
    : [];
  const broker = kind === 'foss-cloud' && valid ? brokerPreview(plan, now, timeZone, count, runs) : null;
  return {
    kind,
    broker,
    valid,
    fieldErrors,
    description: describeCronPlan(plan),
    warnings: kind === 'foss-cloud' ? schedulerWarnings(plan) : [],
    syntaxWarnings: broker?.misreadings ?? [],
    runs,
    daylightSaving: !valid ? [] : broker ? brokerDaylightSavingNotes(plan, now, timeZone) : daylightSavingNotes(plan, now, timeZone),
    timeZone,
  };
}
