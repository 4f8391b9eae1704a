import 'server-only';
import { NightTally, type Night, type NightTotals } from '@/lib/backup/history';
import type { InstallationKind } from '@/lib/backup/installation';
import { STATUS_ORDER, type MachineStatus } from '@/lib/backup/status';
import type { EntryProblem } from '@/lib/ldap/entry';
import { loadFleet, type Fleet, type FleetMachine } from './fleet';

export type StatusCounts = Record<MachineStatus, number>;

export interface PoolHealth {
  uuid: string;
  name: string;
  type: string | null;
  machines: number;
  counts: StatusCounts;
  /** The pool's own recovery point objective, when one is set. */
  objectiveMs: number | null;
  nights: NightTotals;
}

export interface Overview {
  kind: InstallationKind;
  total: number;
  /** Per status, how many machines have it: protection statuses add up to the total, activities come on top. */
  counts: StatusCounts;
  attention: FleetMachine[];
  pools: PoolHealth[];
  problems: EntryProblem[];
  readAt: Date;
  nights: Night[];
  /** Per night, over the whole fleet. */
  nightTotals: NightTotals;
  cloudObjectiveMs: number | null;
  /** Dynamic clones among the excluded machines. */
  clones: number;
}

export function emptyCounts(): StatusCounts {
  return Object.fromEntries(STATUS_ORDER.map((s) => [s, 0])) as StatusCounts;
}

type Countable = Pick<FleetMachine, 'protection' | 'activity' | 'blocked'>;

export function countStatuses(machines: readonly Countable[]): StatusCounts {
  const counts = emptyCounts();
  for (const m of machines) count(counts, m);
  return counts;
}

/** Counts a machine under its protection and, if they apply, blocked and its activity. */
function count(counts: StatusCounts, m: Countable): void {
  counts[m.protection] += 1;
  if (m.blocked) counts.blocked += 1;
  if (m.activity) counts[m.activity.kind] += 1;
}

const SEVERITY: Readonly<Record<MachineStatus, number>> = Object.fromEntries(STATUS_ORDER.map((s, i) => [s, i])) as Record<MachineStatus, number>;

/**
 * What an administrator must look at: no recent good backup (stale, never) unless the machine
 * is not backed up on purpose, every machine the stoney wrapper skips (blocked), and every
 * failed or stuck iteration whatever the machine's protection (a stuck leftover on an excluded
 * machine still blocks it once included).
 */
export function needsAttention(m: Countable): boolean {
  return m.protection === 'stale' || m.protection === 'never' || m.blocked !== null || m.activity?.kind === 'failed' || m.activity?.kind === 'stuck';
}

const names = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export function byUrgency(a: FleetMachine, b: FleetMachine): number {
  return SEVERITY[a.status] - SEVERITY[b.status] || names.compare(a.name, b.name);
}

export async function loadOverview(): Promise<Overview> {
  return summarizeFleet(await loadFleet());
}

/** Counts per status, per pool and per night, and the machines needing attention, from one fleet read. */
export function summarizeFleet(fleet: Fleet): Overview {
  const counts = emptyCounts();
  const fleetNights = new NightTally(fleet.nights.length);
  const poolNights = new Map<string, NightTally>();
  const byPool = new Map<string, PoolHealth>(
    fleet.pools.map((p) => [
      p.uuid.toLowerCase(),
      {
        uuid: p.uuid,
        name: p.name,
        type: p.type,
        machines: 0,
        counts: emptyCounts(),
        objectiveMs: fleet.objectives.poolMs.get(p.uuid.toLowerCase()) ?? null,
        nights: [],
      },
    ]),
  );
  let clones = 0;
  for (const machine of fleet.machines) {
    count(counts, machine);
    if (!machine.backupCandidate) clones += 1;
    const key = machine.poolUuid?.toLowerCase() ?? '';
    const pool = byPool.get(key);
    if (pool) {
      pool.machines += 1;
      count(pool.counts, machine);
      let tally = poolNights.get(key);
      if (!tally) {
        tally = new NightTally(fleet.nights.length);
        poolNights.set(key, tally);
      }
      tally.add(machine.history);
    } else {
      fleetNights.add(machine.history);
    }
  }
  // Each machine's nights were added once, to its pool; the fleet's are the pools' together.
  for (const [key, pool] of byPool) {
    const tally = poolNights.get(key) ?? new NightTally(fleet.nights.length);
    pool.nights = tally.totals();
    fleetNights.addTally(tally);
  }
  const nightTotals = fleetNights.totals();
  const attention = fleet.machines.filter(needsAttention).sort(byUrgency);
  return {
    kind: fleet.kind,
    total: fleet.machines.length,
    counts,
    attention,
    pools: [...byPool.values()],
    problems: fleet.problems,
    readAt: fleet.readAt,
    nights: fleet.nights,
    nightTotals,
    cloudObjectiveMs: fleet.objectives.cloudMs,
    clones,
  };
}

export async function loadPoolsHealth(): Promise<{ pools: PoolHealth[]; cloudObjectiveMs: number | null; kind: InstallationKind }> {
  const { pools, cloudObjectiveMs, kind } = await loadOverview();
  return { pools, cloudObjectiveMs, kind };
}
