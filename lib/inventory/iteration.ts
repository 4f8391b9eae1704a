import 'server-only';
import { assertAllowed, requireAccess } from '@/lib/auth/access';
import { requireMachineAccess } from '@/lib/auth/scope';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { resolveEffectiveConfig, type EffectiveConfig } from '@/lib/backup/config';
import { iterationFolder, type IterationFolder } from '@/lib/backup/iteration-files';
import { readInstallation } from '@/lib/backup/installation-reader';
import { listMachineIterationFolders, type NodeIterationFolder } from '@/lib/backup/node-iterations';
import type { EntryProblem } from '@/lib/ldap/entry';
import { readCloudBackupConfig, readIteration, readMachineBackupConfig, readPoolBackupConfig, type Iteration } from '@/lib/ldap/backup';
import { findOpenRestoresOf } from '@/lib/ldap/restore';
import { readDevices, readMachine, type MachineDetail } from '@/lib/ldap/machines';
import { assertMachineUuid } from './machine';
import { toIterationRow, type IterationRow } from './iteration-rows';

export const iterationNamePattern = /^\d{8}T\d{6}Z$/;

export interface IterationView {
  machine: MachineDetail;
  name: string;
  /** Its leaf in the directory; null for an iteration that exists only on the node (stoney cloud). */
  iteration: Iteration | null;
  /** Only on the node: its folder as the node lists it. */
  folderOnNode: NodeIterationFolder | null;
  /**
   * The open restore this page leads to: for a leaf that holds the restore of an iteration
   * without a leaf, that iteration; for an iteration without a leaf, itself while its restore is
   * open. Null otherwise.
   */
  openRestore: string | null;
  effective: EffectiveConfig;
  files: IterationFolder;
  problems: EntryProblem[];
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
  const [machine, iteration, devices, machineConfig, cloud] = await Promise.all([
    readMachine(uuid, problems),
    readIteration(uuid, name, problems),
    readDevices(uuid, problems),
    readMachineBackupConfig(uuid),
    readCloudBackupConfig(),
  ]);
  if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
  const poolConfig = machine.poolUuid ? await readPoolBackupConfig(machine.poolUuid) : null;
  const effective = resolveEffectiveConfig({ machine: machineConfig, pool: poolConfig, cloud });
  const backupRoot = effective.values.rootDirectory?.value;
  const [folderOnNode, openRestores] = await Promise.all([
    iteration ? null : findFolderOnNode(machine, name, typeof backupRoot === 'string' ? backupRoot : null, devices.disks),
    findOpenRestoresOf(uuid),
  ]);
  if (!iteration && !folderOnNode) throw new AppError('not-found', `Machine ${machine.name} has no iteration ${name}.`);
  const openRestore = iteration
    ? (openRestores.find((r) => r.leaf === name && r.iteration !== name)?.iteration ?? null)
    : openRestores.some((r) => r.iteration === name)
      ? name
      : null;
  const files = iterationFolder({
    backupRoot: typeof backupRoot === 'string' ? backupRoot : undefined,
    virtualizationRoot: env().virtualizationRoot,
    disks: devices.disks,
    machineUuid: uuid,
    iteration: name,
  });
  return { machine, name, iteration, folderOnNode, openRestore, effective, files, problems };
}

/**
 * On stoney cloud an iteration without a leaf is its folder on the node (the wrapper keeps one
 * leaf per machine). Not looked for on FOSS-Cloud, where every iteration has its leaf.
 */
async function findFolderOnNode(
  machine: MachineDetail,
  name: string,
  backupRoot: string | null,
  disks: { target: string; device: string | null; sourceFile: string | null }[],
): Promise<NodeIterationFolder | null> {
  if ((await readInstallation()).kind !== 'stoney-cloud') return null;
  const listing = await listMachineIterationFolders({ node: machine.node, backupRoot, virtualizationRoot: env().virtualizationRoot, disks, machineUuid: machine.uuid });
  if (!listing.ok) throw new AppError('command-failed', `Machine ${machine.name} has no leaf for iteration ${name}, and its folders on the node could not be listed: ${listing.reason}`);
  return listing.folders.find((f) => f.isIteration && f.name === name) ?? null;
}

export async function loadIterationRow(rawUuid: string, name: string): Promise<IterationRow> {
  const uuid = assertMachineUuid(rawUuid);
  await requireMachineAccess('view', uuid);
  if (!iterationNamePattern.test(name)) throw new AppError('not-found', 'There is no iteration with this name.');
  const iteration = await readIteration(uuid, name, []);
  if (!iteration) throw new AppError('not-found', 'This iteration no longer exists.');
  return toIterationRow(iteration);
}
