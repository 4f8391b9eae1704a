import 'server-only';
import { requireAdmin } from '@/lib/auth/session';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { resolveEffectiveConfig, type EffectiveConfig } from '@/lib/backup/config';
import { iterationFolder, type IterationFolder } from '@/lib/backup/iteration-files';
import type { EntryProblem } from '@/lib/ldap/entry';
import { describeActivity, type Activity } from '@/lib/backup/status';
import { stepHistory } from '@/lib/backup/step-limits';
import { readCloudBackupConfig, readIteration, readIterations, readMachineBackupConfig, readPoolBackupConfig, type Iteration } from '@/lib/ldap/backup';
import { readDevices, readMachine, type MachineDetail } from '@/lib/ldap/machines';
import { assertMachineUuid } from './machine';
import { toIterationRow, type IterationRow } from './iteration-rows';

export const iterationNamePattern = /^\d{8}T\d{6}Z$/;

export interface IterationView {
  machine: MachineDetail;
  iteration: Iteration;
  effective: EffectiveConfig;
  files: IterationFolder;
  /** What the iteration is doing, in the machine status's words (null when finished). */
  activity: Activity | null;
  problems: EntryProblem[];
}

export async function loadIteration(rawUuid: string, name: string): Promise<IterationView> {
  await requireAdmin();
  return readIterationView(rawUuid, name);
}

export async function readIterationView(rawUuid: string, name: string): Promise<IterationView> {
  const uuid = assertMachineUuid(rawUuid);
  if (!iterationNamePattern.test(name)) throw new AppError('not-found', 'There is no iteration with this name.');
  const problems: EntryProblem[] = [];
  // All of the machine's iterations: how long a step may take comes from the finished ones.
  const [machine, iterations, devices, machineConfig, cloud] = await Promise.all([
    readMachine(uuid, problems),
    readIterations(uuid, problems),
    readDevices(uuid, problems),
    readMachineBackupConfig(uuid),
    readCloudBackupConfig(),
  ]);
  const iteration = iterations.find((i) => i.name === name) ?? null;
  if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
  if (!iteration) throw new AppError('not-found', `Machine ${machine.name} has no iteration ${name}.`);
  const poolConfig = machine.poolUuid ? await readPoolBackupConfig(machine.poolUuid) : null;
  const effective = resolveEffectiveConfig({ machine: machineConfig, pool: poolConfig, cloud });
  const backupRoot = effective.values.rootDirectory?.value;
  const files = iterationFolder({
    backupRoot: typeof backupRoot === 'string' ? backupRoot : undefined,
    virtualizationRoot: env().virtualizationRoot,
    disks: devices.disks,
    machineUuid: uuid,
    iteration: name,
  });
  const activity = describeActivity(
    iteration,
    { steps: stepHistory(iterations), now: new Date(), timeZone: env().consoleTimeZone },
  );
  return { machine, iteration, effective, files, activity, problems };
}

export async function loadIterationRow(rawUuid: string, name: string): Promise<IterationRow> {
  await requireAdmin();
  const uuid = assertMachineUuid(rawUuid);
  if (!iterationNamePattern.test(name)) throw new AppError('not-found', 'There is no iteration with this name.');
  const iteration = await readIteration(uuid, name, []);
  if (!iteration) throw new AppError('not-found', 'This iteration no longer exists.');
  return toIterationRow(iteration);
}
