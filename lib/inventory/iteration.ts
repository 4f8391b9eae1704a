import 'server-only';
import { assertAllowed, requireAccess } from '@/lib/auth/access';
import { requireMachineAccess } from '@/lib/auth/scope';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { resolveEffectiveConfig, type EffectiveConfig } from '@/lib/backup/config';
import type { InstallationKind } from '@/lib/backup/installation';
import { installationKind } from '@/lib/backup/installation-reader';
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
  kind: InstallationKind;
}

export async function loadIteration(rawUuid: string, name: string): Promise<IterationView> {
  const access = await requireAccess('view');
  const view = await readIterationView(rawUuid, name);
  assertAllowed(access, 'view', { kind: 'machine', name: view.machine.name, pool: view.machine.poolUuid?.toLowerCase() ?? null });
  return view;
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
  const [poolConfig, kind] = await Promise.all([machine.poolUuid ? readPoolBackupConfig(machine.poolUuid) : null, installationKind()]);
  const effective = resolveEffectiveConfig({ machine: machineConfig, pool: poolConfig, cloud }, kind);
  const backupRoot = effective.values.rootDirectory?.value;
  const files = iterationFolder({
    backupRoot: typeof backupRoot === 'string' ? backupRoot : undefined,
    virtualizationRoot: env().virtualizationRoot,
    disks: devices.disks,
    machineUuid: uuid,
    iteration: name,
  });
  const activity = describeActivity(iteration, { steps: stepHistory(iterations), now: new Date(), timeZone: env().consoleTimeZone, kind });
  return { machine, iteration, effective, files, activity, problems, kind };
}

export async function loadIterationRow(rawUuid: string, name: string): Promise<IterationRow> {
  const uuid = assertMachineUuid(rawUuid);
  await requireMachineAccess('view', uuid);
  if (!iterationNamePattern.test(name)) throw new AppError('not-found', 'There is no iteration with this name.');
  const iteration = await readIteration(uuid, name, []);
  if (!iteration) throw new AppError('not-found', 'This iteration no longer exists.');
  return toIterationRow(iteration, await installationKind());
}
