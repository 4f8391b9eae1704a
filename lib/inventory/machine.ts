import 'server-only';
import { assertAllowed, requireAccess } from '@/lib/auth/access';
import { requireMachineAccess } from '@/lib/auth/scope';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import type { EffectiveConfig } from '@/lib/backup/config';
import { isDynamicClone } from '@/lib/backup/clones';
import { nightIndex, type Night } from '@/lib/backup/history';
import { KIND_LABEL, type InstallationKind } from '@/lib/backup/installation';
import { installationKind, nodeFacts, nodeTimeZone, readInstallation, type InstallationView } from '@/lib/backup/installation-reader';
import { namesAgainstPlan, type NameMismatch } from '@/lib/backup/iteration-names';
import type { CrontabLine } from '@/lib/backup/node-crontab';
import { listMachineIterationFolders, type NodeIterationListing } from '@/lib/backup/node-iterations';
import { programRows, type ProgramRow } from '@/lib/backup/programs';
import { stepHistory } from '@/lib/backup/step-limits';
import type { BackupVerdict } from '@/lib/backup/verdict';
import { brokerMisreadings, brokerSchedule, describeCronPlan, nextRuns, type BrokerRun, type CronPlan, type CronRun } from '@/lib/cron';
import type { EntryProblem } from '@/lib/ldap/entry';
import { readCloudBackupConfig, readIterations, readMachineBackupConfig, readPoolBackupConfig, type Iteration } from '@/lib/ldap/backup';
import { readBackupSubtree } from '@/lib/ldap/backup-config';
import { findOpenRestoresOf } from '@/lib/ldap/restore';
import {
  readDevices,
  readDhcpReservation,
  readMachine,
  uuidPattern,
  type DhcpReservation,
  type Disk,
  type MachineDetail,
  type NetworkInterface,
} from '@/lib/ldap/machines';
import { readPool, type Pool } from '@/lib/ldap/pools';
import { assessMachine, effectivePlan, fleetNights, machineHistory, planFactsCache, type MachineClassification } from './fleet';
import { toIterationRow, type IterationRow } from './iteration-rows';
import { readObjectivesOrDefaults } from './objectives';

export interface MachineView extends MachineClassification {
  machine: MachineDetail;
  pool: Pool | null;
  disks: Disk[];
  interfaces: NetworkInterface[];
  dhcp: DhcpReservation | null;
  iterations: Iteration[];
  effective: EffectiveConfig;
  plan: CronPlan;
  planText: string;
  planWarnings: string[];
  nextRuns: CronRun[];
  /** A dynamic clone on FOSS-Cloud: never backed up, no configuration of its own is written under it. */
  clone: boolean;
  /** The history grid's nights and this machine's cells (lib/backup/history). */
  nights: Night[];
  history: string;
  problems: EntryProblem[];
  kind: InstallationKind;
  kindLabel: string;
  /** Whether the installation's scheduler goes on backing it up, and why. */
  verdict: BackupVerdict;
  programs: ProgramRow[];
  schedule: MachineSchedule;
  /** stoney cloud: the iteration folders on the machine's node (older iterations exist only there). */
  nodeIterations: NodeIterationListing | null;
  /** Open restores, each with the leaf that holds its modes (another leaf than its own for an iteration that exists only on the node). */
  openRestores: { iteration: string; leaf: string }[];
  /** Existing iteration names that do not fit the plan as their program names them. */
  nameMismatches: NameMismatch[];
}

/** When the machine is backed up, as the program that decides reads it. */
export type MachineSchedule =
  | {
      by: 'broker';
      timeZone: string;
      plan: CronPlan;
      text: string;
      refusal: string | null;
      /** fc-brokerd's next runs, and what cron would make of the same fields. */
      runs: BrokerRun[];
      cronRuns: CronRun[];
      differs: boolean;
      misreadings: string[];
      failures: number;
      /** The machine's node tells another time zone than the one fc-brokerd's times are computed in. */
      zoneNote: string | null;
    }
  | {
      by: 'node-crontab';
      node: string | null;
      timeZone: { zone: string; fromNode: boolean };
      /** null: the node's cron tables could not be read (reason says why). */
      lines: CrontabLine[] | null;
      reason: string | null;
      runs: CronRun[];
    };

function scheduleOf(installation: InstallationView, effective: EffectiveConfig, node: string | null, now: Date): MachineSchedule {
  if (installation.kind === 'foss-cloud') {
    const plan = effectivePlan(effective);
    const zone = installation.configuredTimeZone;
    const broker = brokerSchedule(plan, now, 3, zone);
    const cron = nextRuns(plan, now, 3, zone);
    const told = nodeFacts(installation, node);
    const nodeZone = told?.read ? told.timeZone : null;
    return {
      by: 'broker',
      timeZone: zone,
      plan,
      text: effective.broker?.level === 'none' ? 'No backup plan applies.' : describeCronPlan(plan),
      refusal: broker.refusal,
      runs: broker.runs,
      cronRuns: cron,
      differs: broker.runs.length !== cron.length || broker.runs.some((r, i) => r.at.getTime() !== cron[i]?.at.getTime()),
      misreadings: brokerMisreadings(plan, effective.broker?.multiValued ?? []).map((m) => m.text),
      failures: broker.failures.length,
      zoneNote:
        nodeZone && nodeZone !== zone
          ? `Node ${node} says its time zone is ${nodeZone}; these times are computed in ${zone} (NODE_TIME_ZONE), the zone fc-brokerd is set to run in. Set NODE_TIME_ZONE to the broker's zone if it differs.`
          : null,
    };
  }
  const facts = nodeFacts(installation, node);
  const zone = nodeTimeZone(installation, node);
  const lines = facts?.read ? facts.wrapperLines : null;
  const reason = !node
    ? 'The machine names no node.'
    : !installation.nodesConfigured
      ? 'The console is not configured to reach the nodes, so it cannot read their crontab.'
      : facts && !facts.read
        ? facts.reason
        : facts
          ? null
          : `Node ${node} is not in the directory's node list, so its crontab was not read.`;
  const runs = (lines ?? [])
    .flatMap((l) => (l.plan ? nextRuns(l.plan, now, 3, zone.zone) : []))
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .slice(0, 3);
  return { by: 'node-crontab', node, timeZone: zone, lines, reason, runs };
}

export function assertMachineUuid(uuid: string): string {
  if (!uuidPattern.test(uuid)) throw new AppError('not-found', 'There is no machine with this UUID.');
  return uuid.toLowerCase();
}

export async function loadMachine(rawUuid: string): Promise<MachineView> {
  const access = await requireAccess('view');
  const view = await readMachineView(rawUuid);
  assertAllowed(access, 'view', { kind: 'machine', name: view.machine.name, pool: view.machine.poolUuid?.toLowerCase() ?? null });
  return view;
}

/** Everything the machine page shows, read in parallel (one round trip per entry type). */
export async function readMachineView(rawUuid: string): Promise<MachineView> {
  const uuid = assertMachineUuid(rawUuid);
  const problems: EntryProblem[] = [];
  const [machine, devices, dhcp, iterations, machineConfig, cloud, objectives] = await Promise.all([
    readMachine(uuid, problems),
    readDevices(uuid, problems),
    readDhcpReservation(uuid),
    readIterations(uuid, problems),
    readMachineBackupConfig(uuid),
    readCloudBackupConfig(),
    readObjectivesOrDefaults(problems),
  ]);
  if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
  const [pool, poolConfig] = machine.poolUuid
    ? await Promise.all([readPool(machine.poolUuid, problems), readPoolBackupConfig(machine.poolUuid)])
    : [null, null];
  const now = new Date();
  const installation = await readInstallation();
  const kind = installation.kind;
  const stoney = kind === 'stoney-cloud';
  const [subtree, openRestores] = await Promise.all([stoney ? readBackupSubtree(uuid) : null, findOpenRestoresOf(uuid)]);
  const leaves = iterations.map((i) => ({
    ...i,
    ...(subtree ? { hasChildren: subtree.below.some((b) => b.leafDn.toLowerCase() === i.dn.toLowerCase()) } : {}),
  }));
  const nights = fleetNights(installation, now);
  const facts = planFactsCache(installation, now, nights);
  const hasBackupEntry = subtree ? subtree.backup !== null : iterations.length > 0 || machineConfig !== null;
  const assessment = assessMachine({
    machine,
    configs: { machine: machineConfig, pool: poolConfig, cloud },
    iterations: leaves,
    steps: stepHistory(iterations),
    now,
    facts,
    objectives,
    timeZone: env().consoleTimeZone,
    installation,
    hasBackupEntry,
    leaves,
    heldRestores: Object.fromEntries(openRestores.filter((r) => r.leaf !== r.iteration).map((r) => [r.leaf, r.iteration])),
  });
  const { effective, classification, verdict } = assessment;
  const { latest: _latest, ...machineClassification } = classification;
  const plan = effectivePlan(effective);
  const warnings = assessment.facts.warnings;
  const schedule = scheduleOf(installation, effective, machine.node, now);
  const backupRoot = effective.values.rootDirectory.value;
  const nodeIterations = stoney
    ? await listMachineIterationFolders({
        node: machine.node,
        backupRoot: typeof backupRoot === 'string' ? backupRoot : null,
        virtualizationRoot: env().virtualizationRoot,
        disks: devices.disks,
        machineUuid: uuid,
      })
    : null;
  const names = [
    ...iterations.map((i) => i.name),
    ...(nodeIterations?.ok ? nodeIterations.folders.filter((f) => f.isIteration).map((f) => f.name) : []),
  ];
  const mismatchPlan =
    schedule.by === 'broker'
      ? effective.broker?.level === 'none'
        ? null
        : schedule.plan
      : (schedule.lines?.find((l) => l.plan)?.plan ?? null);
  const mismatchZone = schedule.by === 'broker' ? schedule.timeZone : schedule.timeZone.zone;
  return {
    machine,
    pool,
    disks: devices.disks,
    interfaces: devices.interfaces,
    dhcp,
    iterations,
    effective,
    plan,
    planText: schedule.by === 'broker' ? schedule.text : "The node's crontab decides (the sstCron* fields are unused on stoney cloud).",
    planWarnings: warnings,
    nextRuns: schedule.by === 'broker' ? [] : schedule.runs,
    ...machineClassification,
    clone: kind === 'foss-cloud' && isDynamicClone(machine),
    nights,
    history: machineHistory({
      nights,
      index: nightIndex(nights),
      iterations,
      assessment,
      now: now.getTime(),
      createdAt: machine.createdAt,
    }),
    problems,
    kind,
    kindLabel: KIND_LABEL[kind],
    verdict,
    programs: programRows(effective, machine.node),
    schedule,
    nodeIterations,
    openRestores,
    nameMismatches: namesAgainstPlan(kind, [...new Set(names)].sort().reverse().slice(0, 20), mismatchPlan, mismatchZone),
  };
}

export async function loadIterationRows(rawUuid: string): Promise<IterationRow[]> {
  const uuid = assertMachineUuid(rawUuid);
  await requireMachineAccess('view', uuid);
  const problems: EntryProblem[] = [];
  const [iterations, kind] = await Promise.all([readIterations(uuid, problems), installationKind()]);
  return iterations.map((i) => toIterationRow(i, kind));
}
