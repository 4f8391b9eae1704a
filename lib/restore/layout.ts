import 'server-only';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { resolveEffectiveConfig, type EffectiveConfig } from '@/lib/backup/config';
import { iterationFolder } from '@/lib/backup/iteration-files';
import { readCloudBackupConfig, readMachineBackupConfig, readPoolBackupConfig } from '@/lib/ldap/backup';
import { readDevices, readMachine, type Disk, type MachineDetail } from '@/lib/ldap/machines';
import { readPool, searchStoragePools } from '@/lib/ldap/pools';
import { isStrictlyInside, normalizePath, parentDirectory } from '@/lib/ssh/paths';
import type { JournalRecord } from './journal';
import { imageDisks, resolvedFolderOf } from './writes';

type StartedRecord = Extract<JournalRecord, { step: 'started' }>;

export { imageDisks } from './writes';

/**
 * Where a restore's files are: the iteration folder under the backup root, and the retain
 * folder `<retain>/<spDir>/<spUuid>/<vmUuid>/<iteration>/` (spec "Files of an iteration").
 * The resolved files keep the daemon's names without the iteration suffix.
 *
 * Every directory value a path is built from (backup root, retain directory, each disk image,
 * the storage pools' folders) is checked here, before anything runs on the node: an absolute
 * path without `..`, and each below the root it belongs to. A value that fails is refused with
 * the reason, so no restore step starts on it.
 */
export interface RestoreLayout {
  machine: MachineDetail;
  /** The live disks (sstSourceFile is where each live image is). */
  disks: Disk[];
  node: string;
  effective: EffectiveConfig;
  /** The backup root: backup files are read only below it. */
  backupRoot: string;
  backupFolder: string;
  retainFolder: string;
  /** The retain root itself: the console creates, writes and removes only strictly below it. */
  retainRoot: string;
  /** Live images are replaced only strictly below it. */
  virtualizationRoot: string;
  /**
   * The folders a disk image of this machine may be in: the folders of its pool's storage
   * pools, and the folders its images are in now, each strictly below the virtualization root.
   */
  imageFolders: string[];
  xmlName: string;
  ldifName: string;
  stateName: string;
  resolvedXml: string;
  resolvedLdif: string;
  /**
   * Daemon-driven: the console's own copy of the resolved LDIF and XML, beside the retain folder
   * (`<retain folder>.resolved`), because the node daemon's restore removes the retain folder
   * with `rm -rf` and the console may still need them afterwards (the directory decisions are
   * its to apply, fact 1). Below the retain root like the retain folder.
   */
  resolvedFolder: string;
}

/** Why a path from the directory cannot be used, or null. */
function pathProblem(path: string): string | null {
  if (path === '' || !path.startsWith('/')) return 'is not an absolute path';
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'contains a control character';
  if (path.split('/').includes('..')) return 'contains a ".." segment';
  return null;
}

/** A `file:///…` directory value as a path, or the reason it is refused. */
function directoryOf(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new AppError('invalid-input', `No ${what} is configured for this machine.`);
  const match = /^file:\/\/(\/.*)$/i.exec(value.trim());
  if (!match)
    throw new AppError(
      'invalid-input',
      `The ${what} ${JSON.stringify(value)} is not a file:/// URL of an absolute path; the node daemon only supports file://.`,
    );
  const problem = pathProblem(match[1]);
  if (problem) throw new AppError('unsafe-path', `The ${what} ${JSON.stringify(value)} ${problem}; the restore does not use it.`);
  return normalizePath(match[1]);
}

/** Refuses a path from the directory that is not strictly below `root`. */
function below(path: string, root: string, what: string): string {
  const problem = pathProblem(path);
  if (problem) throw new AppError('unsafe-path', `${what} ${JSON.stringify(path)} ${problem}; the restore does not use it.`);
  if (!isStrictlyInside(path, root))
    throw new AppError('unsafe-path', `${what} ${JSON.stringify(path)} is not below ${root}; the restore does not use it.`);
  return normalizePath(path);
}

/** The folders of the storage pools the machine's pool links to (the pool's `ou=storage pools` children). */
async function storagePoolFolders(poolUuid: string | null, virtualizationRoot: string): Promise<string[]> {
  if (!poolUuid) return [];
  const pool = await readPool(poolUuid, []);
  if (!pool || pool.storagePoolUuids.length === 0) return [];
  const linked = new Set(pool.storagePoolUuids.map((u) => u.toLowerCase()));
  const pools = (await searchStoragePools([])).filter((sp) => linked.has(sp.uuid.toLowerCase()));
  return pools.flatMap((sp) =>
    sp.uri
      ? [below(directoryOf(sp.uri, `folder of storage pool ${sp.name}`), virtualizationRoot, `The folder of storage pool ${sp.name}`)]
      : [],
  );
}

export async function readRestoreLayout(machineUuid: string, iteration: string): Promise<RestoreLayout> {
  const [machine, devices, machineConfig, cloud] = await Promise.all([
    readMachine(machineUuid, []),
    readDevices(machineUuid, []),
    readMachineBackupConfig(machineUuid),
    readCloudBackupConfig(),
  ]);
  if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
  if (!machine.node)
    throw new AppError(
      'invalid-input',
      'The machine has no node (sstNode) in the directory, so the console does not know where its files are.',
    );
  const poolConfig = machine.poolUuid ? await readPoolBackupConfig(machine.poolUuid) : null;
  const effective = resolveEffectiveConfig({ machine: machineConfig, pool: poolConfig, cloud });
  const virtualizationRoot = normalizePath(env().virtualizationRoot);
  const backupRoot = directoryOf(effective.values.rootDirectory.value, 'backup root directory');
  const retainRoot = directoryOf(effective.values.retainDirectory.value, 'retain directory');
  const liveImages = imageDisks(devices.disks).map((d) => below(d.sourceFile ?? '', virtualizationRoot, `The disk image of ${d.target}`));
  const poolFolders = await storagePoolFolders(machine.poolUuid, virtualizationRoot);
  const imageFolders = [...new Set([...poolFolders, ...liveImages.map(parentDirectory)])];
  const common = { virtualizationRoot, disks: devices.disks, machineUuid: machine.uuid, iteration };
  const backup = iterationFolder({ ...common, backupRoot: `file://${backupRoot}` });
  if (!backup.ok) throw new AppError('invalid-input', backup.reason);
  const retained = iterationFolder({ ...common, backupRoot: `file://${retainRoot}` });
  if (!retained.ok) throw new AppError('invalid-input', retained.reason.replace('backup root', 'retain directory'));
  const vm = machine.uuid;
  const retainFolder = below(retained.folder, retainRoot, 'The retain folder');
  return {
    machine,
    disks: devices.disks,
    node: machine.node,
    effective,
    backupRoot,
    backupFolder: below(backup.folder, backupRoot, 'The backup folder'),
    retainFolder,
    retainRoot,
    virtualizationRoot,
    imageFolders,
    xmlName: `${vm}.xml.${iteration}`,
    ldifName: `${vm}.ldif.${iteration}`,
    stateName: `${vm}.state.${iteration}`,
    resolvedXml: `${vm}.xml`,
    resolvedLdif: `${vm}.ldif`,
    resolvedFolder: resolvedFolderOf(retainFolder),
  };
}

/**
 * Once a restore has started, its folders are the ones recorded when it started, even if the
 * directory changed meanwhile (a restored disk path can change the folder the layout derives):
 * every step works on the folder that was created, and the recorded values are checked as
 * strictly as the directory's.
 */
export function startedLayout(
  layout: RestoreLayout,
  started: Pick<StartedRecord, 'retainFolder' | 'backupFolder' | 'retainRoot' | 'backupRoot'> | undefined,
): RestoreLayout {
  if (!started) return layout;
  const retainRoot = started.retainRoot ? below(started.retainRoot, '/', 'The recorded retain directory') : layout.retainRoot;
  const backupRoot = started.backupRoot ? below(started.backupRoot, '/', 'The recorded backup root directory') : layout.backupRoot;
  const retainFolder = below(started.retainFolder, retainRoot, 'The recorded retain folder');
  return {
    ...layout,
    retainRoot,
    backupRoot,
    retainFolder,
    resolvedFolder: resolvedFolderOf(retainFolder),
    backupFolder: below(started.backupFolder, backupRoot, 'The recorded backup folder'),
  };
}

/** The daemon writes this text instead of a saved state when the machine was not running. */
export const NOT_RUNNING_MARKER = 'Machine is not runnung, no state file';

export function isNotRunningMarker(text: string): boolean {
  return text.trim().toLowerCase().startsWith('machine is not runn');
}
