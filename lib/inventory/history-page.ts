import 'server-only';
import { NightTally, type Night, type NightTotals } from '@/lib/backup/history';
import type { InstallationKind } from '@/lib/backup/installation';
import { loadFleet, type FleetMachine } from './fleet';
import { filterMachines, type MachineQuery } from './machine-list';
import { byUrgency } from './overview';

/** As many rows as the machine list and a pool page show: a page of 1,500 cells stays small. */
export const HISTORY_PAGE_SIZE = 50;

export interface HistoryPage {
  kind: InstallationKind;
  rows: FleetMachine[];
  total: number;
  page: number;
  pages: number;
  nights: Night[];
  /** Per night, over every machine the filter matches (not only this page). */
  totals: NightTotals;
  pools: { uuid: string; name: string }[];
  nodes: string[];
}

/** Every machine's nights, most urgent first, a page at a time; filtered like the machine list. */
export async function loadHistoryPage(query: MachineQuery): Promise<HistoryPage> {
  const fleet = await loadFleet();
  const matching = filterMachines(fleet.machines, query).sort(byUrgency);
  const tally = new NightTally(fleet.nights.length);
  for (const m of matching) tally.add(m.history);
  const totals = tally.totals();
  const pages = Math.max(1, Math.ceil(matching.length / HISTORY_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  return {
    kind: fleet.kind,
    rows: matching.slice((page - 1) * HISTORY_PAGE_SIZE, page * HISTORY_PAGE_SIZE),
    total: matching.length,
    page,
    pages,
    nights: fleet.nights,
    totals,
    pools: fleet.pools.map((p) => ({ uuid: p.uuid, name: p.name })),
    nodes: [...new Set(fleet.machines.map((m) => m.node).filter((n): n is string => Boolean(n)))].sort(),
  };
}
