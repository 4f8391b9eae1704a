import 'server-only';
import { z } from 'zod';
import type { BackupConfigEntry, BackupConfigValues } from '@/lib/backup/config';
import type { ParameterKey } from '@/lib/backup/parameters';
import { CRON_FIELDS } from '@/lib/cron/cron-field';
import type { CronPlan } from '@/lib/cron/cron-plan';
import { all, bool, checked, generalizedTime, hasObjectClass, int, one, type EntryProblem, type RawEntry } from './entry';
import { parseDn } from './dn';
import { cloudBackupDn, iterationDn, machineBackupDn, machinesDn, poolBackupDn, poolsDn } from './layout';
import { readEntry, searchAll } from './client';

/**
 * Where each backup parameter and each part of the cron plan is stored (spec/directory.md §2.6,
 * §2.8): the one place these attribute names appear; readers and writers take them from here.
 */
export const PARAMETER_ATTRIBUTE: Readonly<Record<ParameterKey, string>> = {
  iterations: 'sstBackupNumberOfIterations',
  rootDirectory: 'sstBackupRootDirectory',
  retainDirectory: 'sstBackupRetainDirectory',
  ramDiskLocation: 'sstBackupRamDiskLocation',
  excludeFromBackup: 'sstBackupExcludeFromBackup',
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
export const CRON_ATTRIBUTE: Readonly<Record<keyof CronPlan, string>> = {
  minute: 'sstCronMinute',
  hour: 'sstCronHour',
  day: 'sstCronDay',
  month: 'sstCronMonth',
  dayOfWeek: 'sstCronDayOfWeek',
  active: 'sstCronActive',
};

/** What a backup configuration entry is read with. */
export const CONFIG_ATTRIBUTES: readonly string[] = [
  'objectClass',
  ...Object.values(PARAMETER_ATTRIBUTE),
  ...Object.values(CRON_ATTRIBUTE),
];

export const CONFIG_CLASS = 'sstVirtualizationBackupObjectClass';
export const CRON_CLASS = 'sstCronObjectClass';

function cronField(entry: RawEntry, name: string): string | undefined {
  const values = all(entry, name);
  // Multi-valued in the schema: shown as one list, as cron would read it; fc-brokerd uses only the first (cronLists).
  return values.length === 0 ? undefined : values.join(',');
}

function cronLists(entry: RawEntry): BackupConfigEntry['cronLists'] {
  const lists = Object.fromEntries(CRON_FIELDS.map((f) => [f, all(entry, CRON_ATTRIBUTE[f])]).filter(([, v]) => v.length > 1));
  return Object.keys(lists).length > 0 ? lists : undefined;
}

/** The node daemon compares the class name's spelling at machine level (daemons.md, fact 3). */
function hasExactConfigClass(entry: RawEntry): boolean {
  return all(entry, 'objectClass').includes(CONFIG_CLASS);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function mapBackupConfig(entry: RawEntry, level: BackupConfigEntry['level']): BackupConfigEntry {
  // Most machines' ou=backup is a plain organizationalUnit: nothing to map but the classes.
  const names = Object.keys(entry.attrs);
  if (names.length === 0 || (names.length === 1 && names[0] === 'objectclass')) {
    return {
      dn: entry.dn,
      level,
      hasConfigClass: hasObjectClass(entry, CONFIG_CLASS),
      configClassExact: hasExactConfigClass(entry),
      values: {},
    };
  }
  const cron = withoutUndefined({
    minute: cronField(entry, CRON_ATTRIBUTE.minute),
    hour: cronField(entry, CRON_ATTRIBUTE.hour),
    day: cronField(entry, CRON_ATTRIBUTE.day),
    month: cronField(entry, CRON_ATTRIBUTE.month),
    dayOfWeek: cronField(entry, CRON_ATTRIBUTE.dayOfWeek),
    active: bool(entry, CRON_ATTRIBUTE.active),
  });
  const values: BackupConfigValues = withoutUndefined({
    iterations: int(entry, PARAMETER_ATTRIBUTE.iterations),
    rootDirectory: one(entry, PARAMETER_ATTRIBUTE.rootDirectory),
    retainDirectory: one(entry, PARAMETER_ATTRIBUTE.retainDirectory),
    ramDiskLocation: one(entry, PARAMETER_ATTRIBUTE.ramDiskLocation),
    excludeFromBackup: bool(entry, PARAMETER_ATTRIBUTE.excludeFromBackup),
    restoreWithoutState: bool(entry, PARAMETER_ATTRIBUTE.restoreWithoutState),
    forceStart: bool(entry, PARAMETER_ATTRIBUTE.forceStart),
    mergeBandwidth: int(entry, PARAMETER_ATTRIBUTE.mergeBandwidth),
    diskImageFormat: one(entry, PARAMETER_ATTRIBUTE.diskImageFormat),
    diskImageOwner: one(entry, PARAMETER_ATTRIBUTE.diskImageOwner),
    diskImageGroup: one(entry, PARAMETER_ATTRIBUTE.diskImageGroup),
    diskImagePermission: one(entry, PARAMETER_ATTRIBUTE.diskImagePermission),
    directoryOwner: one(entry, PARAMETER_ATTRIBUTE.directoryOwner),
    directoryGroup: one(entry, PARAMETER_ATTRIBUTE.directoryGroup),
    directoryPermission: one(entry, PARAMETER_ATTRIBUTE.directoryPermission),
    cron: Object.keys(cron).length > 0 ? cron : undefined,
  });
  const lists = cronLists(entry);
  return {
    dn: entry.dn,
    level,
    hasConfigClass: hasObjectClass(entry, CONFIG_CLASS),
    configClassExact: hasExactConfigClass(entry),
    ...(lists ? { cronLists: lists } : {}),
    values,
  };
}

export async function readCloudBackupConfig(): Promise<BackupConfigEntry | null> {
  const entry = await readEntry('Reading the cloud-wide backup configuration', cloudBackupDn(), CONFIG_ATTRIBUTES);
  return entry ? mapBackupConfig(entry, 'cloud') : null;
}

export async function readPoolBackupConfig(poolUuid: string): Promise<BackupConfigEntry | null> {
  const entry = await readEntry('Reading the pool backup configuration', poolBackupDn(poolUuid), CONFIG_ATTRIBUTES);
  return entry ? mapBackupConfig(entry, 'pool') : null;
}

export async function readMachineBackupConfig(machineUuid: string): Promise<BackupConfigEntry | null> {
  const entry = await readEntry('Reading the machine backup configuration', machineBackupDn(machineUuid), CONFIG_ATTRIBUTES);
  return entry ? mapBackupConfig(entry, 'machine') : null;
}

/** Every pool's ou=backup in one search, keyed by pool UUID. */
export async function searchPoolBackupConfigs(): Promise<Map<string, BackupConfigEntry>> {
  const entries = await searchAll('Reading pool backup configurations', {
    base: poolsDn(),
    scope: 'sub',
    filter: '(ou=backup)',
    attributes: CONFIG_ATTRIBUTES,
  });
  const byPool = new Map<string, BackupConfigEntry>();
  for (const entry of entries) {
    const rdns = parseDn(entry.dn);
    // Only the pool's own ou=backup (ou=backup,sstVirtualMachinePool=…), not deeper ones.
    if (rdns[1]?.attribute.toLowerCase() === 'sstvirtualmachinepool')
      byPool.set(rdns[1].value.toLowerCase(), mapBackupConfig(entry, 'pool'));
  }
  return byPool;
}

/**
 * Every machine-level backup configuration (ou=backup carrying the configuration class) in one
 * search, keyed by machine UUID; plain ou=backup entries and iterations are not read.
 */
export async function searchMachineBackupConfigs(): Promise<Map<string, BackupConfigEntry>> {
  const entries = await searchAll('Reading machine backup configurations', {
    base: machinesDn(),
    scope: 'sub',
    filter: `(&(ou=backup)(objectClass=${CONFIG_CLASS}))`,
    attributes: CONFIG_ATTRIBUTES,
  });
  const byMachine = new Map<string, BackupConfigEntry>();
  for (const entry of entries) {
    const rdns = parseDn(entry.dn);
    if (rdns[1]?.attribute.toLowerCase() === 'sstvirtualmachine')
      byMachine.set(rdns[1].value.toLowerCase(), mapBackupConfig(entry, 'machine'));
  }
  return byMachine;
}

const iterationSchema = z.object({
  dn: z.string(),
  machineUuid: z.string(),
  name: z.string().regex(/^\d{8}T\d{6}Z$/, 'the iteration name is not a YYYYMMDDThhmmssZ timestamp'),
  mode: z.string().min(1, 'sstProvisioningMode is missing'),
  state: z.string(),
  returnValue: z.number().int().nullable(),
  executionDate: z.string().nullable(),
  executionTimes: z.array(z.string()),
  /** modifyTimestamp (ISO): when the mode last changed. */
  modifiedAt: z.string().nullable(),
});
export type Iteration = z.infer<typeof iterationSchema>;

const ITERATION_ATTRIBUTES = [
  'ou',
  'sstProvisioningMode',
  'sstProvisioningState',
  'sstProvisioningReturnValue',
  'sstProvisioningExecutionDate',
  'sstProvisioningExecutionTime',
  // Operational: since when the iteration has been in its mode (the stuck check needs it).
  'modifyTimestamp',
] as const;

export function mapIteration(entry: RawEntry, machineUuid: string, problems: EntryProblem[]): Iteration | null {
  const rdns = parseDn(entry.dn);
  return checked(
    iterationSchema,
    entry,
    {
      dn: entry.dn,
      machineUuid,
      name: rdns[0]?.value ?? '',
      mode: one(entry, 'sstProvisioningMode') ?? '',
      state: one(entry, 'sstProvisioningState') ?? '',
      returnValue: int(entry, 'sstProvisioningReturnValue') ?? null,
      executionDate: one(entry, 'sstProvisioningExecutionDate') ?? null,
      executionTimes: all(entry, 'sstProvisioningExecutionTime'),
      modifiedAt: generalizedTime(entry, 'modifyTimestamp') ?? null,
    },
    problems,
  );
}

export async function readIterations(machineUuid: string, problems: EntryProblem[]): Promise<Iteration[]> {
  const entries = await searchAll('Reading backup iterations', {
    base: machineBackupDn(machineUuid),
    scope: 'one',
    filter: '(objectClass=sstProvisioning)',
    attributes: ITERATION_ATTRIBUTES,
  });
  return entries
    .map((e) => mapIteration(e, machineUuid, problems))
    .filter((i): i is Iteration => i !== null)
    .sort((a, b) => b.name.localeCompare(a.name));
}

/**
 * What the fleet needs of an iteration: name and state, not the step times. `modifiedAt` is
 * read for unfinished iterations only (since when their step has not moved).
 */
export type IterationSummary = Pick<Iteration, 'dn' | 'machineUuid' | 'name' | 'mode' | 'state' | 'returnValue'> & {
  modifiedAt?: string | null;
  /** Whether entries lie below the leaf (read only when asked: the stoney wrapper cannot replace such a leaf). */
  hasChildren?: boolean;
};

const iterationSummarySchema = iterationSchema.pick({
  dn: true,
  machineUuid: true,
  name: true,
  mode: true,
  state: true,
  returnValue: true,
});
const ITERATION_NAME = /^\d{8}T\d{6}Z$/;

const LEAF_MIDDLE = ',ou=backup,sstvirtualmachine=';

/**
 * Iteration name and machine UUID of `ou=<iteration>,ou=backup,sstVirtualMachine=<uuid>,…`.
 * Tens of thousands of leaves per fleet read, so the usual shape (no escapes, slapd's spelling)
 * is read with two index lookups; anything else goes through the full DN parser.
 */
function iterationLeaf(dn: string): { name: string; machine: string } | null {
  const first = dn.indexOf(',');
  const end = dn.indexOf(',', first + LEAF_MIDDLE.length);
  if (
    first > 3 &&
    end > 0 &&
    !dn.includes('\\') &&
    dn.slice(0, 3).toLowerCase() === 'ou=' &&
    dn.slice(first, first + LEAF_MIDDLE.length).toLowerCase() === LEAF_MIDDLE
  ) {
    return { name: dn.slice(3, first), machine: dn.slice(first + LEAF_MIDDLE.length, end) };
  }
  const rdns = parseDn(dn, 3);
  const underBackup = rdns[1]?.attribute.toLowerCase() === 'ou' && rdns[1].value.toLowerCase() === 'backup';
  if (!underBackup || rdns[0]?.attribute.toLowerCase() !== 'ou' || rdns[2]?.attribute.toLowerCase() !== 'sstvirtualmachine') return null;
  return { name: rdns[0].value, machine: rdns[2].value };
}

/** The state attributes the fleet classifies by; the step times stay on the server. */
const ITERATION_STATE_ATTRIBUTES = ['sstProvisioningMode', 'sstProvisioningState', 'sstProvisioningReturnValue'] as const;

/**
 * The whole backup side of the fleet in two paged subtree searches, run in parallel: the
 * machines' ou=backup entries that carry configuration (exclude flag or an override), and every
 * iteration leaf with only its three state attributes. Splitting them keeps the 22
 * configuration attributes and the object classes off the tens of thousands of leaves. A
 * machine without a configured ou=backup is absent from `configs`.
 */
export async function searchBackupTree(
  problems: EntryProblem[],
  options: { everyBackupEntry?: boolean; leafChildren?: boolean } = {},
): Promise<{
  configs: Map<string, BackupConfigEntry>;
  iterations: Map<string, IterationSummary[]>;
  /** With `everyBackupEntry`: the machines that have an ou=backup at all (plain or not). */
  withBackupEntry: Set<string>;
}> {
  const [backupEntries, leaves, unfinished] = await Promise.all([
    searchAll('Reading the backup configuration of all machines', {
      base: machinesDn(),
      scope: 'sub',
      // Only an ou=backup with one of the two classes can hold configuration (the schema allows
      // the attributes nowhere else); the plain ones, nearly all of them, change nothing — except
      // on stoney cloud, where a plain one without a leaf stops the wrapper (everyBackupEntry).
      filter: options.everyBackupEntry ? '(ou=backup)' : `(&(ou=backup)(|(objectClass=${CONFIG_CLASS})(objectClass=${CRON_CLASS})))`,
      attributes: CONFIG_ATTRIBUTES,
    }),
    searchAll('Reading the backup iterations of all machines', {
      base: machinesDn(),
      scope: 'sub',
      filter: '(objectClass=sstProvisioning)',
      attributes: options.leafChildren ? [...ITERATION_STATE_ATTRIBUTES, 'hasSubordinates'] : ITERATION_STATE_ATTRIBUTES,
    }),
    // Since when each unfinished iteration has been in its mode: a few hundred leaves at most,
    // so modifyTimestamp costs nothing here, while on all leaves it would.
    searchAll('Reading since when unfinished iterations have been in their mode', {
      base: machinesDn(),
      scope: 'sub',
      filter: '(&(objectClass=sstProvisioning)(!(sstProvisioningMode=finished)))',
      attributes: ['modifyTimestamp'],
    }),
  ]);
  const modified = new Map<string, string>();
  for (const entry of unfinished) {
    const at = generalizedTime(entry, 'modifyTimestamp');
    if (at) modified.set(entry.dn.toLowerCase(), at);
  }
  const configs = new Map<string, BackupConfigEntry>();
  const withBackupEntry = new Set<string>();
  for (const entry of backupEntries) {
    const rdns = parseDn(entry.dn, 2);
    if (rdns[0]?.value.toLowerCase() === 'backup' && rdns[1]?.attribute.toLowerCase() === 'sstvirtualmachine') {
      const uuid = rdns[1].value.toLowerCase();
      withBackupEntry.add(uuid);
      const mapped = mapBackupConfig(entry, 'machine');
      if (mapped.hasConfigClass || Object.keys(mapped.values).length > 0 || all(entry, 'objectClass').length > 2) configs.set(uuid, mapped);
    }
  }
  const iterations = new Map<string, IterationSummary[]>();
  for (const entry of leaves) {
    const leaf = iterationLeaf(entry.dn);
    if (!leaf) continue;
    const uuid = leaf.machine.toLowerCase();
    const candidate: IterationSummary = {
      dn: entry.dn,
      machineUuid: uuid,
      name: leaf.name,
      mode: one(entry, 'sstProvisioningMode') ?? '',
      state: one(entry, 'sstProvisioningState') ?? '',
      returnValue: int(entry, 'sstProvisioningReturnValue') ?? null,
    };
    if (options.leafChildren) candidate.hasChildren = one(entry, 'hasSubordinates')?.toUpperCase() === 'TRUE';
    // The schema check costs more than the rest of the mapping; run it only to word a problem.
    const valid = ITERATION_NAME.test(candidate.name) && candidate.mode !== '';
    const iteration: IterationSummary | null = valid ? candidate : checked(iterationSummarySchema, entry, candidate, problems);
    if (!iteration) continue;
    if (modified.size > 0 && iteration.mode !== 'finished') {
      const at = modified.get(entry.dn.toLowerCase());
      if (at) iteration.modifiedAt = at;
    }
    const list = iterations.get(uuid);
    if (list) list.push(iteration);
    else iterations.set(uuid, [iteration]);
  }
  return { configs, iterations, withBackupEntry };
}

export async function readIteration(machineUuid: string, name: string, problems: EntryProblem[]): Promise<Iteration | null> {
  const entry = await readEntry('Reading the iteration', iterationDn(machineUuid, name), ITERATION_ATTRIBUTES);
  return entry ? mapIteration(entry, machineUuid, problems) : null;
}
