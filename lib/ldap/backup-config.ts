import 'server-only';
import { AppError } from '@/lib/errors';
import { completeConfigOf, type CompleteBackupConfig } from '@/lib/backup/complete-config';
import type { BackupConfigEntry, BackupLevel } from '@/lib/backup/config';
import type { BackupEntryState, NextBackupEntry } from '@/lib/backup/override';
import type { ParameterKey } from '@/lib/backup/parameters';
import { CONFIG_ATTRIBUTES, CONFIG_CLASS, mapBackupConfig } from './backup';
import { readEntry } from './client';
import { all, type RawEntry } from './entry';
import { addIfAbsent, attributeChanges, modifyIfUnchanged, type AttributeChange, type AttributeValues } from './guarded-write';
import { cloudBackupDn, machineBackupDn, poolBackupDn } from './layout';

/**
 * Writing backup configuration entries (`ou=backup` of the cloud, a pool or a
 * machine) in the formats the daemons read: booleans TRUE/FALSE, integers as
 * decimal text, directories as file:/// URLs, one value per cron field.
 */

const CRON_CLASS = 'sstCronObjectClass';

const PARAMETER_ATTRIBUTE: Readonly<Record<Exclude<ParameterKey, 'excludeFromBackup'>, string>> = {
  iterations: 'sstBackupNumberOfIterations',
  rootDirectory: 'sstBackupRootDirectory',
  retainDirectory: 'sstBackupRetainDirectory',
  ramDiskLocation: 'sstBackupRamDiskLocation',
  restoreWithoutState: 'sstRestoreVMWithoutState',
  forceStart: 'sstVirtualizationVirtualMachineForceStart',
  mergeBandwidth: 'sstVirtualizationBandwidthMerge',
  diskImageFormat: 'sstVirtualizationDiskImageFormat',
  diskImageOwner: 'sstVirtualizationDiskImageOwner',
  diskImageGroup: 'sstVirtualizationDiskImageGroup',
  diskImagePermission: 'sstVirtualizationDiskImagePermission',
  directoryOwner: 'sstVirtualizationDiskImageDirectoryOwner',
  directoryGroup: 'sstVirtualizationDiskImageDirectoryGroup',
  directoryPermission: 'sstVirtualizationDiskImageDirectoryPermission',
};
const EXCLUDE_ATTRIBUTE = 'sstBackupExcludeFromBackup';
const CRON_ATTRIBUTE = {
  minute: 'sstCronMinute',
  hour: 'sstCronHour',
  day: 'sstCronDay',
  month: 'sstCronMonth',
  dayOfWeek: 'sstCronDayOfWeek',
  active: 'sstCronActive',
} as const;
// Allowed by the two classes but unused by the daemons: never written, only removed together
// with their class so that no entry is left violating the schema.
const BACKUP_CLASS_ATTRIBUTES = [
  ...Object.values(PARAMETER_ATTRIBUTE),
  EXCLUDE_ATTRIBUTE,
  'sstVirtualizationVirtualMachineSequenceStart',
  'sstVirtualizationVirtualMachineSequenceStop',
];
const CRON_CLASS_ATTRIBUTES = [...Object.values(CRON_ATTRIBUTE), 'sstCronCommand'];
const MANAGED = ['objectClass', 'description', ...BACKUP_CLASS_ATTRIBUTES, ...CRON_CLASS_ATTRIBUTES];

/** spec/directory.md §3.3: these have no EQUALITY rule, so single values cannot be deleted. */
const WITHOUT_EQUALITY: ReadonlySet<string> = new Set(
  [EXCLUDE_ATTRIBUTE, 'sstRestoreVMWithoutState', 'sstVirtualizationVirtualMachineForceStart', ...CRON_CLASS_ATTRIBUTES].map((a) => a.toLowerCase()),
);

/**
 * The console's note on an `ou=backup` whose configuration it copied from the level above
 * to store the exclude flag. `description` is a MAY of organizationalUnit, so the note needs
 * no schema change, and a value of its own leaves any other description untouched.
 */
const MARKER = /^backup-console: .*fingerprint ([0-9a-f]{16})$/;
const markerText = (fingerprint: string) =>
  `backup-console: copy of the inherited backup configuration, made to store the exclude flag; fingerprint ${fingerprint}`;

export type BackupTarget = { level: 'cloud' } | { level: 'pool'; uuid: string } | { level: 'machine'; uuid: string };

export function backupTargetDn(target: BackupTarget): string {
  if (target.level === 'cloud') return cloudBackupDn();
  return target.level === 'pool' ? poolBackupDn(target.uuid) : machineBackupDn(target.uuid);
}

export type StoredBackupEntry = {
  target: BackupTarget;
  dn: string;
  /** entryCSN as read: the write is refused if the entry changed since. */
  csn: string | null;
  state: BackupEntryState;
  /** The entry as the precedence rules see it; null when it does not exist. */
  entry: BackupConfigEntry | null;
  attrs: AttributeValues;
};

const bool = (v: boolean): string => (v ? 'TRUE' : 'FALSE');
const has = (list: string[], value: string) => list.some((v) => v.toLowerCase() === value.toLowerCase());

function managedValues(entry: RawEntry | null): AttributeValues {
  const out: AttributeValues = {};
  for (const name of MANAGED) out[name] = entry ? all(entry, name) : [];
  return out;
}

export async function readStoredBackupEntry(target: BackupTarget): Promise<StoredBackupEntry> {
  const dn = backupTargetDn(target);
  const raw = await readEntry('Reading the backup configuration', dn, [...CONFIG_ATTRIBUTES, ...MANAGED, 'entryCSN']);
  const attrs = managedValues(raw);
  if (!raw) {
    return { target, dn, csn: null, entry: null, attrs, state: { exists: false, hasConfigClass: false, values: {}, copyFingerprint: null } };
  }
  const entry = mapBackupConfig(raw, target.level as BackupLevel);
  const marker = attrs.description.map((d) => MARKER.exec(d)?.[1]).find((f) => f !== undefined) ?? null;
  return {
    target,
    dn,
    csn: all(raw, 'entryCSN')[0] ?? null,
    entry,
    attrs,
    state: { exists: true, hasConfigClass: entry.hasConfigClass, values: entry.values, copyFingerprint: marker },
  };
}

function configAttributes(config: CompleteBackupConfig): AttributeValues {
  const c = config;
  return {
    [PARAMETER_ATTRIBUTE.iterations]: [String(c.iterations)],
    [PARAMETER_ATTRIBUTE.rootDirectory]: [c.rootDirectory],
    [PARAMETER_ATTRIBUTE.retainDirectory]: [c.retainDirectory],
    [PARAMETER_ATTRIBUTE.ramDiskLocation]: c.ramDiskLocation === null ? [] : [c.ramDiskLocation],
    [PARAMETER_ATTRIBUTE.restoreWithoutState]: [bool(c.restoreWithoutState)],
    [PARAMETER_ATTRIBUTE.forceStart]: [bool(c.forceStart)],
    [PARAMETER_ATTRIBUTE.mergeBandwidth]: [String(c.mergeBandwidth)],
    [PARAMETER_ATTRIBUTE.diskImageFormat]: [c.diskImageFormat],
    [PARAMETER_ATTRIBUTE.diskImageOwner]: [c.diskImageOwner],
    [PARAMETER_ATTRIBUTE.diskImageGroup]: [c.diskImageGroup],
    [PARAMETER_ATTRIBUTE.diskImagePermission]: [c.diskImagePermission],
    [PARAMETER_ATTRIBUTE.directoryOwner]: [c.directoryOwner],
    [PARAMETER_ATTRIBUTE.directoryGroup]: [c.directoryGroup],
    [PARAMETER_ATTRIBUTE.directoryPermission]: [c.directoryPermission],
    // Cron fields are multi-valued in the schema, but the daemons read one value holding the whole field.
    [CRON_ATTRIBUTE.minute]: [c.cron.minute],
    [CRON_ATTRIBUTE.hour]: [c.cron.hour],
    [CRON_ATTRIBUTE.day]: [c.cron.day],
    [CRON_ATTRIBUTE.month]: [c.cron.month],
    [CRON_ATTRIBUTE.dayOfWeek]: [c.cron.dayOfWeek],
    [CRON_ATTRIBUTE.active]: [bool(c.cron.active)],
  };
}

/** The entry's managed attributes after `next`, with the classes its attributes need. */
function desiredAttributes(stored: StoredBackupEntry, next: NextBackupEntry): AttributeValues {
  const desired: AttributeValues = { ...stored.attrs };
  let classes = [...stored.attrs.objectClass];
  if (next.config === null) {
    for (const name of [...BACKUP_CLASS_ATTRIBUTES, ...CRON_CLASS_ATTRIBUTES]) desired[name] = [];
  } else if (next.config !== 'keep') {
    Object.assign(desired, configAttributes(next.config));
  }
  if (next.exclude !== 'keep') desired[EXCLUDE_ATTRIBUTE] = next.exclude === null ? [] : [bool(next.exclude)];
  desired.description = [
    ...stored.attrs.description.filter((d) => !MARKER.test(d)),
    ...(next.copyFingerprint ? [markerText(next.copyFingerprint)] : []),
  ];
  const needs = (names: string[]) => names.some((n) => desired[n].length > 0);
  for (const [cls, names] of [[CONFIG_CLASS, BACKUP_CLASS_ATTRIBUTES], [CRON_CLASS, CRON_CLASS_ATTRIBUTES]] as const) {
    if (needs([...names]) && !has(classes, cls)) classes.push(cls);
    if (!needs([...names])) classes = classes.filter((c) => c.toLowerCase() !== cls.toLowerCase());
  }
  desired.objectClass = classes;
  return desired;
}

/** Last line of defence: whatever the caller asks, never turn an entry into a partial override. */
function assertNotNewlyPartial(stored: StoredBackupEntry, desired: AttributeValues): void {
  if (!has(desired.objectClass, CONFIG_CLASS) || stored.state.hasConfigClass) return;
  const mapped = mapBackupConfig({ dn: stored.dn, attrs: Object.fromEntries(Object.entries(desired).map(([k, v]) => [k.toLowerCase(), v])) }, 'machine');
  if (!completeConfigOf(mapped.values).ok) {
    throw new AppError('invalid-input', 'Nothing was changed: the change would have left a partial backup configuration.', `refused partial override at ${stored.dn}`);
  }
}

const MISSING_PARENT: Readonly<Record<BackupLevel, string>> = {
  machine: 'The machine does not exist in the directory (any more).',
  pool: 'The VM pool does not exist in the directory (any more).',
  cloud: 'The cloud-wide configuration container (ou=configuration) does not exist in the directory.',
};

/**
 * Writes `next` in one LDAP operation: an add when the entry was read as absent, else one
 * modify guarded by the entryCSN read. Returns what changed, attribute by attribute.
 */
export async function writeStoredBackupEntry(stored: StoredBackupEntry, next: NextBackupEntry): Promise<AttributeChange[]> {
  const desired = desiredAttributes(stored, next);
  assertNotNewlyPartial(stored, desired);
  if (!stored.state.exists) {
    const hasContent = desired.objectClass.length > 0 || desired.description.length > 0;
    if (!hasContent) return [];
    const attributes: AttributeValues = { ...desired, objectClass: ['top', 'organizationalUnit', ...desired.objectClass], ou: ['backup'] };
    await addIfAbsent('Creating the backup configuration', stored.dn, attributes, MISSING_PARENT[stored.target.level]);
    return Object.entries(attributes)
      .filter(([, v]) => v.length > 0)
      .map(([attribute, after]) => ({ attribute, before: [], after }));
  }
  const { changes, diff } = attributeChanges(stored.attrs, desired, WITHOUT_EQUALITY);
  await modifyIfUnchanged('Saving the backup configuration', stored.dn, stored.csn, changes);
  return diff;
}
