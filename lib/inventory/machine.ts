import 'server-only';
import { requireAdmin } from '@/lib/auth/session';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import type { EffectiveConfig } from '@/lib/backup/config';
import { isDynamicClone } from '@/lib/backup/clones';
import { historyNights, nightIndex, plannedNights, type Night } from '@/lib/backup/history';
import type { RecoveryPointObjective } from '@/lib/backup/objective';
import type { Activity, MachineStatus, Protection } from '@/lib/backup/status';
import { stepHistory } from '@/lib/backup/step-limits';
import { describeCronPlan, nextRuns, type CronPlan, type CronRun } from '@/lib/cron';
import type { EntryProblem } from '@/lib/ldap/entry';
import {
  readCloudBackupConfig,
  readIterations,
  readMachineBackupConfig,
  readPoolBackupConfig,
  type Iteration,
} from '@/lib/ldap/backup';
import { readDevices, readDhcpReservation, readMachine, uuidPattern, type DhcpReservation, type Disk, type MachineDetail, type NetworkInterface } from '@/lib/ldap/machines';
import { readPool, type Pool } from '@/lib/ldap/pools';
import { assessMachine, effectivePlan, machineHistory, planFactsCache } from './fleet';
import { toIterationRow, type IterationRow } from './iteration-rows';
import { readObjectivesOrDefaults } from './objectives';

export interface MachineView {
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
  status: MachineStatus;
  protection: Protection;
  protectionReason: string;
  activity: Activity | null;
  reason: string;
  lastGood: Date | null;
  objective: RecoveryPointObjective;
  /** A dynamic clone: never backed up, no configuration of its own is written under it. */
  clone: boolean;
  nights: Night[];
  history: string;
  problems: EntryProblem[];
}

export function assertMachineUuid(uuid: string): string {
  if (!uuidPattern.test(uuid)) throw new AppError('not-found', 'There is no machine with this UUID.');
  return uuid.toLowerCase();
}

export async function loadMachine(rawUuid: string): Promise<MachineView> {
  await requireAdmin();
  return readMachineView(rawUuid);
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
  const { nodeTimeZone, consoleTimeZone } = env();
  const nights = historyNights(now, nodeTimeZone);
  const facts = planFactsCache(nodeTimeZone, now, nights);
  const { effective, classification, facts: planFacts } = assessMachine({
    machine,
    configs: { machine: machineConfig, pool: poolConfig, cloud },
    iterations,
    steps: stepHistory(iterations),
    now,
    facts,
    objectives,
    timeZone: consoleTimeZone,
  });
  const plan = effectivePlan(effective);
  const warnings = planFacts.warnings;
  const nowMinute = plannedNights(null, false, nights, now, nodeTimeZone).nowMinute;
  return {
    machine,
    pool,
    disks: devices.disks,
    interfaces: devices.interfaces,
    dhcp,
    iterations,
    effective,
    plan,
    planText: effective.level === 'none' ? 'No backup plan applies.' : describeCronPlan(plan),
    planWarnings: warnings,
    nextRuns: warnings.length === 0 ? nextRuns(plan, now, 3, nodeTimeZone) : [],
    status: classification.status,
    protection: classification.protection,
    protectionReason: classification.protectionReason,
    activity: classification.activity,
    reason: classification.reason,
    lastGood: classification.lastGood,
    objective: classification.objective,
    clone: isDynamicClone(machine),
    nights,
    history: machineHistory({ nights, index: nightIndex(nights), iterations, facts: planFacts, nowMinute, effective, classification, createdAt: machine.createdAt }),
    problems,
  };
}

export async function loadIterationRows(rawUuid: string): Promise<IterationRow[]> {
  await requireAdmin();
  const uuid = assertMachineUuid(rawUuid);
  const problems: EntryProblem[] = [];
  return (await readIterations(uuid, problems)).map(toIterationRow);
}
