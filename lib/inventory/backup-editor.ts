import 'server-only';
import { requireAccess } from '@/lib/auth/access';
import { checkScope } from '@/lib/auth/scope';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { completeConfigOf } from '@/lib/backup/complete-config';
import { holdsBrokerValues, nodeDaemonTakes, resolveEffectiveConfig, type BackupConfigEntry, type EffectiveConfig } from '@/lib/backup/config';
import { formValuesOf, type ConfigFormValues } from '@/lib/backup/config-schema';
import { checkTarget, inheritedConfig, type BackupTarget } from '@/lib/backup/editing';
import { isDynamicClone } from '@/lib/backup/clones';
import { KIND_LABEL, KIND_RULES, type InstallationKind } from '@/lib/backup/installation';
import { nodeFacts, nodeTimeZone, readInstallation, type InstallationView } from '@/lib/backup/installation-reader';
import { iterationHealth } from '@/lib/backup/iteration';
import type { CrontabLine } from '@/lib/backup/node-crontab';
import { listMachineIterationFolders } from '@/lib/backup/node-iterations';
import { programRows, type ProgramRow } from '@/lib/backup/programs';
import type { RetentionIteration } from '@/lib/backup/retention';
import { encodeStateToken } from '@/lib/backup/state-token';
import { previewCronPlan, type CronPlan, type CronPreview } from '@/lib/cron';
import { readIterations, searchBackupTree, type Iteration, type IterationSummary } from '@/lib/ldap/backup';
import { readStoredBackupEntry } from '@/lib/ldap/backup-config';
import { readDevices, readMachine } from '@/lib/ldap/machines';
import { readFleet, type FleetMachine } from './fleet';

/** A machine whose iterations the retention preview looks at. */
export type RetentionMachine = { uuid: string; name: string; iterations: RetentionIteration[] };

/** The node crontab lines that decide when the machines of this level are backed up (stoney cloud). */
export type NodeScheduleRow = { node: string; timeZone: string; fromNode: boolean; lines: CrontabLine[] | null; reason: string | null };

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
  /** Dynamic clones in scope: never backed up, so they follow nothing (not among the followers). */
  clones: number;
  /** The target machine is a dynamic clone: nothing is written under it. */
  clone: boolean;
  retention: RetentionMachine[];
  /** Followers beyond the retention preview's limit. */
  retentionOmitted: number;
  poolUuid: string | null;
  nodeTimeZone: string;
  kind: InstallationKind;
  kindLabel: string;
  kindReason: string;
  kindRules: (typeof KIND_RULES)[InstallationKind];
  /** Which program reads which level (for a machine; for a pool or the cloud, for its followers). */
  programs: ProgramRow[];
  /** stoney cloud: the crontab lines that decide the schedule, per node. */
  nodeSchedules: NodeScheduleRow[];
  /** FOSS-Cloud pool: machines fc-brokerd still backs up when the pool is excluded (their own level). */
  stillBackedUp: { uuid: string; name: string }[];
  /** stoney cloud pool: the console excluded its machines one by one. */
  membersExcluded: boolean;
  /** stoney cloud machine: excluded together with this pool. */
  excludedWithPool: string | null;
  /** Where the retention preview's iterations come from. */
  retentionSource: 'directory' | 'node' | 'none';
  /** Why the node's folders could not be listed (stoney cloud). */
  retentionProblem: string | null;
}

const RETENTION_LIMIT = 200;

function planOf(form: ConfigFormValues): CronPlan {
  return { minute: form.cronMinute, hour: form.cronHour, day: form.cronDay, month: form.cronMonth, dayOfWeek: form.cronDayOfWeek, active: form.cronActive === 'TRUE' };
}

const retentionOf = (iterations: IterationSummary[]): RetentionIteration[] => iterations.map((i) => ({ name: i.name, health: iterationHealth(i) }));

async function followersOf(target: BackupTarget): Promise<{
  followers: FleetMachine[];
  overriding: FleetMachine[];
  clones: number;
  iterations: Map<string, IterationSummary[]>;
  configs: Map<string, BackupConfigEntry>;
  pools: { uuid: string; name: string; nodes: string[] }[];
}> {
  if (target.level === 'machine') return { followers: [], overriding: [], clones: 0, iterations: new Map(), configs: new Map(), pools: [] };
  const [fleet, tree] = await Promise.all([readFleet(), searchBackupTree([])]);
  // Dynamic clones follow no configuration where the scheduler never backs them up (lib/backup/clones).
  const all = target.level === 'pool' ? fleet.machines.filter((m) => m.poolUuid?.toLowerCase() === target.uuid) : fleet.machines;
  const inScope = all.filter((m) => m.backupCandidate);
  const own = (m: FleetMachine) => {
    const entry = tree.configs.get(m.uuid.toLowerCase());
    return holdsBrokerValues(entry) || nodeDaemonTakes(entry);
  };
  return {
    followers: inScope.filter((m) => (target.level === 'pool' ? !own(m) : m.configLevel === 'cloud' && !own(m))),
    overriding: target.level === 'pool' ? inScope.filter(own) : [],
    clones: all.length - inScope.length,
    iterations: tree.iterations,
    configs: tree.configs,
    pools: fleet.pools,
  };
}

function nodeSchedules(installation: InstallationView, nodes: string[]): NodeScheduleRow[] {
  return [...new Set(nodes.map((n) => n.toLowerCase()))].map((lower) => {
    const node = nodes.find((n) => n.toLowerCase() === lower) ?? lower;
    const facts = nodeFacts(installation, node);
    const zone = nodeTimeZone(installation, node);
    return {
      node,
      timeZone: zone.zone,
      fromNode: zone.fromNode,
      lines: facts?.read ? facts.wrapperLines : null,
      reason: !installation.nodesConfigured ? 'Node access is not configured.' : facts && !facts.read ? facts.reason : facts ? null : 'Not looked at.',
    };
  });
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
  const installation = await readInstallation();
  const kind = installation.kind;
  const [stored, { inherited, above, poolUuid }, scope] = await Promise.all([readStoredBackupEntry(target), inheritedConfig(target, kind), followersOf(target)]);
  let name = 'Cloud-wide';
  let machineIterations: Iteration[] = [];
  let clone = false;
  let machineNode: string | null = null;
  let retentionSource: BackupEditorView['retentionSource'] = target.level === 'machine' || kind === 'foss-cloud' ? 'directory' : 'none';
  let retentionProblem: string | null = null;
  let nodeRetention: RetentionIteration[] | null = null;
  if (target.level === 'machine') {
    const [machine, iterations, devices] = await Promise.all([readMachine(target.uuid, []), readIterations(target.uuid, []), readDevices(target.uuid, [])]);
    if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
    name = machine.name;
    clone = kind === 'foss-cloud' && isDynamicClone(machine);
    machineIterations = iterations;
    machineNode = machine.node;
    if (kind === 'stoney-cloud') {
      const current = resolveEffectiveConfig({ machine: stored.entry, ...above }, kind);
      const root = current.values.rootDirectory.value;
      const listing = await listMachineIterationFolders({
        node: machine.node,
        backupRoot: typeof root === 'string' ? root : null,
        virtualizationRoot: env().virtualizationRoot,
        disks: devices.disks,
        machineUuid: target.uuid,
      });
      retentionSource = 'node';
      if (listing.ok) nodeRetention = listing.folders.filter((f) => f.isIteration).map((f) => ({ name: f.name, health: 'finished' as const }));
      else retentionProblem = listing.reason;
    }
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
      ? resolveEffectiveConfig({ cloud: own }, kind)
      : resolveEffectiveConfig({ ...(target.level === 'machine' ? { machine: own } : { pool: own }), ...above }, kind);
  const ownResolved = own?.hasConfigClass ? resolveEffectiveConfig({ [target.level]: own }, kind) : null;
  const form = formValuesOf(ownResolved ?? inherited);
  const completeness = own?.hasConfigClass ? completeConfigOf(own.values, { needsSchedule: kind === 'foss-cloud' }) : null;
  const now = new Date();
  const zone = kind === 'stoney-cloud' ? nodeTimeZone(installation, machineNode).zone : installation.configuredTimeZone;

  const retentionSourceRows: RetentionMachine[] =
    target.level === 'machine'
      ? [{ uuid: target.uuid, name, iterations: nodeRetention ?? (retentionSource === 'node' ? [] : retentionOf(machineIterations)) }]
      : kind === 'stoney-cloud'
        ? []
        : scope.followers.map((m) => ({ uuid: m.uuid, name: m.name, iterations: retentionOf(scope.iterations.get(m.uuid.toLowerCase()) ?? []) }));

  const nodesInScope =
    target.level === 'machine'
      ? machineNode
        ? [machineNode]
        : []
      : target.level === 'pool'
        ? (scope.pools.find((p) => p.uuid.toLowerCase() === target.uuid)?.nodes ?? [])
        : installation.nodes.map((n) => n.node);
  const stillBackedUp =
    kind === 'foss-cloud' && target.level === 'pool'
      ? scope.overriding.filter((m) => holdsBrokerValues(scope.configs.get(m.uuid.toLowerCase()))).filter((m) => !m.excluded).map((m) => ({ uuid: m.uuid, name: m.name }))
      : [];

  return {
    target,
    name,
    dn: stored.dn,
    token: encodeStateToken(stored.state),
    exists: stored.state.exists,
    hasOwnConfig: stored.state.hasConfigClass,
    consoleCopy: stored.state.copyFingerprint !== null,
    excludedHere: stored.state.values.excludeFromBackup === true || (kind === 'stoney-cloud' && target.level === 'pool' && stored.state.membersExcluded === true),
    effective,
    inherited: target.level === 'cloud' ? null : inherited,
    missing: completeness && !completeness.ok ? completeness.missing : [],
    form,
    preview: previewCronPlan(planOf(form), now, zone, 5, kind),
    followers: scope.followers.map((m) => ({ uuid: m.uuid, name: m.name })),
    overriding: scope.overriding.map((m) => ({ uuid: m.uuid, name: m.name })),
    clones: scope.clones,
    clone,
    retention: retentionSourceRows.slice(0, RETENTION_LIMIT),
    retentionOmitted: Math.max(0, retentionSourceRows.length - RETENTION_LIMIT),
    poolUuid,
    nodeTimeZone: zone,
    kind,
    kindLabel: KIND_LABEL[kind],
    kindReason: installation.reason,
    kindRules: KIND_RULES[kind],
    programs: programRows(effective, machineNode),
    nodeSchedules: kind === 'stoney-cloud' ? nodeSchedules(installation, nodesInScope) : [],
    stillBackedUp,
    membersExcluded: stored.state.membersExcluded === true,
    excludedWithPool: stored.state.excludedWithPool ?? null,
    retentionSource,
    retentionProblem,
  };
}
