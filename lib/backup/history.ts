import { matchesDay, parseCronPlan, type CronPlan } from '../cron/cron-plan';
import { offsetAt, wallFieldsAt } from '../cron/time-zone';
import { iterationHealth, type IterationState } from './iteration';
import { describeMode } from './modes';
import { NIGHT_CODE as CODE, nightStateOf, type NightState, type NightTotals } from './night-states';

/**
 * The last nights of a machine's backups, one cell per night, for the history grid.
 *
 * A night is a calendar date on the nodes (the date in an iteration's name: the broker names
 * iterations by the node's local time, the stoney wrapper by UTC). Each night gets the outcome
 * of the backups started on it, or says why there is none: none was planned, the machine is
 * excluded, or there is no record (before the machine existed, or older than the oldest
 * iteration still kept: retention removes older ones from the directory).
 */

export const HISTORY_NIGHTS = 30;

export { NIGHT_LABELS, nightStateOf } from './night-states';
export type { NightState, NightTotals } from './night-states';

export interface Night {
  /** YYYYMMDD, as in iteration names. */
  date: string;
  /** "Thu 12 Mar 2026" */
  label: string;
  /** "Mar" */
  monthName: string;
  weekend: boolean;
  month: number;
  dayOfMonth: number;
  weekday: number;
  /** The instant the night's date ends on the nodes (the next local midnight). */
  endMs: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** The last `count` dates on the nodes, oldest first; the last one is today. */
export function historyNights(now: Date, timeZone: string, count = HISTORY_NIGHTS): Night[] {
  const today = wallFieldsAt(now.getTime(), timeZone);
  const todayUtc = Date.UTC(today.year, today.month - 1, today.day);
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(todayUtc - (count - 1 - i) * 86_400_000);
    const weekday = d.getUTCDay();
    const month = d.getUTCMonth() + 1;
    const dayOfMonth = d.getUTCDate();
    // The next local midnight as an instant: the offset there, read at a first guess of it.
    const wallEnd = d.getTime() + 86_400_000;
    return {
      endMs: wallEnd - offsetAt(wallEnd - offsetAt(wallEnd, timeZone), timeZone),
      date: `${d.getUTCFullYear()}${pad(month)}${pad(dayOfMonth)}`,
      label: `${WEEKDAYS[weekday]} ${dayOfMonth} ${MONTHS[month - 1]} ${d.getUTCFullYear()}`,
      monthName: MONTHS[month - 1],
      weekend: weekday === 0 || weekday === 6,
      month,
      dayOfMonth,
      weekday,
    };
  });
}

/** Which nights a plan starts a backup on; 'never' when it never fires. */
export interface PlannedNights {
  nights: boolean[] | 'never';
  /** Minutes after local midnight of today's first run, when one is planned today. */
  firstRunToday: number | null;
  /** Minutes after local midnight now. */
  nowMinute: number;
}

export function plannedNights(plan: CronPlan | null, fires: boolean, nights: readonly Night[], now: Date, timeZone: string): PlannedNights {
  const wall = wallFieldsAt(now.getTime(), timeZone);
  const nowMinute = wall.hour * 60 + wall.minute;
  const parsed = plan && fires ? parseCronPlan(plan) : null;
  if (!parsed) return { nights: 'never', firstRunToday: null, nowMinute };
  const planned = nights.map((n) => matchesDay(parsed, n.month, n.dayOfMonth, n.weekday));
  const today = planned[planned.length - 1];
  const firstRunToday = today ? Math.min(...parsed.fields.hour.values) * 60 + Math.min(...parsed.fields.minute.values) : null;
  return { nights: planned, firstRunToday, nowMinute };
}

export type HistoryIteration = IterationState & { name: string };

/** The outcome of one backup iteration for the night it started on. */
export function backupOutcome(it: HistoryIteration, stuck: ReadonlySet<string>): NightState {
  const { workflow } = describeMode(it.mode);
  // A restore or prune works on an iteration whose backup had completed: that night was good.
  if (workflow === 'restore' || workflow === 'prune' || workflow === 'done') return 'good';
  const health = iterationHealth(it);
  if (health === 'finished') return 'good';
  if (health === 'failed' || health === 'pending' || workflow === 'unknown') return 'failed';
  return stuck.has(it.name) ? 'stuck' : 'running';
}

const RANK: Readonly<Partial<Record<NightState, number>>> = { good: 0, running: 1, stuck: 2, failed: 3 };

export interface NightCellsInput {
  nights: readonly Night[];
  iterations: readonly HistoryIteration[];
  planned: PlannedNights;
  /** Excluded by configuration, or a dynamic clone. */
  excluded: boolean;
  /** When the machine entry was created (ms), when the directory tells. */
  createdAt: number | null;
  /** Iterations the status calls stuck. */
  stuck: ReadonlySet<string>;
}

/** One code per night (see nightStateOf), oldest first. */
export function nightCells(input: NightCellsInput): string {
  const byNight = new Map<string, NightState>();
  let oldest: string | null = null;
  for (const it of input.iterations) {
    const date = it.name.slice(0, 8);
    if (oldest === null || date < oldest) oldest = date;
    const state = backupOutcome(it, input.stuck);
    const seen = byNight.get(date);
    // Several runs in one night: the best one says whether the night ended protected.
    if (seen === undefined || (RANK[state] ?? 9) < (RANK[seen] ?? 9)) byNight.set(date, state);
  }
  const last = input.nights.length - 1;
  let out = '';
  input.nights.forEach((night, i) => {
    const ran = byNight.get(night.date);
    let state: NightState;
    if (ran) state = ran;
    else if (input.createdAt !== null && input.createdAt >= night.endMs) state = 'unrecorded';
    else if (input.excluded) state = 'excluded';
    else if (oldest !== null && night.date < oldest) state = 'unrecorded';
    else if (input.planned.nights === 'never') state = 'missing';
    else if (!input.planned.nights[i]) state = 'unplanned';
    else if (i === last && input.planned.firstRunToday !== null && input.planned.nowMinute < input.planned.firstRunToday) state = 'waiting';
    else state = 'missing';
    out += CODE[state];
  });
  return out;
}

export function emptyNightTotals(count: number): NightTotals {
  return Array.from({ length: count }, () => ({ good: 0, failed: 0, stuck: 0, running: 0, missing: 0, excluded: 0, unplanned: 0, waiting: 0, unrecorded: 0 }));
}

export function addNightCells(totals: NightTotals, cells: string): void {
  for (let i = 0; i < totals.length && i < cells.length; i++) totals[i][nightStateOf(cells[i])] += 1;
}
