import 'server-only';
import { assertAllowed, requireAccess } from '@/lib/auth/access';
import { readPool } from '@/lib/ldap/pools';
import { AppError } from '@/lib/errors';
import { resolveEffectiveConfig, type EffectiveConfig } from '@/lib/backup/config';
import { NightTally, type Night, type NightTotals } from '@/lib/backup/history';
import type { InstallationKind } from '@/lib/backup/installation';
import { readCloudBackupConfig, readPoolBackupConfig } from '@/lib/ldap/backup';
import { readStoredBackupEntry } from '@/lib/ldap/backup-config';
import type { Pool } from '@/lib/ldap/pools';
import { loadFleet, type FleetMachine } from './fleet';
import { countStatuses, type StatusCounts } from './overview';

export interface PoolView {
  kind: InstallationKind;
  pool: Pool;
  effective: EffectiveConfig;
  machines: FleetMachine[];
  counts: StatusCounts;
  /** Machines whose own configuration overrides the pool's. */
  overriding: number;
  /** Dynamic clones on FOSS-Cloud: never backed up, so they follow no configuration. */
  clones: number;
  nights: Night[];
  nightTotals: NightTotals;
  objective: { poolMs: number | null; cloudMs: number | null };
  readAt: Date;
  /**
   * Whether the pool is excluded as the console excludes pools in this kind: its own flag on
   * FOSS-Cloud, its machines one by one on stoney cloud (where nothing reads a pool's flag).
   */
  excludedHere: boolean;
}

export async function loadPoolView(uuid: string): Promise<PoolView> {
  const access = await requireAccess('view');
  // The pool's own reads go out with the fleet read instead of after it. The UUID comes from the
  // URL, so a failure there only counts once the pool is known to exist (then it is read again).
  const [fleet, early, cloud] = await Promise.all([
    loadFleet(),
    readPoolBackupConfig(uuid).catch(() => undefined),
    readCloudBackupConfig(),
  ]);
  const pool = fleet.pools.find((p) => p.uuid.toLowerCase() === uuid.toLowerCase());
  if (!pool) {
    // Not in what this person may see: say whether it is theirs to see rather than pretend it is missing.
    const hidden = await readPool(uuid, []).catch(() => null);
    if (hidden) assertAllowed(access, 'view', { kind: 'pool', name: hidden.name, uuid: hidden.uuid.toLowerCase() });
    throw new AppError('not-found', 'There is no VM pool with this UUID.');
  }
  const [poolConfig, stored] = await Promise.all([
    early === undefined ? readPoolBackupConfig(pool.uuid) : Promise.resolve(early),
    fleet.kind === 'stoney-cloud' ? readStoredBackupEntry({ level: 'pool', uuid: pool.uuid.toLowerCase() }) : Promise.resolve(null),
  ]);
  const machines = fleet.machines.filter((m) => m.poolUuid?.toLowerCase() === pool.uuid.toLowerCase());
  const tally = new NightTally(fleet.nights.length);
  for (const m of machines) tally.add(m.history);
  const nightTotals = tally.totals();
  return {
    kind: fleet.kind,
    pool,
    effective: resolveEffectiveConfig({ machine: null, pool: poolConfig, cloud }, fleet.kind),
    machines,
    counts: countStatuses(machines),
    overriding: machines.filter((m) => m.backupCandidate && m.configLevel === 'machine').length,
    clones: machines.filter((m) => !m.backupCandidate).length,
    nights: fleet.nights,
    nightTotals,
    objective: { poolMs: fleet.objectives.poolMs.get(pool.uuid.toLowerCase()) ?? null, cloudMs: fleet.objectives.cloudMs },
    readAt: fleet.readAt,
    excludedHere: fleet.kind === 'stoney-cloud' ? stored?.state.membersExcluded === true : poolConfig?.values.excludeFromBackup === true,
  };
}
