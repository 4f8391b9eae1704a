import 'server-only';
import { STATUS_ORDER, type MachineStatus } from '@/lib/backup/status';
import type { EntryProblem } from '@/lib/ldap/entry';
import { loadFleet, type Fleet, type FleetMachine } from './fleet';

export interface PoolHealth {
  uuid: string;
  name: string;
  type: string | null;
  machines: number;
  counts: Record<MachineStatus, number>;
}

export interface Overview {
  total: number;
  counts: Record<MachineStatus, number>;
  attention: FleetMachine[];
  pools: PoolHealth[];
  problems: EntryProblem[];
  readAt: Date;
}

export function emptyCounts(): Record<MachineStatus, number> {
  return Object.fromEntries(STATUS_ORDER.map((s) => [s, 0])) as Record<MachineStatus, number>;
}

const ATTENTION: MachineStatus[] = ['failed', 'blocked', 'stale', 'never'];

export async function loadOverview(): Promise<Overview> {
  return summarizeFleet(await loadFleet());
}

/** Counts per status, per pool, and the machines needing attention, from one fleet read. */
export function summarizeFleet(fleet: Fleet): Overview {
  const counts = emptyCounts();
  const byPool = new Map<string, PoolHealth>(
    fleet.pools.map((p) => [p.uuid.toLowerCase(), { uuid: p.uuid, name: p.name, type: p.type, machines: 0, counts: emptyCounts() }]),
  );
  for (const machine of fleet.machines) {
    counts[machine.status] += 1;
    const pool = byPool.get(machine.poolUuid?.toLowerCase() ?? '');
    if (pool) {
      pool.machines += 1;
      pool.counts[machine.status] += 1;
    }
  }
  const attention = fleet.machines
    .filter((m) => ATTENTION.includes(m.status))
    .sort((a, b) => ATTENTION.indexOf(a.status) - ATTENTION.indexOf(b.status) || a.name.localeCompare(b.name));
  return {
    total: fleet.machines.length,
    counts,
    attention,
    pools: [...byPool.values()],
    problems: fleet.problems,
    readAt: fleet.readAt,
  };
}

export async function loadPoolsHealth(): Promise<PoolHealth[]> {
  return (await loadOverview()).pools;
}
