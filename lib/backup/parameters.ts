import type { CronPlan } from '../cron/cron-plan';

/** One backup configuration entry's values; a key is absent when the entry does not set it. */
export type BackupConfigValues = {
  iterations?: number;
  rootDirectory?: string;
  retainDirectory?: string;
  ramDiskLocation?: string;
  excludeFromBackup?: boolean;
  restoreWithoutState?: boolean;
  forceStart?: boolean;
  mergeBandwidth?: number;
  diskImageFormat?: string;
  diskImageOwner?: string;
  diskImageGroup?: string;
  /** Octal text such as '660'. */
  diskImagePermission?: string;
  directoryOwner?: string;
  directoryGroup?: string;
  directoryPermission?: string;
  cron?: Partial<CronPlan>;
};

export type ParameterKey = Exclude<keyof BackupConfigValues, 'cron'>;
export type ParameterKind = 'integer' | 'path' | 'boolean' | 'octal' | 'name' | 'format';
export type ParameterValue<K extends ParameterKey> = NonNullable<BackupConfigValues[K]>;

export type BackupParameter<K extends ParameterKey = ParameterKey> = {
  key: K;
  label: string;
  description: string;
  /** The documented default; null where the daemon simply goes without. */
  default: ParameterValue<K> | null;
  kind: ParameterKind;
};

type ParameterTable = { [K in ParameterKey]: Omit<BackupParameter<K>, 'key'> };

/**
 * Descriptions and defaults follow the node daemon's wiki page, except where
 * the daemon's code says otherwise (the code wins, per the spec).
 */
const TABLE: ParameterTable = {
  iterations: {
    label: 'Iterations kept',
    description: 'How many backup iterations are kept; the newest run counts as one of them.',
    default: 1,
    kind: 'integer',
  },
  rootDirectory: {
    label: 'Backup directory',
    description: 'Where every iteration (disk images, state file, XML, LDIF) is stored, as a file:// URL.',
    default: 'file:///var/backup/virtualization',
    kind: 'path',
  },
  retainDirectory: {
    label: 'Retain directory',
    description: 'Local directory for the temporary snapshot and restore files; it must be on the same file system as the disk images.',
    default: 'file:///var/virtualization/retain',
    kind: 'path',
  },
  ramDiskLocation: {
    label: 'RAM disk',
    // The wiki names /mnt/ramdisk, but the daemon uses a RAM disk only when one is configured.
    description:
      "Where the machine's state is saved first, if writable and large enough. Without one, the state goes straight to the retain directory.",
    default: null,
    kind: 'path',
  },
  excludeFromBackup: {
    label: 'Excluded from backup',
    description: 'Leaves the machine out of the scheduled backups.',
    default: false,
    kind: 'boolean',
  },
  restoreWithoutState: {
    label: 'Restore without state',
    description: 'Restores the machine by booting it from its disks instead of resuming its saved memory state.',
    default: false,
    kind: 'boolean',
  },
  forceStart: {
    label: 'Force start',
    // daemons.md, fact 9: KVMRestore reads it during a restore, from the iteration entry.
    description:
      'Meant to boot the machine afresh when its saved state cannot be resumed. The node daemon reads it only during a restore, and then from the iteration being restored, not from this configuration: the value here changes nothing.',
    default: false,
    kind: 'boolean',
  },
  mergeBandwidth: {
    label: 'Merge bandwidth (MB/s)',
    description: 'Maximum I/O rate while merging disk images; 0 means unlimited (the daemon then uses 2000 MB/s).',
    default: 0,
    kind: 'integer',
  },
  diskImageFormat: {
    label: 'Disk image format',
    description:
      "Format of the new live overlay the node daemon creates for every disk at each backup. It must be the format of the machines' disks (qcow2 in stoney cloud), or they no longer start.",
    default: 'qcow2',
    kind: 'format',
  },
  diskImageOwner: {
    label: 'Disk image owner',
    description: 'Owner of the new disk image created during the backup.',
    default: 'root',
    kind: 'name',
  },
  diskImageGroup: {
    label: 'Disk image group',
    description: 'Group of the new disk image created during the backup.',
    default: 'vm-storage',
    kind: 'name',
  },
  diskImagePermission: {
    label: 'Disk image permissions',
    description: 'Permissions of the new disk image, in octal (660 = 0660).',
    default: '660',
    kind: 'octal',
  },
  directoryOwner: {
    label: 'Directory owner',
    description: 'Owner of the directories created for the backup files.',
    default: 'root',
    kind: 'name',
  },
  directoryGroup: {
    label: 'Directory group',
    description: 'Group of the directories created for the backup files.',
    default: 'vm-storage',
    kind: 'name',
  },
  directoryPermission: {
    label: 'Directory permissions',
    description: 'Permissions of the directories created for the backup files, in octal (770 = 0770).',
    default: '770',
    kind: 'octal',
  },
};

export const PARAMETER_KEYS = Object.keys(TABLE) as ParameterKey[];

/** Every parameter in display order. */
export const PARAMETERS: readonly BackupParameter[] = PARAMETER_KEYS.map((key) => ({ key, ...TABLE[key] }) as BackupParameter);

export function parameter<K extends ParameterKey>(key: K): BackupParameter<K> {
  return { key, ...TABLE[key] } as BackupParameter<K>;
}

/**
 * What the daemons read from the applying entry without falling back to a
 * default: the scheduler takes a missing iteration count as 0, and the node
 * daemon fails without directories, format, ownership or permissions.
 */
export const REQUIRED_PARAMETERS: readonly ParameterKey[] = [
  'iterations',
  'rootDirectory',
  'retainDirectory',
  'diskImageFormat',
  'diskImageOwner',
  'diskImageGroup',
  'diskImagePermission',
  'directoryOwner',
  'directoryGroup',
  'directoryPermission',
];
