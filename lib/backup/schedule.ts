import { brokerRunsOnDay, brokerSchedule } from '../cron/broker';
import type { CronPlan } from '../cron/cron-plan';
import { nextRuns, typicalPeriodMs } from '../cron/next-runs';
import { plannedFromRuns, type Night, type PlannedNights } from './history';
import type { CrontabLine } from './node-crontab';

/**
 * How often the installation's scheduler starts a machine's backups, for health: fc-brokerd's
 * own reading of sstCron* on FOSS-Cloud (fact 8), the node's crontab line on stoney cloud.
 */
export type ScheduleFacts = {
  /** The largest gap between runs over the next eight weeks; null when it never runs. */
  periodMs: number | null;
  /** Why it never runs, one sentence each. */
  warnings: string[];
  next: Date | null;
  /** Days in the coming four years on which fc-brokerd's arithmetic fails for this plan. */
  failures: number;
};

const WINDOW_MS = 8 * 7 * 86_400_000;
const DAY_MS = 86_400_000;

function largestGap(times: number[], fromMs: number): number | null {
  if (times.length === 0) return null;
  if (times.length === 1) return times[0] - fromMs;
  let largest = 0;
  for (let i = 1; i < times.length; i += 1) {
    largest = Math.max(largest, times[i] - times[i - 1]);
    if (times[i] > fromMs + WINDOW_MS) break;
  }
  return largest;
}

export function brokerScheduleFacts(plan: CronPlan, timeZone: string, now: Date): ScheduleFacts {
  const schedule = brokerSchedule(plan, now, 1600, timeZone);
  const times = schedule.runs.map((r) => r.at.getTime());
  const warnings = schedule.refusal
    ? [schedule.refusal]
    : times.length === 0
      ? [schedule.failures.length > 0 ? "fc-brokerd's date arithmetic fails for this plan, so it never starts it." : 'fc-brokerd would never start this plan in the coming years.']
      : [];
  return { periodMs: largestGap(times, now.getTime()), warnings, next: schedule.runs[0]?.at ?? null, failures: schedule.failures.length };
}

/**
 * `lines` null: the node's cron tables were not read (the console assumes the nightly run the
 * wrapper is installed with and says so elsewhere).
 */
export function wrapperScheduleFacts(lines: CrontabLine[] | null, node: string | null, timeZone: string, now: Date): ScheduleFacts {
  if (lines === null) return { periodMs: DAY_MS, warnings: [], next: null, failures: 0 };
  const planned = lines.filter((l): l is CrontabLine & { plan: CronPlan } => l.plan !== null);
  if (planned.length === 0) {
    return { periodMs: null, warnings: [`No crontab line on node ${node ?? '(none)'} runs LDAPKVMWrapper.pl at a time of day.`], next: null, failures: 0 };
  }
  const periods = planned.map((l) => typicalPeriodMs(l.plan, timeZone, now)).filter((p): p is number => p !== null);
  const nexts = planned.flatMap((l) => nextRuns(l.plan, now, 1, timeZone).map((r) => r.at.getTime()));
  return {
    periodMs: periods.length > 0 ? Math.min(...periods) : null,
    warnings: periods.length > 0 ? [] : [`The crontab line on node ${node ?? '(none)'} never runs the wrapper.`],
    next: nexts.length > 0 ? new Date(Math.min(...nexts)) : null,
    failures: 0,
  };
}

/**
 * The history grid's planned nights as fc-brokerd reads the plan: its nights are dates in its
 * zone (it names a leaf by its planned local time), so each is checked as that local day.
 */
export function brokerPlannedNights(plan: CronPlan, facts: Pick<ScheduleFacts, 'warnings'>, nights: readonly Night[], timeZone: string): PlannedNights {
  if (facts.warnings.length > 0) return { nights: 'never', firstRunTodayAt: null };
  const runs = nights.flatMap((n) => {
    const year = Math.floor(n.dateNumber / 10_000);
    return brokerRunsOnDay(plan, { year, month0: n.month - 1, day: n.dayOfMonth, hour: 0, minute: 0 }, timeZone).map((at) => ({ night: n.dateNumber, at }));
  });
  return plannedFromRuns(nights, runs);
}

/** More runs than this in 30 nights: the wrapper runs many times a night, so every night is planned. */
const WRAPPER_RUN_CAP = 2_000;

/**
 * The history grid's planned nights from the node's crontab lines: the stoney wrapper names an
 * iteration by its UTC start (fact 8), so each run counts for its UTC date, whatever the node's
 * zone. Lines not read: the nightly run the wrapper is installed with is assumed, today's still
 * to come until the day ends (the grid says "planned later today" rather than "missing").
 */
export function wrapperPlannedNights(lines: CrontabLine[] | null, nights: readonly Night[], timeZone: string): PlannedNights {
  const last = nights[nights.length - 1];
  if (!last) return { nights: [], firstRunTodayAt: null };
  if (lines === null) return { nights: nights.map(() => true), firstRunTodayAt: last.endMs };
  const start = (nights[0]?.endMs ?? last.endMs) - DAY_MS;
  const runs: { night: number; at: number }[] = [];
  let capped = false;
  for (const line of lines) {
    if (!line.plan) continue;
    const found = nextRuns(line.plan, new Date(start - 60_000), WRAPPER_RUN_CAP, timeZone).filter((r) => r.at.getTime() < last.endMs);
    if (found.length >= WRAPPER_RUN_CAP) capped = true;
    for (const run of found) {
      const d = run.at;
      runs.push({ night: d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate(), at: d.getTime() });
    }
  }
  if (runs.length === 0) return { nights: 'never', firstRunTodayAt: null };
  const planned = plannedFromRuns(nights, runs);
  return capped ? { nights: nights.map(() => true), firstRunTodayAt: planned.firstRunTodayAt } : planned;
}
