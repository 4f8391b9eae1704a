import 'server-only';
import { assertAllowed, requireAccess } from '@/lib/auth/access';
import { requireMachineAccess } from '@/lib/auth/scope';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import type { EffectiveConfig } from '@/lib/backup/config';
import type { MachineStatus } from '@/lib/backup/status';
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
import { assessMachine, effectivePlan, planFactsCache } from './fleet';
import { toIterationRow, type IterationRow } from './iteration-rows';

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
  reason: string;
  lastFinished: Date | null;
  problems: EntryProblem[];
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
  const [machine, devices, dhcp, iterations, machineConfig, cloud] = await Promise.all([
    readMachine(uuid, problems),
    readDevices(uuid, problems),
    readDhcpReservation(uuid),
    readIterations(uuid, problems),
    readMachineBackupConfig(uuid),
    readCloudBackupConfig(),
  ]);
  if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
  const [pool, poolConfig] = machine.poolUuid
    ? await Promise.all([readPool(machine.poolUuid, problems), readPoolBackupConfig(machine.poolUuid)])
    : [null, null];
  const now = new Date();
  const { nodeTimeZone } = env();
  const facts = planFactsCache(nodeTimeZone, now);
  const { effective, classification } = assessMachine(machine, { machine: machineConfig, pool: poolConfig, cloud }, iterations, now, facts);
  const plan = effectivePlan(effective);
  const warnings = facts(plan).warnings;
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
    reason: classification.reason,
    lastFinished: classification.lastFinished,
    problems,
  };
}

export async function loadIterationRows(rawUuid: string): Promise<IterationRow[]> {
  const uuid = assertMachineUuid(rawUuid);
  await requireMachineAccess('view', uuid);
  const problems: EntryProblem[] = [];
  return (await readIterations(uuid, problems)).map(toIterationRow);
}
