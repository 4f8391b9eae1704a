import type { Night } from '@/lib/backup/history';
import type { InstallationKind } from '@/lib/backup/installation';
import { NIGHT_CODE, NIGHT_STATES, type NightState, type NightTotals } from '@/lib/backup/night-states';
import type { FleetMachine } from './fleet';

/** What the history grid gets per night and per row: plain, short values. */
export type GridNight = Pick<Night, 'date' | 'label' | 'dayOfMonth' | 'monthName' | 'weekend'>;

export interface GridRow {
  key: string;
  label: string;
  href?: string;
  /** One night-state code per night (lib/backup/night-states). */
  cells: string;
  /** For a group of machines: per night, how many were in each state (NIGHT_STATES order). */
  counts?: NightCounts;
}

/** Per night, the count of each state in NIGHT_STATES order: compact to send to the browser. */
export type NightCounts = number[][];

export function compactTotals(totals: NightTotals): NightCounts {
  return totals.map((t) => NIGHT_STATES.map((s) => t[s]));
}

export function expandCounts(counts: readonly number[]): Record<NightState, number> {
  return Object.fromEntries(NIGHT_STATES.map((s, i) => [s, counts[i] ?? 0])) as Record<NightState, number>;
}

export function gridNights(nights: readonly Night[]): GridNight[] {
  return nights.map(({ date, label, dayOfMonth, monthName, weekend }) => ({ date, label, dayOfMonth, monthName, weekend }));
}

export function machineRow(m: Pick<FleetMachine, 'uuid' | 'name' | 'history'>): GridRow {
  return { key: m.uuid, label: m.name, href: `/machines/${m.uuid}`, cells: m.history };
}

/**
 * The most telling state of a night across many machines: any failure first, then anything
 * missing; "excluded" only when every machine of the group was.
 */
const WORST_FIRST: readonly NightState[] = ['stuck', 'failed', 'missing', 'running', 'good', 'waiting', 'unplanned', 'unrecorded', 'excluded'];

/** "320 good, 2 failed or stuck, 12 missing": the counts a night has, zeros left out. */
export function totalsText(t: Record<NightState, number>): string {
  const parts = [
    [t.good, 'good'],
    [t.failed + t.stuck, 'failed or stuck'],
    [t.missing, 'missing'],
    [t.running, 'running'],
    [t.excluded, 'excluded'],
  ] as const;
  const shown = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  return shown.length > 0 ? shown.join(', ') : 'nothing due';
}

/** One row for a group of machines (a pool): each night shows its worst state, the tooltip the counts. */
export function aggregateRow(key: string, label: string, href: string, totals: NightTotals): GridRow {
  const cells = totals.map((t) => NIGHT_CODE[WORST_FIRST.find((s) => t[s] > 0) ?? 'unrecorded']).join('');
  return { key, label, href, cells, counts: compactTotals(totals) };
}

/** What a night of the grid is, in the words of the installation's kind (daemons.md, fact 8). */
export function nightsNote(kind: InstallationKind, brokerZone: string): string {
  return kind === 'stoney-cloud'
    ? "A night is the UTC date in an iteration's name (the stoney wrapper names runs in UTC). The directory keeps only each machine's last run, so the nights before it have no record here; the machine page lists the older iterations on its node."
    : `A night is the date in an iteration's name, fc-brokerd's local date (${brokerZone}); nights older than the oldest iteration kept have no record.`;
}
