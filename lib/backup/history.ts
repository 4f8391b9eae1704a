import { offsetAt, wallFieldsAt } from '../cron/time-zone';
import { iterationHealth, type IterationState } from './iteration';
import { describeMode } from './modes';
import { NIGHT_CODE as CODE, NIGHT_STATES, type NightState, type NightTotals } from './night-states';

/**
 * The last nights of a machine's backups, one cell per night, for the history grid.
 *
 * A night is the date in an iteration's name: fc-brokerd names iterations by its local time
 * (NODE_TIME_ZONE), the stoney wrapper by UTC (daemons.md, fact 8), so the nights are dates in
 * that zone. Each night gets the outcome
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
  /** The same as a number, for quick comparisons. */
  dateNumber: number;
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
  /** The same instant as GeneralizedTime (YYYYMMDDhhmmssZ), to compare with createTimestamp as read. */
  endStamp: string;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** The last `count` dates in the zone iterations are named in, oldest first; the last one is today. */
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
    const endMs = wallEnd - offsetAt(wallEnd - offsetAt(wallEnd, timeZone), timeZone);
    return {
      endMs,
      endStamp: new Date(endMs).toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:T]/g, ''),
      date: `${d.getUTCFullYear()}${pad(month)}${pad(dayOfMonth)}`,
      dateNumber: d.getUTCFullYear() * 10_000 + month * 100 + dayOfMonth,
      label: `${WEEKDAYS[weekday]} ${dayOfMonth} ${MONTHS[month - 1]} ${d.getUTCFullYear()}`,
      monthName: MONTHS[month - 1],
      weekend: weekday === 0 || weekday === 6,
      month,
      dayOfMonth,
      weekday,
    };
  });
}

/**
 * Which nights the installation's scheduler starts a backup on ('never' when it never does), and
 * when today's first run starts (an instant), while it is still to come. Made by
 * lib/backup/schedule.ts from the scheduler's own reading of the plan.
 */
export interface PlannedNights {
  nights: boolean[] | 'never';
  firstRunTodayAt: number | null;
}

/** Planned nights from the scheduler's runs: each with the night its iteration is named by (dateNumber) and its instant. */
export function plannedFromRuns(nights: readonly Night[], runs: Iterable<{ night: number; at: number }>): PlannedNights {
  const index = nightIndex(nights);
  const planned = nights.map(() => false);
  const last = nights.length - 1;
  let firstRunTodayAt: number | null = null;
  for (const run of runs) {
    const i = index.get(run.night);
    if (i === undefined) continue;
    planned[i] = true;
    if (i === last && (firstRunTodayAt === null || run.at < firstRunTodayAt)) firstRunTodayAt = run.at;
  }
  return { nights: planned, firstRunTodayAt };
}

export type HistoryIteration = IterationState & { name: string };

/**
 * Outcomes by mode, then by (failed code, state not '0'): a fleet has tens of thousands of
 * iterations but a handful of such combinations, so each is worked out once.
 */
const outcomes = new Map<string, (NightState | undefined)[]>();

/** The outcome of one backup iteration for the night it started on. */
export function backupOutcome(it: HistoryIteration, stuck: string | null): NightState {
  let byState = outcomes.get(it.mode);
  if (!byState) {
    byState = [];
    if (outcomes.size < 1000) outcomes.set(it.mode, byState);
  }
  const slot = (it.returnValue !== null && it.returnValue !== 0 ? 2 : 0) + (it.state === '0' ? 0 : 1);
  let state = byState[slot];
  if (state === undefined) {
    const { workflow } = describeMode(it.mode);
    const health = iterationHealth(it);
    // A restore or prune works on an iteration whose backup had completed: that night was good.
    if (workflow === 'restore' || workflow === 'prune' || workflow === 'done' || health === 'finished') state = 'good';
    else if (health === 'failed' || health === 'pending' || workflow === 'unknown') state = 'failed';
    else state = 'running';
    byState[slot] = state;
  }
  return state === 'running' && it.name === stuck ? 'stuck' : state;
}

const RANK: Readonly<Partial<Record<NightState, number>>> = { good: 0, running: 1, stuck: 2, failed: 3 };

export interface NightCellsInput {
  nights: readonly Night[];
  /** Night index by date (YYYYMMDD as a number), made once per read with nightIndex(). */
  index: ReadonlyMap<number, number>;
  iterations: readonly HistoryIteration[];
  planned: PlannedNights;
  /** The read's time (ms): today's run is still to come before it. */
  now: number;
  /** Excluded by configuration, or a dynamic clone. */
  excluded: boolean;
  /** The machine entry's createTimestamp as the directory holds it (GeneralizedTime, UTC), if any. */
  createdAt: string | null;
  /** The iteration the status calls stuck. */
  stuck: string | null;
}

export function nightIndex(nights: readonly Night[]): Map<number, number> {
  return new Map(nights.map((n, i) => [n.dateNumber, i]));
}

/** YYYYMMDD of an iteration name as a number, without making a substring (46,000 names a read). */
function dateNumber(name: string): number {
  let n = 0;
  for (let i = 0; i < 8; i++) n = n * 10 + (name.charCodeAt(i) - 48);
  return n;
}

/** Reused by every call: nightCells runs once per machine per fleet read. */
const ran: (NightState | undefined)[] = [];
const codes: number[] = [];
const CHAR: Readonly<Record<NightState, number>> = Object.fromEntries(Object.entries(CODE).map(([s, c]) => [s, c.charCodeAt(0)])) as Record<NightState, number>;

/** One code per night (see nightStateOf), oldest first, as one flat string. */
export function nightCells(input: NightCellsInput): string {
  for (let i = 0; i < input.nights.length; i++) ran[i] = undefined;
  let oldest = Infinity;
  for (const it of input.iterations) {
    const date = dateNumber(it.name);
    if (date < oldest) oldest = date;
    const i = input.index.get(date);
    if (i === undefined) continue;
    const state = backupOutcome(it, input.stuck);
    const seen = ran[i];
    // Several runs in one night: the best one says whether the night ended protected.
    if (seen === undefined || (RANK[state] ?? 9) < (RANK[seen] ?? 9)) ran[i] = state;
  }
  const last = input.nights.length - 1;
  const { nights: planned, firstRunTodayAt } = input.planned;
  codes.length = 0;
  for (let i = 0; i <= last; i++) {
    const night = input.nights[i];
    let state: NightState;
    const done = ran[i];
    if (done !== undefined) state = done;
    else if (input.createdAt !== null && input.createdAt >= night.endStamp) state = 'unrecorded';
    else if (input.excluded) state = 'excluded';
    else if (oldest !== Infinity && night.dateNumber < oldest) state = 'unrecorded';
    else if (planned === 'never') state = 'missing';
    else if (!planned[i]) state = 'unplanned';
    else if (i === last && firstRunTodayAt !== null && input.now < firstRunTodayAt) state = 'waiting';
    else state = 'missing';
    codes.push(CHAR[state]);
  }
  return String.fromCharCode(...codes);
}

/** Index of each state in NIGHT_STATES by the char code of its letter (-1: not a code). */
const STATE_INDEX = new Int8Array(128).fill(-1);
NIGHT_STATES.forEach((state, i) => {
  STATE_INDEX[CODE[state].charCodeAt(0)] = i;
});
const UNRECORDED = NIGHT_STATES.indexOf('unrecorded');

/**
 * Per night, how many machines were in each state. Counts into one typed array: a fleet read
 * adds 5,000 machines' nights, and per-state objects made that a noticeable part of the read.
 */
export class NightTally {
  private readonly counts: Int32Array;
  constructor(readonly nights: number) {
    this.counts = new Int32Array(nights * NIGHT_STATES.length);
  }

  /** Adds one machine's cells (lib/backup/night-states codes). */
  add(cells: string): void {
    const width = NIGHT_STATES.length;
    for (let i = 0; i < this.nights && i < cells.length; i++) {
      const k = STATE_INDEX[cells.charCodeAt(i)] ?? -1;
      this.counts[i * width + (k >= 0 ? k : UNRECORDED)] += 1;
    }
  }

  /** Adds another tally of as many nights (a pool's to the fleet's). */
  addTally(other: NightTally): void {
    const theirs = other.counts;
    for (let i = 0; i < this.counts.length && i < theirs.length; i++) this.counts[i] += theirs[i];
  }

  totals(): NightTotals {
    const width = NIGHT_STATES.length;
    return Array.from({ length: this.nights }, (_, i) => Object.fromEntries(NIGHT_STATES.map((s, k) => [s, this.counts[i * width + k]])) as Record<NightState, number>);
  }
}
