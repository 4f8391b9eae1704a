export type ReturnCodeInfo = {
  code: number;
  /** The daemon's constant name, e.g. CANNOT_MERGE_DISK_IMAGES. */
  name: string;
  /** One plain sentence for an administrator. */
  text: string;
  known: boolean;
};

type Entry = readonly [code: number, name: string, text: string];

/**
 * The node daemon's codes (prov-backup-kvm Constants.pm; 47 and 48 exist only
 * in the stoney cloud branch), then the older backup script's 101–112 from the
 * wiki. 14 is unassigned in the daemon; -1 is internal and never written; 901 is the
 * console's own (a daemon-driven restore step the node daemon never answered).
 */
const DAEMON_ENTRIES = [
  [-1, 'NOT_ON_THIS_NODE', 'The machine is not on this node, so its node daemon ignored the entry.'],
  [0, 'SUCCESS', 'The step completed successfully.'],
  [1, 'UNDEFINED_ERROR', 'The node daemon failed with an unspecified error; see its log on the node.'],
  [2, 'MISSING_PARAMETER_IN_CONFIG_FILE', "A required parameter is missing from the node daemon's configuration file."],
  [3, 'CONFIGURED_RAM_DISK_IS_NOT_VALID', 'The configured RAM disk location is not valid.'],
  [4, 'NOT_ENOUGH_SPACE_ON_RAM_DISK', "The RAM disk has too little space for the machine's saved state."],
  [5, 'CANNOT_SAVE_MACHINE_STATE', "The machine's state could not be saved (virsh save failed)."],
  [6, 'CANNOT_WRITE_TO_BACKUP_LOCATION', 'The backup directory is not writable.'],
  [7, 'CANNOT_COPY_FILE_TO_BACKUP_LOCATION', 'A file could not be copied to the backup directory.'],
  [8, 'CANNOT_COPY_IMAGE_TO_BACKUP_LOCATION', 'A disk image could not be copied to the backup directory.'],
  [9, 'CANNOT_COPY_XML_TO_BACKUP_LOCATION', 'The domain XML could not be copied to the backup directory.'],
  [10, 'CANNOT_COPY_BACKEND_FILE_TO_BACKUP_LOCATION', 'The LDIF export could not be copied to the backup directory.'],
  [11, 'CANNOT_MERGE_DISK_IMAGES', 'The disk images could not be merged (block pull failed).'],
  [12, 'CANNOT_REMOVE_OLD_DISK_IMAGE', 'An old disk image could not be removed.'],
  [13, 'CANNOT_REMOVE_FILE', 'A file could not be removed (often a leftover in the retain directory).'],
  [14, 'UNUSED', 'Code 14 is not used by the node daemon.'],
  [15, 'CANNOT_CREATE_EMPTY_DISK_IMAGE', 'The new overlay disk image could not be created (qemu-img create failed).'],
  [16, 'CANNOT_RENAME_DISK_IMAGE', 'A disk image could not be moved into the retain directory.'],
  [17, 'CANNOT_CONNECT_TO_BACKEND', 'The node daemon could not connect to the directory (LDAP).'],
  [18, 'WRONG_STATE_INFORMATION', 'The node daemon did not recognise the requested mode (harmless after a cancelled restore).'],
  [19, 'CANNOT_SET_DISK_IMAGE_OWNERSHIP', 'The owner or group of a disk image could not be set.'],
  [20, 'CANNOT_SET_DISK_IMAGE_PERMISSION', 'The permissions of a disk image could not be set.'],
  [21, 'CANNOT_RESTORE_MACHINE', 'The machine could not be resumed from its saved state.'],
  [22, 'CANNOT_LOCK_MACHINE', 'The machine could not be locked for the backup.'],
  [23, 'CANNOT_FIND_MACHINE', 'The machine was not found in libvirt on its node.'],
  [24, 'CANNOT_COPY_STATE_FILE_TO_RETAIN', 'The saved state could not be copied from the RAM disk to the retain directory.'],
  [25, 'RETAIN_ROOT_DIRECTORY_DOES_NOT_EXIST', 'The retain directory does not exist.'],
  [26, 'BACKUP_ROOT_DIRECTORY_DOES_NOT_EXIST', 'The backup directory does not exist.'],
  [27, 'CANNOT_CREATE_DIRECTORY', 'A directory could not be created.'],
  [28, 'CANNOT_SAVE_XML', 'The domain XML could not be saved.'],
  [29, 'CANNOT_SAVE_BACKEND_ENTRY', "The machine's LDIF export could not be saved."],
  [30, 'CANNOT_SET_DIRECTORY_OWNERSHIP', 'The owner or group of a directory could not be set.'],
  [31, 'CANNOT_SET_DIRECTORY_PERMISSION', 'The permissions of a directory could not be set.'],
  [32, 'CANNOT_FIND_CONFIGURATION_ENTRY', 'No backup configuration was found for the machine.'],
  [33, 'BACKEND_XML_UNCONSISTENCY', 'The disks in the directory do not match the disks in the domain XML.'],
  [34, 'CANNOT_CREATE_TARBALL', 'A tar archive could not be created.'],
  [35, 'UNSUPPORTED_FILE_TRANSFER_PROTOCOL', 'The backup or retain directory is not a file:// location.'],
  [36, 'UNKNOWN_BACKEND_TYPE', 'The node daemon is configured with an unknown backend type.'],
  [37, 'MISSING_NECESSARY_FILES', 'Files the step needs are missing (XML, LDIF, state file or disk image).'],
  [38, 'CORRUPT_DISK_IMAGE_FOUND', 'A disk image failed qemu-img check.'],
  [39, 'UNSUPPORTED_CONFIGURATION_PARAMETER', 'A backup configuration value is not supported (e.g. a directory without file://).'],
  [40, 'CANNOT_MOVE_DISK_IMAGE_TO_ORIGINAL_LOCATION', 'A restored disk image could not be moved over the live one.'],
  [41, 'CANNOT_DEFINE_MACHINE', 'The machine could not be defined in libvirt from its XML.'],
  [42, 'CANNOT_START_MACHINE', 'The machine could not be started.'],
  [43, 'CANNOT_WORK_ON_UNDEFINED_OBJECT', 'The node daemon was asked to work on something that does not exist.'],
  [44, 'CANNOT_READ_STATE_FILE', 'The saved state file could not be read.'],
  [45, 'CANNOT_READ_XML_FILE', 'The domain XML file could not be read.'],
  [46, 'NOT_ALL_FILES_DELETED_FROM_RETAIN_LOCATION', 'Some files could not be removed from the retain directory.'],
  [47, 'NOT_ENOUGH_DISK_SPACE', 'There is not enough disk space for the backup.'],
  [48, 'NO_DISK_SPACE_INFORMATION', 'The free disk space could not be determined.'],
  [
    901,
    'NODE_DAEMON_DID_NOT_ANSWER',
    'Written by the backup console, not by a daemon: the node daemon did not take or finish a restore step in time (RESTORE_DAEMON_TIMEOUT_SECONDS), so the console withdrew the command.',
  ],
  [999, 'NO_BACKUP_NEEDED', 'No backup was needed.'],
] as const satisfies readonly Entry[];

const OLDER_SCRIPT_ENTRIES: readonly Entry[] = [
  [101, 'TEMPLATE_NOT_READABLE', 'The template could not be read (older backup script).'],
  [102, 'NO_MACHINE', 'The machine was not found (older backup script).'],
  [103, 'NO_XML_DESCRIPTION', "The machine's XML description is missing (older backup script)."],
  [104, 'CANNOT_CREATE_SNAPSHOT', 'The snapshot could not be created (older backup script).'],
  [105, 'NO_STATE_INFORMATION', "The machine's state is missing (older backup script)."],
  [106, 'CANNOT_START_MACHINE', 'The machine could not be started (older backup script).'],
  [107, 'NO_BACKUP_LOCATION', 'The backup location is missing (older backup script).'],
  [108, 'UNCONSISTENT_BACKUP', 'The backup is inconsistent (older backup script).'],
  [109, 'CANNOT_GET_SNAPSHOT', 'The snapshot could not be read (older backup script).'],
  [110, 'CANNOT_DELETE_SNAPSHOT', 'The snapshot could not be deleted (older backup script).'],
  [111, 'CANNOT_UPDATE_XML', "The machine's XML could not be updated (older backup script)."],
  [112, 'NO_SPACE_LEFT', 'No disk space was left (older backup script).'],
];

const ENTRIES: readonly Entry[] = [...DAEMON_ENTRIES, ...OLDER_SCRIPT_ENTRIES];

type DaemonCodeName = (typeof DAEMON_ENTRIES)[number][1];

/**
 * The node daemon's and the console's codes by name, so code compares and writes names, never
 * bare numbers (the table above says what each means). Made from the table, so a name and its
 * number cannot drift apart.
 */
export const RETURN_CODE = Object.fromEntries(DAEMON_ENTRIES.map(([code, name]) => [name, code])) as Readonly<
  Record<DaemonCodeName, number>
>;

export const RETURN_CODES: readonly ReturnCodeInfo[] = ENTRIES.map(([code, name, text]) => ({
  code,
  name,
  text,
  known: true,
}));

const BY_CODE = new Map(RETURN_CODES.map((info) => [info.code, info]));

/**
 * Several daemon steps return libvirt's own error number unchanged, so a code
 * outside the table is not necessarily garbage.
 */
export function describeReturnCode(code: number): ReturnCodeInfo {
  const info = BY_CODE.get(code);
  if (info) return info;
  return {
    code,
    name: 'UNKNOWN',
    text: `Unknown code ${code} — possibly a libvirt error code passed through.`,
    known: false,
  };
}
