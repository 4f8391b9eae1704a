import { matchesDay, parseCronPlan, type CronPlan, type ParsedCronPlan } from './cron-plan';
import { schedulerWarnings } from './scheduler-warnings';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  assertTimeZone,
  formatLocalMinute,
  formatOffset,
  formatUtcCompact,
  formatWallClock,
  formatWallMinute,
  offsetAt,
  resolveWallTime,
  wallFieldsAt,
} from './time-zone';

export type CronRun = {
  /** The instant cron starts the job. */
  at: Date;
  /** 'YYYY-MM-DD HH:mm' in the node's time zone. */
  local: string;
  /** 'YYYY-MM-DD HH:mm' in UTC. */
  utc: string;
  /** 'YYYYMMDDThhmmssZ' (UTC) of `at`, as the node's backup wrapper names the iteration. */
  iterationName: string;
  dst?: 'gap' | 'overlap';
  note?: string;
};

type RawRun = { at: number; dst?: 'gap' | 'overlap'; note?: string };

/** Past this, a plan such as "30 February" is declared never to fire. */
const SEARCH_YEARS = 5;
const WEEK_MS = 7 * DAY_MS;
const PERIOD_WINDOW_MS = 8 * WEEK_MS;

function gapNote(wallMs: number, transition: number, offsetBefore: number, offsetAfter: number): string {
  const date = formatWallMinute(wallMs).slice(0, 10);
  const jumpFrom = formatWallClock(transition + offsetBefore);
  const jumpTo = formatWallClock(transition + offsetAfter);
  return (
    `${formatWallClock(wallMs)} does not exist on ${date} (clocks jump from ${jumpFrom} to ${jumpTo}); ` +
    `cron runs it right after the jump, at ${jumpTo}.`
  );
}

function overlapNote(wallMs: number, transition: number, offsetBefore: number, offsetAfter: number): string {
  const date = formatWallMinute(wallMs).slice(0, 10);
  return (
    `${formatWallClock(wallMs)} occurs twice on ${date} ` +
    `(clocks go back from ${formatWallClock(transition + offsetBefore)} to ${formatWallClock(transition + offsetAfter)})`
  );
}

/** The runs cron makes on one local calendar day, in time order. */
function runsOfDay(parsed: ParsedCronPlan, dayWallMs: number, timeZone: string): RawRun[] {
  const { minute, hour } = parsed.fields;
  // Fast path: no offset change anywhere near this day, so wall - offset is exact.
  const offsetEarly = offsetAt(dayWallMs - DAY_MS, timeZone);
  const steady = offsetEarly === offsetAt(dayWallMs + 2 * DAY_MS, timeZone);
  const runs: RawRun[] = [];
  for (const h of hour.values) {
    for (const m of minute.values) {
      const wall = dayWallMs + h * HOUR_MS + m * MINUTE_MS;
      if (steady) {
        runs.push({ at: wall - offsetEarly });
        continue;
      }
      const r = resolveWallTime(wall, timeZone);
      if (r.kind === 'normal') {
        runs.push({ at: r.at });
      } else if (r.kind === 'gap') {
        // Vixie cron catches fixed-time jobs up once per skipped matching
        // minute, right after the jump; wildcard jobs are not caught up.
        if (!parsed.wildcard) {
          runs.push({ at: r.transition, dst: 'gap', note: gapNote(wall, r.transition, r.offsetBefore, r.offsetAfter) });
        }
      } else {
        const base = overlapNote(wall, r.transition, r.offsetBefore, r.offsetAfter);
        if (parsed.wildcard) {
          // During the repeated hour Vixie cron runs wildcard jobs again.
          runs.push({
            at: r.first,
            dst: 'overlap',
            note: `${base}; cron runs this job both times — this is the first, at ${formatOffset(r.offsetBefore)}.`,
          });
          runs.push({
            at: r.second,
            dst: 'overlap',
            note: `${base}; cron runs this job both times — this is the second, at ${formatOffset(r.offsetAfter)}.`,
          });
        } else {
          runs.push({
            at: r.first,
            dst: 'overlap',
            note: `${base}; cron runs it once, at the first ${formatWallClock(wall)} (${formatOffset(r.offsetBefore)}).`,
          });
        }
      }
    }
  }
  // Overlap runs of different minutes interleave; Array.prototype.sort is stable.
  return runs.sort((a, b) => a.at - b.at);
}

/** Runs strictly after `fromMs`, in order, for at most SEARCH_YEARS of local days. */
function* generateRuns(parsed: ParsedCronPlan, fromMs: number, timeZone: string): Generator<RawRun> {
  const start = wallFieldsAt(fromMs, timeZone);
  let dayWall = Date.UTC(start.year, start.month - 1, start.day);
  const lastDayWall = Date.UTC(start.year + SEARCH_YEARS, start.month - 1, start.day);
  for (; dayWall <= lastDayWall; dayWall += DAY_MS) {
    const d = new Date(dayWall);
    if (!matchesDay(parsed, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCDay())) continue;
    for (const run of runsOfDay(parsed, dayWall, timeZone)) {
      if (run.at > fromMs) yield run;
    }
  }
}

function toCronRun(run: RawRun, timeZone: string): CronRun {
  const out: CronRun = {
    at: new Date(run.at),
    local: formatLocalMinute(run.at, timeZone),
    utc: formatWallMinute(run.at),
    iterationName: formatUtcCompact(run.at),
  };
  if (run.dst) out.dst = run.dst;
  if (run.note) out.note = run.note;
  return out;
}

/**
 * The next `count` times cron starts the plan after `from`, reading the cron
 * fields as local time in `timeZone` (IANA name) and following Vixie cron's
 * daylight-saving behaviour. Ignores `active`; returns [] for an invalid plan
 * and fewer runs when the plan matches rarely or never (e.g. 30 February).
 */
export function nextRuns(plan: CronPlan, from: Date, count: number, timeZone: string): CronRun[] {
  assertTimeZone(timeZone);
  const parsed = parseCronPlan(plan);
  if (!parsed || count <= 0) return [];
  const out: CronRun[] = [];
  for (const run of generateRuns(parsed, from.getTime(), timeZone)) {
    out.push(toCronRun(run, timeZone));
    if (out.length >= count) break;
  }
  return out;
}

/**
 * The largest gap between consecutive runs over the next eight weeks
 * (counting the first run after the window, so monthly and yearly plans get
 * their real period). Null when the scheduler would never fire the plan or it
 * has no run at all. With a single run in the search horizon, the time until
 * that run is the best available answer.
 */
export function typicalPeriodMs(plan: CronPlan, timeZone: string, from: Date): number | null {
  assertTimeZone(timeZone);
  if (schedulerWarnings(plan).length > 0) return null;
  const parsed = parseCronPlan(plan);
  if (!parsed) return null;
  const fromMs = from.getTime();
  const windowEnd = fromMs + PERIOD_WINDOW_MS;
  let previous: number | null = null;
  let largest: number | null = null;
  for (const run of generateRuns(parsed, fromMs, timeZone)) {
    if (previous !== null) largest = Math.max(largest ?? 0, run.at - previous);
    previous = run.at;
    if (run.at > windowEnd) break;
  }
  if (previous === null) return null;
  return largest ?? previous - fromMs;
}
