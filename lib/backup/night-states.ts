/**
 * The states a night can have in the backup history grid, their one-letter codes (a machine's
 * 30 nights travel as one short string) and their words. No dependencies: the grid, a client
 * component, imports it.
 */
export type NightState = 'good' | 'failed' | 'stuck' | 'running' | 'missing' | 'excluded' | 'unplanned' | 'waiting' | 'unrecorded';

export const NIGHT_STATES: readonly NightState[] = ['good', 'failed', 'stuck', 'running', 'missing', 'excluded', 'unplanned', 'waiting', 'unrecorded'];

export const NIGHT_CODE: Readonly<Record<NightState, string>> = {
  good: 'g',
  failed: 'f',
  stuck: 's',
  running: 'r',
  missing: 'm',
  excluded: 'x',
  unplanned: 'u',
  waiting: 'w',
  unrecorded: 'n',
};

const STATE_OF_CODE: Readonly<Record<string, NightState>> = Object.fromEntries(Object.entries(NIGHT_CODE).map(([s, c]) => [c, s as NightState]));

export function nightStateOf(code: string): NightState {
  return STATE_OF_CODE[code] ?? 'unrecorded';
}

export const NIGHT_LABELS: Readonly<Record<NightState, string>> = {
  good: 'good backup',
  failed: 'backup failed',
  stuck: 'backup stuck',
  running: 'backup running',
  missing: 'no backup, though one was due',
  excluded: 'excluded, no backup',
  unplanned: 'no backup planned',
  waiting: 'planned later today',
  unrecorded: 'no record',
};

/** Per night, how many machines were in each state. */
export type NightTotals = Record<NightState, number>[];
