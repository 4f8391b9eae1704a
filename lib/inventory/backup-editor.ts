import 'server-only';
import { requireAccess } from '@/lib/auth/access';
import { checkScope } from '@/lib/auth/scope';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { completeConfigOf } from '@/lib/backup/complete-config';
import { resolveEffectiveConfig, type BackupConfigEntry, type EffectiveConfig } from '@/lib/backup/config';
import { formValuesOf, type ConfigFormValues } from '@/lib/backup/config-schema';
import { checkTarget, inheritedConfig, type BackupTarget } from '@/lib/backup/editing';
import { iterationHealth } from '@/lib/backup/iteration';
import type { RetentionIteration } from '@/lib/backup/retention';
import { encodeStateToken } from '@/lib/backup/state-token';
import { previewCronPlan, type CronPlan, type CronPreview } from '@/lib/cron';
import { readIterations, searchBackupTree, type Iteration, type IterationSummary } from '@/lib/ldap/backup';
import { readStoredBackupEntry } from '@/lib/ldap/backup-config';
import { readMachine } from '@/lib/ldap/machines';
import { readFleet, type FleetMachine } from './fleet';

/** A machine whose iterations the retention preview looks at. */
export type RetentionMachine = { uuid: string; name: string; iterations: RetentionIteration[] };

export interface BackupEditorView {
  target: BackupTarget;
  name: string;
  dn: string;
  /** The entry as read, for the no-lost-update check on save. */
  token: string;
  exists: boolean;
  hasOwnConfig: boolean;
  /** The console copied the inherited configuration here to store the exclude flag. */
  consoleCopy: boolean;
  /** The flag on this entry itself (not inherited). */
  excludedHere: boolean;
  /** What applies to the machine / the pool's machines / the cloud now. */
  effective: EffectiveConfig;
  /** What would apply without this entry's own configuration (null for the cloud). */
  inherited: EffectiveConfig | null;
  /** What the own configuration lacks, when it is a partial override. */
  missing: string[];
  form: ConfigFormValues;
  preview: CronPreview;
  /** Machines that follow this level (for a pool: those without their own configuration). */
  followers: { uuid: string; name: string }[];
  /** Machines in the pool with their own configuration. */
  overriding: { uuid: string; name: string }[];
  retention: RetentionMachine[];
  /** Followers beyond the retention preview's limit. */
  retentionOmitted: number;
  poolUuid: string | null;
  nodeTimeZone: string;
}

const RETENTION_LIMIT = 200;

function planOf(form: ConfigFormValues): CronPlan {
  return { minute: form.cronMinute, hour: form.cronHour, day: form.cronDay, month: form.cronMonth, dayOfWeek: form.cronDayOfWeek, active: form.cronActive === 'TRUE' };
}

const retentionOf = (iterations: IterationSummary[]): RetentionIteration[] => iterations.map((i) => ({ name: i.name, health: iterationHealth(i) }));

async function followersOf(
  target: BackupTarget,
): Promise<{ followers: FleetMachine[]; overriding: FleetMachine[]; iterations: Map<string, IterationSummary[]>; pools: { uuid: string; name: string }[] }> {
  if (target.level === 'machine') return { followers: [], overriding: [], iterations: new Map(), pools: [] };
  const [fleet, tree] = await Promise.all([readFleet(), searchBackupTree([])]);
  const inScope = target.level === 'pool' ? fleet.machines.filter((m) => m.poolUuid?.toLowerCase() === target.uuid) : fleet.machines;
  return {
    followers: inScope.filter((m) => (target.level === 'pool' ? m.configLevel !== 'machine' : m.configLevel === 'cloud')),
    overriding: target.level === 'pool' ? inScope.filter((m) => m.configLevel === 'machine') : [],
    iterations: tree.iterations,
    pools: fleet.pools,
  };
}

/** The configuration pages are for changing it, so they need the configure right for what they edit. */
export async function loadBackupEditor(target: BackupTarget): Promise<BackupEditorView> {
  const access = await requireAccess('configure');
  const checked = checkTarget(target);
  await checkScope(access, 'configure', checked.level === 'cloud' ? 'cloud' : checked.level === 'pool' ? { pool: checked.uuid } : { machine: checked.uuid });
  return readBackupEditor(checked);
}

/** Everything the configuration pages show for the cloud, a pool or a machine. */
export async function readBackupEditor(rawTarget: BackupTarget): Promise<BackupEditorView> {
  const target = checkTarget(rawTarget);
  const [stored, { inherited, above, poolUuid }, scope] = await Promise.all([readStoredBackupEntry(target), inheritedConfig(target), followersOf(target)]);
  let name = 'Cloud-wide';
  let machineIterations: Iteration[] = [];
  if (target.level === 'machine') {
    const [machine, iterations] = await Promise.all([readMachine(target.uuid, []), readIterations(target.uuid, [])]);
    if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
    name = machine.name;
    machineIterations = iterations;
  } else if (target.level === 'pool') {
    const pool = scope.pools.find((p) => p.uuid.toLowerCase() === target.uuid);
    if (!pool) throw new AppError('not-found', 'There is no VM pool with this UUID.');
    name = pool.name;
  }
  if (target.level === 'cloud' && !stored.state.exists) {
    throw new AppError('not-found', 'The directory has no cloud-wide backup configuration (ou=backup,ou=configuration).');
  }

  const own: BackupConfigEntry | null = stored.entry;
  const effective =
    target.level === 'cloud'
      ? resolveEffectiveConfig({ cloud: own })
      : resolveEffectiveConfig({ ...(target.level === 'machine' ? { machine: own } : { pool: own }), ...above });
  const ownResolved = own?.hasConfigClass ? resolveEffectiveConfig({ [target.level]: own }) : null;
  const form = formValuesOf(ownResolved ?? inherited);
  const completeness = own?.hasConfigClass ? completeConfigOf(own.values) : null;
  const now = new Date();
  const nodeTimeZone = env().nodeTimeZone;

  const retentionSource: RetentionMachine[] =
    target.level === 'machine'
      ? [{ uuid: target.uuid, name, iterations: retentionOf(machineIterations) }]
      : scope.followers.map((m) => ({ uuid: m.uuid, name: m.name, iterations: retentionOf(scope.iterations.get(m.uuid.toLowerCase()) ?? []) }));

  return {
    target,
    name,
    dn: stored.dn,
    token: encodeStateToken(stored.state),
    exists: stored.state.exists,
    hasOwnConfig: stored.state.hasConfigClass,
    consoleCopy: stored.state.copyFingerprint !== null,
    excludedHere: stored.state.values.excludeFromBackup === true,
    effective,
    inherited: target.level === 'cloud' ? null : inherited,
    missing: completeness && !completeness.ok ? completeness.missing : [],
    form,
    preview: previewCronPlan(planOf(form), now, nodeTimeZone),
    followers: scope.followers.map((m) => ({ uuid: m.uuid, name: m.name })),
    overriding: scope.overriding.map((m) => ({ uuid: m.uuid, name: m.name })),
    retention: retentionSource.slice(0, RETENTION_LIMIT),
    retentionOmitted: Math.max(0, retentionSource.length - RETENTION_LIMIT),
    poolUuid,
    nodeTimeZone,
  };
}
