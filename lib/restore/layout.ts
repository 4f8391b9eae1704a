import 'server-only';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { resolveEffectiveConfig, type EffectiveConfig } from '@/lib/backup/config';
import { iterationFolder } from '@/lib/backup/iteration-files';
import { readCloudBackupConfig, readMachineBackupConfig, readPoolBackupConfig } from '@/lib/ldap/backup';
import { readDevices, readMachine, type Disk, type MachineDetail } from '@/lib/ldap/machines';

/**
 * Where a restore's files are: the iteration folder under the backup root, and the retain
 * folder `<retain>/<spDir>/<spUuid>/<vmUuid>/<iteration>/` (spec "Files of an iteration").
 * The resolved files keep the daemon's names without the iteration suffix.
 */
export interface RestoreLayout {
  machine: MachineDetail;
  /** The live disks (sstSourceFile is where each live image is). */
  disks: Disk[];
  node: string;
  effective: EffectiveConfig;
  backupFolder: string;
  retainFolder: string;
  /** The retain root itself: destructive commands are only allowed strictly below it. */
  retainRoot: string;
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

export async function readRestoreLayout(machineUuid: string, iteration: string): Promise<RestoreLayout> {
  const [machine, devices, machineConfig, cloud] = await Promise.all([
    readMachine(machineUuid, []),
    readDevices(machineUuid, []),
    readMachineBackupConfig(machineUuid),
    readCloudBackupConfig(),
  ]);
  if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
  if (!machine.node) throw new AppError('invalid-input', 'The machine has no node (sstNode) in the directory, so the console does not know where its files are.');
  const poolConfig = machine.poolUuid ? await readPoolBackupConfig(machine.poolUuid) : null;
  const effective = resolveEffectiveConfig({ machine: machineConfig, pool: poolConfig, cloud });
  const root = effective.values.rootDirectory.value;
  const retain = effective.values.retainDirectory.value;
  const common = { virtualizationRoot: env().virtualizationRoot, disks: devices.disks, machineUuid: machine.uuid, iteration };
  const backup = iterationFolder({ ...common, backupRoot: typeof root === 'string' ? root : undefined });
  if (!backup.ok) throw new AppError('invalid-input', backup.reason);
  const retained = iterationFolder({ ...common, backupRoot: typeof retain === 'string' ? retain : undefined });
  if (!retained.ok) throw new AppError('invalid-input', retained.reason.replace('backup root', 'retain directory'));
  const vm = machine.uuid;
  return {
    machine,
    disks: devices.disks,
    node: machine.node,
    effective,
    backupFolder: backup.folder,
    retainFolder: retained.folder,
    retainRoot: retained.folder.slice(0, retained.folder.length - retained.intermediate.length - 1),
    xmlName: `${vm}.xml.${iteration}`,
    ldifName: `${vm}.ldif.${iteration}`,
    stateName: `${vm}.state.${iteration}`,
    resolvedXml: `${vm}.xml`,
    resolvedLdif: `${vm}.ldif`,
    resolvedFolder: `${retained.folder}.resolved`,
  };
}

/** The daemon writes this text instead of a saved state when the machine was not running. */
export const NOT_RUNNING_MARKER = 'Machine is not runnung, no state file';

export function isNotRunningMarker(text: string): boolean {
  return text.trim().toLowerCase().startsWith('machine is not runn');
}

/**
 * The disks whose image files a backup holds and a restore moves back: file-backed disks of
 * device "disk", as the daemon picks them (CD-ROM ISOs and network disks are not backed up).
 */
export function imageDisks<T extends { device: string | null; type: string | null; source?: string | null; sourceFile?: string | null }>(disks: T[]): T[] {
  return disks.filter((d) => (d.device ?? 'disk') === 'disk' && (d.type === null || d.type === 'file') && Boolean(d.source ?? d.sourceFile));
}
