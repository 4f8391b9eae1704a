import { formatPeriod } from './duration';

/**
 * The recovery point objective: how old a machine's newest good backup may get before the
 * machine counts as stale. An administrator can set one for the whole cloud and one per pool
 * (the pool's wins); without one, each machine's own plan decides: its period plus a margin,
 * so that a backup that runs a little late does not raise an alarm.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const OBJECTIVE_MARGIN_MS = 6 * HOUR;
/** A plan that never fires has no period; a day is what nearly every installation plans. */
export const UNPLANNED_PERIOD_MS = DAY;
export const MIN_OBJECTIVE_MS = HOUR;
export const MAX_OBJECTIVE_MS = 366 * DAY;

export type ObjectiveSource = 'pool' | 'cloud' | 'plan';

export interface RecoveryPointObjective {
  ms: number;
  source: ObjectiveSource;
  /** Where the value comes from, in words: "30 hours: the plan runs every day, plus 6 hours". */
  text: string;
}

/** Settings the administrator stored; null where none is set. */
export interface ObjectiveSettings {
  cloudMs: number | null;
  /** Keyed by lower-case pool UUID. */
  poolMs: ReadonlyMap<string, number>;
}

export const NO_OBJECTIVES: ObjectiveSettings = { cloudMs: null, poolMs: new Map() };

/** "30 hours", "7 days", "7 days 6 hours", "1.5 hours": exact, since an objective is a number people set. */
export function formatObjective(ms: number): string {
  const hours = ms / HOUR;
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms % DAY === 0) return plural(ms / DAY, 'day');
  if (hours >= 48 && Number.isInteger(hours)) return `${plural(Math.floor(hours / 24), 'day')} ${plural(hours % 24, 'hour')}`;
  return plural(Number.isInteger(hours) ? hours : Number(hours.toFixed(2)), 'hour');
}

/** A fleet has a handful of periods; their objectives (and sentences) are made once each. */
const defaults = new Map<number | null, RecoveryPointObjective>();

export function defaultObjective(periodMs: number | null): RecoveryPointObjective {
  let objective = defaults.get(periodMs);
  if (!objective) {
    objective = makeDefaultObjective(periodMs);
    if (defaults.size < 1000) defaults.set(periodMs, objective);
  }
  return objective;
}

function makeDefaultObjective(periodMs: number | null): RecoveryPointObjective {
  const margin = formatObjective(OBJECTIVE_MARGIN_MS);
  if (periodMs === null) {
    const ms = UNPLANNED_PERIOD_MS + OBJECTIVE_MARGIN_MS;
    return { ms, source: 'plan', text: `${formatObjective(ms)}: the plan never fires, so a day plus ${margin}` };
  }
  const ms = periodMs + OBJECTIVE_MARGIN_MS;
  return { ms, source: 'plan', text: `${formatObjective(ms)}: the plan runs ${formatPeriod(periodMs)}, plus ${margin}` };
}

export function recoveryPointObjective(settings: ObjectiveSettings, poolUuid: string | null, periodMs: number | null): RecoveryPointObjective {
  const pool = poolUuid ? settings.poolMs.get(poolUuid.toLowerCase()) : undefined;
  if (pool !== undefined) return { ms: pool, source: 'pool', text: `${formatObjective(pool)}: the pool's recovery point objective` };
  if (settings.cloudMs !== null) return { ms: settings.cloudMs, source: 'cloud', text: `${formatObjective(settings.cloudMs)}: the cloud-wide recovery point objective` };
  return defaultObjective(periodMs);
}
