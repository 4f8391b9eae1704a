import { CRON_FIELDS } from './cron-field';
import { parseCronPlan, validateCronPlan, type CronPlan, type ParsedCronPlan } from './cron-plan';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const pad2 = (n: number): string => String(n).padStart(2, '0');
const clock = (h: number, m: number): string => `${pad2(h)}:${pad2(m)}`;
const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Maximal runs of consecutive values, as [first, last] pairs. */
function runsOf(values: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const v of values) {
    const last = runs[runs.length - 1];
    if (last && v === last[1] + 1) last[1] = v;
    else runs.push([v, v]);
  }
  return runs;
}

function commonStep(values: number[]): number | null {
  if (values.length < 2) return null;
  const step = values[1] - values[0];
  return values.every((v, i) => i === 0 || v - values[i - 1] === step) ? step : null;
}

/** "1", "1 and 15", "1–7", "1, 3, 5 … 31" */
function formatNumbers(values: number[]): string {
  const step = commonStep(values);
  if (step !== null && step >= 2 && values.length >= 4) {
    return `${values[0]}, ${values[1]}, ${values[2]} … ${values[values.length - 1]}`;
  }
  const items: string[] = [];
  for (const [a, b] of runsOf(values)) {
    if (b - a >= 2) items.push(`${a}–${b}`);
    else for (let v = a; v <= b; v++) items.push(String(v));
  }
  return joinList(items);
}

/** Where a plan with restricted months applies: `in` for a phrase, `of` after day numbers. */
function monthScope(months: number[]): { in: string; of: string } {
  const runs = runsOf(months);
  if (runs.length === 1 && months.length >= 3) {
    const span = `from ${MONTHS[runs[0][0] - 1]} to ${MONTHS[runs[0][1] - 1]}`;
    return { in: span, of: `of every month ${span}` };
  }
  const list = joinList(months.map((m) => MONTHS[m - 1]));
  return { in: `in ${list}`, of: `of ${list}` };
}

/** `lead` starts a sentence before a clock time; `qualifier` follows a repeating time. */
function weekdayPhrase(days: number[]): { lead: string; qualifier: string } {
  const key = days.join(',');
  if (key === '1,2,3,4,5') return { lead: 'on weekdays (Mon–Fri)', qualifier: 'on weekdays (Mon–Fri)' };
  if (key === '0,6') return { lead: 'on weekends (Sat–Sun)', qualifier: 'on weekends (Sat–Sun)' };
  const runs = runsOf(days);
  if (runs.length === 1 && days.length >= 3) {
    const span = `${DAYS[runs[0][0]]} to ${DAYS[runs[0][1]]}`;
    return { lead: span, qualifier: `from ${span}` };
  }
  const plural = joinList(days.map((d) => `${DAYS[d]}s`));
  return { lead: plural, qualifier: `on ${plural}` };
}

function dateExists(days: number[], months: number[]): boolean {
  return months.some((m) => days.some((d) => d <= DAYS_IN_MONTH[m - 1]));
}

type DayPhrase = { lead: string; qualifier: string | null; never: boolean };

function dayPhrase(p: ParsedCronPlan): DayPhrase {
  const { day, month, dayOfWeek } = p.fields;
  const allDays = day.values.length === 31;
  const allWeekdays = dayOfWeek.values.length === 7;
  const allMonths = month.values.length === 12;
  const scope = allMonths ? null : monthScope(month.values);
  const inMonths = scope ? ` ${scope.in}` : '';
  const ofMonths = scope ? scope.of : 'of every month';
  const dayNumbers = `${day.values.length === 1 ? 'day' : 'days'} ${formatNumbers(day.values)}`;

  // Same rule as cron: AND when either day field starts with '*', else OR.
  if (p.daysCombineWithAnd ? allDays && allWeekdays : allDays || allWeekdays) {
    return { lead: `every day${inMonths}`, qualifier: scope ? scope.in : null, never: false };
  }
  if (p.daysCombineWithAnd && allDays) {
    const w = weekdayPhrase(dayOfWeek.values);
    return { lead: w.lead + inMonths, qualifier: w.qualifier + inMonths, never: false };
  }
  if (p.daysCombineWithAnd && allWeekdays) {
    const text = `on ${dayNumbers} ${ofMonths}`;
    return { lead: text, qualifier: text, never: !dateExists(day.values, month.values) };
  }
  const w = weekdayPhrase(dayOfWeek.values);
  if (p.daysCombineWithAnd) {
    const text = `${w.qualifier} that fall on ${dayNumbers} ${ofMonths}`;
    return { lead: text, qualifier: text, never: !dateExists(day.values, month.values) };
  }
  const text = allMonths ? `on ${dayNumbers} of every month and ${w.qualifier}` : `on ${dayNumbers} and ${w.qualifier}${inMonths}`;
  return { lead: text, qualifier: text, never: false };
}

/** `fixed`: a list of clock times, read after the day ("every day at 03:00"). */
function timePhrase(p: ParsedCronPlan): { fixed: boolean; text: string } {
  const mins = p.fields.minute.values;
  const hours = p.fields.hour.values;
  const allMinutes = mins.length === 60;
  const allHours = hours.length === 24;
  const hourRuns = runsOf(hours);
  const contiguousHours = hourRuns.length === 1;
  const first = hours[0];
  const last = hours[hours.length - 1];

  if (allMinutes) {
    if (allHours) return { fixed: false, text: 'every minute' };
    if (contiguousHours) return { fixed: false, text: `every minute from ${clock(first, 0)} to ${clock(last, 59)}` };
    return { fixed: false, text: `every minute of hours ${joinList(hours.map(pad2))}` };
  }

  const times = hours.flatMap((h) => mins.map((m) => clock(h, m)));
  if (times.length <= 4) return { fixed: true, text: `at ${joinList(times)}` };

  const minuteStep = commonStep(mins);
  if (minuteStep !== null && minuteStep > 1 && mins[0] === 0 && 60 % minuteStep === 0 && mins.length === 60 / minuteStep) {
    if (allHours) return { fixed: false, text: `every ${minuteStep} minutes` };
    if (contiguousHours) {
      return { fixed: false, text: `every ${minuteStep} minutes from ${clock(first, 0)} to ${clock(last, mins[mins.length - 1])}` };
    }
  }

  const atMinutes = joinList(mins.map((m) => `:${pad2(m)}`));
  if (allHours) {
    const text = mins.length === 1 ? `at minute ${mins[0]} of every hour` : `at minutes ${joinList(mins.map(String))} of every hour`;
    return { fixed: false, text };
  }

  const hourStep = commonStep(hours);
  if (hourStep !== null && hourStep > 1 && hours.length >= 3 && first < hourStep && last + hourStep > 23) {
    const from = first === 0 ? '' : ` from ${clock(first, mins[0])}`;
    return { fixed: false, text: `every ${hourStep} hours at ${atMinutes}${from}` };
  }
  if (contiguousHours && hours.length >= 3) {
    return {
      fixed: false,
      text: `every hour at ${atMinutes} from ${clock(first, mins[0])} to ${clock(last, mins[mins.length - 1])}`,
    };
  }
  if (times.length <= 6) return { fixed: true, text: `at ${joinList(times)}` };
  return { fixed: false, text: `at ${atMinutes} past hours ${joinList(hours.map(pad2))}` };
}

/**
 * The plan in plain English, e.g. "Every day at 03:00", "Sundays at 02:30",
 * "Every 2 hours at :00 on weekdays (Mon–Fri)"; inactive plans read
 * "Inactive — would run every day at 03:00". Times are the node's local time.
 */
export function describeCronPlan(plan: CronPlan): string {
  const parsed = parseCronPlan(plan);
  if (!parsed) {
    const errors = validateCronPlan(plan);
    const missing = CRON_FIELDS.some((f) => plan[f].trim() === '');
    const firstError = CRON_FIELDS.map((f) => errors[f]).find((e) => e !== undefined) ?? 'invalid field';
    return `${missing ? 'Incomplete' : 'Invalid'} schedule: ${firstError}`;
  }
  const day = dayPhrase(parsed);
  const time = timePhrase(parsed);
  let sentence = time.fixed ? `${day.lead} ${time.text}` : day.qualifier ? `${time.text} ${day.qualifier}` : time.text;
  if (day.never) sentence += ' (no such date, so it never runs)';
  return plan.active ? capitalize(sentence) : `Inactive — would run ${sentence}`;
}
