import { CRON_FIELD_LABELS, type CronFieldName } from './cron-field';
import type { CronPlan } from './cron-plan';
import { DAY_MS, HOUR_MS, assertTimeZone, formatOffset, formatWallMinute, resolveWallTime, wallFieldsAt } from './time-zone';

/**
 * How FOSS-Cloud's scheduler, fc-brokerd, reads a plan's sstCron* fields (shared/spec/daemons.md,
 * fact 8). It does not follow cron: every ~30 s it computes one "planned time" from the current
 * local minute and starts a backup when that planned time is the current minute. The
 * computation reads each field with C's atoi (so "1-5" is 1, "*\/2" is 0, "mon" is 0), takes the
 * first listed day of week that is not before today, puts the month number into a 0-based
 * month field (month m runs in month m + 1), and does calendar arithmetic that fails outright
 * for some dates (month 12; a day of month the computed month lacks). A failure ends the whole
 * cycle: no machine's backup starts in it.
 *
 * The model below works on local wall-clock fields, as the broker does, and is checked against
 * the behaviour daemons.md records; names and structure are this project's own.
 */

/** A local calendar time; `month0` is 0-based like C's struct tm. */
export type Civil = { year: number; month0: number; day: number; hour: number; minute: number };

export type BrokerReading =
  | { kind: 'at'; at: Civil }
  /** The broker refuses the plan: it never starts it. */
  | { kind: 'never'; reason: string }
  /** Its date arithmetic fails on this date: the whole cycle ends, for every machine. */
  | { kind: 'throws'; reason: string };

/** C's atoi: leading blanks, an optional sign, digits; anything else stops it (0 when nothing was read). */
export function atoi(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return match ? Number.parseInt(match[1], 10) : 0;
}

const daysIn = (year: number, month0: number): number => new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
const isValid = (c: Civil): boolean => c.month0 >= 0 && c.month0 <= 11 && c.day >= 1 && c.day <= daysIn(c.year, c.month0);
const toMs = (c: Civil): number => Date.UTC(c.year, c.month0, c.day, c.hour, c.minute);

function civilOfMs(ms: number): Civil {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month0: d.getUTCMonth(), day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** What mktime makes of out-of-range fields: 31 April is 1 May. */
export const normalizeCivil = (c: Civil): Civil => civilOfMs(toMs(c));
const weekday = (c: Civil): number => new Date(toMs(c)).getUTCDay();
const addDays = (c: Civil, n: number): Civil => civilOfMs(toMs(c) + n * DAY_MS);
const addHours = (c: Civil, n: number): Civil => civilOfMs(toMs(c) + n * HOUR_MS);

/**
 * Calendar month arithmetic as the broker's date library does it: the last day of a month
 * stays the last day of the target month, and a day the target month lacks becomes its last.
 */
function addMonths(c: Civil, n: number): Civil {
  const total = c.year * 12 + c.month0 + n;
  const year = Math.floor(total / 12);
  const month0 = total - year * 12;
  const last = daysIn(year, month0);
  const day = c.day === daysIn(c.year, c.month0) ? last : Math.min(c.day, last);
  return { ...c, year, month0, day };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function formatCivil(c: Civil): string {
  return formatWallMinute(toMs(c));
}

function invalidDate(c: Civil, why: string): BrokerReading {
  const month = c.month0 >= 0 && c.month0 <= 11 ? MONTHS[c.month0] : `month ${c.month0 + 1}`;
  return { kind: 'throws', reason: `${why}: ${month} ${c.day}, ${c.year} does not exist, so its date arithmetic fails.` };
}

/** Why the broker never starts this plan at all, or null. */
export function brokerRefusal(plan: CronPlan): string | null {
  if (!plan.active) return 'sstCronActive is not TRUE, so the broker never starts the plan.';
  const missing = (['minute', 'hour', 'day', 'month', 'dayOfWeek'] as CronFieldName[]).filter((f) => plan[f] === '');
  if (missing.length > 0) return `The broker needs all five cron fields; ${missing.map((f) => CRON_FIELD_LABELS[f]).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`;
  if (plan.minute === '*') return "Minute is '*': the broker only starts plans with a fixed minute.";
  if (plan.day !== '*' && plan.dayOfWeek !== '*') return "Day of month and day of week are both restricted: the broker needs one of them to be '*'.";
  return null;
}

/**
 * The planned time the broker computes at local minute `now`. Field texts are compared
 * exactly as stored: only the literal '*' counts as "any".
 */
export function brokerPlannedTime(plan: CronPlan, now: Civil): BrokerReading {
  const refusal = brokerRefusal(plan);
  if (refusal) return { kind: 'never', reason: refusal };
  const any = (text: string) => text === '*';
  // `cal` is always a valid calendar value; `fields` is what is finally normalised, and can run
  // ahead of `cal` (a day of month written into it is lost when `cal` is copied back over it).
  let cal: Civil = { ...now };
  let fields: Civil = { ...now };
  let stage: 'none' | 'day' | 'hour' | 'minute' = 'none';
  let weekdayMatched = false;

  if (!any(plan.month)) {
    const month = atoi(plan.month);
    cal = addMonths(cal, month < cal.month0 ? 12 - cal.month0 : month - cal.month0);
    fields = { ...cal, month0: month };
    if (!isValid(fields)) return invalidDate(fields, `Month ${plan.month} is put into a 0-based month field`);
    cal = { ...fields };
    stage = 'day';
  }
  if (stage === 'none' && !any(plan.day)) {
    const day = atoi(plan.day);
    if (day < fields.day) {
      cal = addMonths(cal, 1);
      stage = 'hour';
      fields = { ...cal };
    }
    fields.day = day;
    if (!isValid(fields)) return invalidDate(fields, `Day of month ${plan.day} is read as ${day}`);
    cal = { ...fields };
  } else if (stage === 'none' && !any(plan.dayOfWeek)) {
    const today = weekday(fields);
    const listed = plan.dayOfWeek.split(',').map(atoi);
    const next = listed.find((d) => d >= today);
    if (next === undefined) {
      const first = listed[0];
      cal = addDays(cal, first < today ? 7 - first : first - today);
    } else {
      cal = addDays(cal, next - today);
      weekdayMatched = true;
    }
    stage = 'hour';
    fields = { ...cal };
  }
  if (stage === 'none' && !any(plan.hour)) {
    const hour = atoi(plan.hour);
    if (hour < fields.hour) {
      cal = addMonths(cal, 1);
      stage = 'minute';
      fields = { ...cal };
    }
    fields.hour = hour;
    cal = normalizeCivil(fields);
  }
  if (stage === 'none') {
    const minute = atoi(plan.minute);
    if (minute < fields.minute) {
      cal = addHours(cal, 1);
      fields = { ...cal };
    }
    fields.minute = minute;
    return { kind: 'at', at: normalizeCivil(fields) };
  }
  if (stage === 'day') {
    if (!any(plan.day)) {
      fields.day = atoi(plan.day);
    } else if (!any(plan.dayOfWeek)) {
      const today = weekday(cal);
      const first = atoi(plan.dayOfWeek);
      cal = addDays(cal, first < today ? 7 - today : first - today);
      fields = { ...cal };
    }
    stage = 'hour';
  }
  if (stage === 'hour' && !any(plan.hour)) {
    const hour = atoi(plan.hour);
    if (hour < fields.hour) {
      if (!any(plan.day)) cal = addMonths(cal, 1);
      else if (!weekdayMatched) cal = addDays(cal, 7);
      fields = { ...cal };
    }
    fields.hour = hour;
  }
  fields.minute = atoi(plan.minute);
  return { kind: 'at', at: normalizeCivil(fields) };
}

const sameCivil = (a: Civil, b: Civil): boolean => toMs(a) === toMs(b);

/** Whether the broker starts the plan at this local minute (it compares its planned time with the current minute). */
export function brokerStartsAt(plan: CronPlan, minute: Civil): boolean {
  const reading = brokerPlannedTime(plan, minute);
  return reading.kind === 'at' && sameCivil(reading.at, minute);
}

/** The leaf name the broker gives a run: the planned local time with a literal Z. */
export function brokerIterationName(planned: Civil): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(planned.year, 4)}${p(planned.month0 + 1)}${p(planned.day)}T${p(planned.hour)}${p(planned.minute)}00Z`;
}

export type BrokerRun = {
  at: Date;
  /** 'YYYY-MM-DD HH:mm' in the broker's time zone. */
  local: string;
  utc: string;
  /** The leaf the broker creates: local time with a literal Z. */
  iterationName: string;
  dst?: 'overlap';
  note?: string;
};

export type BrokerFailure = { date: string; reason: string };

export type BrokerSchedule = {
  /** Why the broker never starts the plan, or null. */
  refusal: string | null;
  runs: BrokerRun[];
  /** Planned local times that do not exist (spring forward): the broker skips them. */
  skipped: string[];
  /** Dates in the horizon on which the computation fails (the whole cycle ends on those dates). */
  failures: BrokerFailure[];
};

/** Past this the search stops: a plan for "30 February" is declared never to run. */
const HORIZON_DAYS = 4 * 366;

function* civilDays(fromMs: number, timeZone: string, days: number): Generator<Civil> {
  const start = wallFieldsAt(fromMs, timeZone);
  const first = Date.UTC(start.year, start.month - 1, start.day);
  for (let i = 0; i < days; i += 1) yield civilOfMs(first + i * DAY_MS);
}

/** The date arithmetic depends on the date alone: one evaluation per day finds every failing date. */
export function brokerFailures(plan: CronPlan, from: Date, timeZone: string, days = HORIZON_DAYS): BrokerFailure[] {
  assertTimeZone(timeZone);
  if (brokerRefusal(plan)) return [];
  const out: BrokerFailure[] = [];
  for (const day of civilDays(from.getTime(), timeZone, days)) {
    const reading = brokerPlannedTime(plan, day);
    if (reading.kind === 'throws') out.push({ date: formatCivil(day).slice(0, 10), reason: reading.reason });
  }
  return out;
}

/**
 * The broker's next `count` runs after `from`, as it would start them: for each local day the
 * candidate minutes (its minute and hour, read with atoi) are tried, and a run happens where
 * the planned time computed at that minute is that minute. A planned time that does not exist
 * (clocks jump forward) never comes; one that occurs twice (clocks go back) runs twice.
 */
export function brokerSchedule(plan: CronPlan, from: Date, count: number, timeZone: string): BrokerSchedule {
  assertTimeZone(timeZone);
  const refusal = brokerRefusal(plan);
  if (refusal) return { refusal, runs: [], skipped: [], failures: [] };
  const fromMs = from.getTime();
  const minute = atoi(plan.minute);
  const runs: BrokerRun[] = [];
  const skipped: string[] = [];
  const failures: BrokerFailure[] = [];
  if (minute < 0 || minute > 59) return { refusal: `Minute ${plan.minute} is read as ${minute}, a minute that never comes.`, runs, skipped, failures };
  for (const day of civilDays(fromMs, timeZone, HORIZON_DAYS)) {
    const starts = brokerStartsOnDay(plan, day);
    if (!Array.isArray(starts)) {
      failures.push({ date: formatCivil(day).slice(0, 10), reason: starts.throws });
      continue;
    }
    for (const candidate of starts) {
      const wall = toMs(candidate);
      const resolved = resolveWallTime(wall, timeZone);
      const name = brokerIterationName(candidate);
      if (resolved.kind === 'gap') {
        if (wall > fromMs - DAY_MS) skipped.push(`${formatCivil(candidate)} does not exist (clocks jump forward); the broker skips that run.`);
        continue;
      }
      const instants =
        resolved.kind === 'normal'
          ? [{ at: resolved.at }]
          : [
              { at: resolved.first, dst: 'overlap' as const, note: `${formatCivil(candidate)} occurs twice (clocks go back); the broker runs it both times, first at ${formatOffset(resolved.offsetBefore)}, and both runs are named ${name}.` },
              { at: resolved.second, dst: 'overlap' as const, note: `${formatCivil(candidate)} occurs twice (clocks go back); this is the second run, at ${formatOffset(resolved.offsetAfter)}, named ${name} like the first.` },
            ];
      for (const instant of instants) {
        if (instant.at <= fromMs) continue;
        runs.push({
          at: new Date(instant.at),
          local: formatCivil(candidate),
          utc: formatWallMinute(instant.at),
          iterationName: name,
          ...('dst' in instant ? { dst: instant.dst, note: instant.note } : {}),
        });
        if (runs.length >= count) return { refusal: null, runs, skipped, failures };
      }
    }
  }
  return { refusal: null, runs, skipped, failures };
}

/**
 * The local minutes of one day (`day`'s hour and minute are ignored) at which the broker starts
 * the plan, as local wall times, or why its arithmetic fails that day. The candidates are its
 * minute and hour read with atoi; a candidate counts where the planned time computed at that
 * minute is that minute.
 */
export function brokerStartsOnDay(plan: CronPlan, day: Civil): Civil[] | { throws: string } {
  if (brokerRefusal(plan)) return [];
  const midnight: Civil = { ...day, hour: 0, minute: 0 };
  const atMidnight = brokerPlannedTime(plan, midnight);
  if (atMidnight.kind === 'throws') return { throws: atMidnight.reason };
  const minute = atoi(plan.minute);
  if (minute < 0 || minute > 59) return [];
  const hours = plan.hour === '*' ? Array.from({ length: 24 }, (_, h) => h) : [atoi(plan.hour)];
  return hours.filter((hour) => hour >= 0 && hour <= 23).map((hour) => ({ ...midnight, hour, minute })).filter((candidate) => brokerStartsAt(plan, candidate));
}

/** The instants on one local day at which the broker starts the plan (a repeated wall time twice, a missing one never). */
export function brokerRunsOnDay(plan: CronPlan, day: Civil, timeZone: string): number[] {
  const starts = brokerStartsOnDay(plan, day);
  if (!Array.isArray(starts)) return [];
  return starts.flatMap((candidate) => {
    const resolved = resolveWallTime(toMs(candidate), timeZone);
    return resolved.kind === 'normal' ? [resolved.at] : resolved.kind === 'overlap' ? [resolved.first, resolved.second] : [];
  });
}

export type BrokerMisreading = {
  field: CronFieldName | 'plan';
  /** What the broker does with it, in words. */
  text: string;
  /** true: the broker's arithmetic fails (refused outright); false: read differently (needs a confirmation). */
  fails: boolean;
};

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const plainNumber = /^\d+$/;

/**
 * Where fc-brokerd reads a plan differently from what its fields mean in cron, one sentence
 * each. Failing arithmetic is reported by brokerFailures (it depends on the date); this names
 * the field texts that cause it.
 */
export function brokerMisreadings(plan: CronPlan, multiValued: readonly CronFieldName[] = []): BrokerMisreading[] {
  const out: BrokerMisreading[] = [];
  for (const field of multiValued) {
    out.push({ field, text: `The ${CRON_FIELD_LABELS[field]} attribute holds several values; the broker uses only the first.`, fails: false });
  }
  const refusal = brokerRefusal(plan);
  if (refusal) out.push({ field: 'plan', text: refusal, fails: false });
  for (const field of ['minute', 'hour', 'day'] as const) {
    const text = plan[field];
    if (text === '' || text === '*' || plainNumber.test(text)) continue;
    if (field === 'minute' && text === '*') continue;
    out.push({ field, text: `The broker reads ${CRON_FIELD_LABELS[field]} '${text}' as the single number ${atoi(text)}.`, fails: field === 'day' && (atoi(text) < 1 || atoi(text) > 28) });
  }
  if (plan.day !== '*' && plainNumber.test(plan.day) && atoi(plan.day) >= 29) {
    out.push({ field: 'day', text: `Day of month ${plan.day}: in months without that day the broker's date arithmetic fails, which ends every machine's backups for those cycles.`, fails: true });
  }
  if (plan.month !== '*' && plan.month !== '') {
    const m = atoi(plan.month);
    if (!plainNumber.test(plan.month)) out.push({ field: 'month', text: `The broker reads month '${plan.month}' as the single number ${m}.`, fails: false });
    if (m === 12) {
      out.push({ field: 'month', text: 'Month 12 is put into a 0-based month field (a thirteenth month): the broker\'s date arithmetic fails in every cycle, for every machine.', fails: true });
    } else if (m >= 0 && m <= 11) {
      out.push({ field: 'month', text: `Month ${plan.month} is put into a 0-based month field, so the broker runs the plan in ${MONTHS[m]}, not in ${m >= 1 ? MONTHS[m - 1] : 'the month written'}.`, fails: false });
    }
  }
  const dow = plan.dayOfWeek;
  if (dow !== '*' && dow !== '') {
    const items = dow.split(',');
    const read = items.map(atoi);
    const literal = items.every((i) => plainNumber.test(i));
    if (!literal) {
      const days = [...new Set(read)].map((d) => DAY_NAMES[d] ?? `day ${d}`).join(', ');
      out.push({ field: 'dayOfWeek', text: `The broker reads each comma-separated day of week with atoi: '${dow}' becomes ${read.join(',')} (${days}).`, fails: false });
    }
    if (read.includes(7)) out.push({ field: 'dayOfWeek', text: 'Day of week 7 never comes for the broker (it counts Sunday as 0 only), so it never runs on that day.', fails: false });
    if (read.some((d, i) => i > 0 && d < read[i - 1])) {
      out.push({ field: 'dayOfWeek', text: `The days of week '${dow}' are not in ascending order; the broker takes the first listed day that is not before today, so it skips some of them.`, fails: false });
    }
  }
  return out;
}
