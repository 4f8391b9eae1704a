import 'server-only';
import { requireAdmin } from '@/lib/auth/session';
import { AppError } from '@/lib/errors';
import { resolveEffectiveConfig, type EffectiveConfig } from '@/lib/backup/config';
import { NightTally, type Night, type NightTotals } from '@/lib/backup/history';
import { readCloudBackupConfig, readPoolBackupConfig } from '@/lib/ldap/backup';
import type { Pool } from '@/lib/ldap/pools';
import { loadFleet, type FleetMachine } from './fleet';
import { countStatuses, type StatusCounts } from './overview';

export interface PoolView {
  pool: Pool;
  effective: EffectiveConfig;
  machines: FleetMachine[];
  counts: StatusCounts;
  /** Machines whose own configuration overrides the pool's. */
  overriding: number;
  /** Dynamic clones: never backed up, so they follow no configuration. */
  clones: number;
  nights: Night[];
  nightTotals: NightTotals;
  objective: { poolMs: number | null; cloudMs: number | null };
  readAt: Date;
}

export async function loadPoolView(uuid: string): Promise<PoolView> {
  await requireAdmin();
  // The pool's own reads go out with the fleet read instead of after it. The UUID comes from the
  // URL, so a failure there only counts once the pool is known to exist (then it is read again).
  const [fleet, early, cloud] = await Promise.all([
    loadFleet(),
    readPoolBackupConfig(uuid).catch(() => undefined),
    readCloudBackupConfig(),
  ]);
  const pool = fleet.pools.find((p) => p.uuid.toLowerCase() === uuid.toLowerCase());
  if (!pool) throw new AppError('not-found', 'There is no VM pool with this UUID.');
  const poolConfig = early === undefined ? await readPoolBackupConfig(pool.uuid) : early;
  const machines = fleet.machines.filter((m) => m.poolUuid?.toLowerCase() === pool.uuid.toLowerCase());
  const tally = new NightTally(fleet.nights.length);
  for (const m of machines) tally.add(m.history);
  const nightTotals = tally.totals();
  return {
    pool,
    effective: resolveEffectiveConfig({ machine: null, pool: poolConfig, cloud }),
    machines,
    counts: countStatuses(machines),
    overriding: machines.filter((m) => m.backupCandidate && m.configLevel === 'machine').length,
    clones: machines.filter((m) => !m.backupCandidate).length,
    nights: fleet.nights,
    nightTotals,
    objective: { poolMs: fleet.objectives.poolMs.get(pool.uuid.toLowerCase()) ?? null, cloudMs: fleet.objectives.cloudMs },
    readAt: fleet.readAt,
  };
}
