import { CRON_FIELDS, CRON_FIELD_LABELS, type CronFieldName } from '../cron/cron-field';
import { cronPlanOf, type CronPlan } from '../cron/cron-plan';
import { truncatedPathProblem } from './daemon-values';
import type { InstallationKind } from './installation';
import {
  PARAMETER_KEYS,
  REQUIRED_PARAMETERS,
  parameter,
  type BackupConfigValues,
  type ParameterKey,
  type ParameterValue,
} from './parameters';

export { PARAMETERS, PARAMETER_KEYS, REQUIRED_PARAMETERS, parameter } from './parameters';
export type { BackupConfigValues, BackupParameter, ParameterKey, ParameterKind, ParameterValue } from './parameters';

export type BackupLevel = 'machine' | 'pool' | 'cloud';

export type BackupConfigEntry = {
  dn: string;
  level: BackupLevel;
  /** Whether the entry carries the backup configuration object class, in any spelling. */
  hasConfigClass: boolean;
  /**
   * Whether it carries the class spelt exactly `sstVirtualizationBackupObjectClass`: the node
   * daemon compares the spelling at machine level (daemons.md, fact 3). Absent = as hasConfigClass.
   */
  configClassExact?: boolean;
  /** A cron attribute with several values: every value, in the order the directory returns them. */
  cronLists?: Partial<Record<CronFieldName, string[]>>;
  values: BackupConfigValues;
};

/** `source: 'default'` means the applying entry does not set it and the documented default is shown. */
export type EffectiveValue<T> = { value: T | null; source: 'entry' | 'default' };

export type EffectiveValues = { [K in ParameterKey]: EffectiveValue<ParameterValue<K>> } & {
  /** The node daemon's entry's schedule with missing fields as '' (and inactive), or null when it has none. */
  cron: EffectiveValue<CronPlan>;
};

/**
 * What FOSS-Cloud's scheduler, fc-brokerd, reads for a machine: the most specific level that
 * holds an iteration count, an exclude flag or any cron field, whatever its object classes,
 * and from that level only (daemons.md, facts 3 and 4).
 */
export type BrokerReading = {
  level: BackupLevel | 'none';
  entry: BackupConfigEntry | null;
  reason: string;
  /** sstBackupNumberOfIterations as it reads it (atoi; 0 when absent). */
  iterations: number;
  excluded: boolean;
  /** The schedule it reads: the first value of each cron attribute, '' where absent. */
  plan: CronPlan;
  /** Cron attributes with several values, of which it uses only the first. */
  multiValued: CronFieldName[];
};

export type EffectiveConfig = {
  /** The rules applied (the kind of installation). */
  kind: InstallationKind;
  /**
   * The node daemon's level (directories, format, ownership, restore flags): the most specific
   * `ou=backup` carrying the configuration class, taken as a whole.
   */
  level: BackupLevel | 'none';
  entry: BackupConfigEntry | null;
  reason: string;
  values: EffectiveValues;
  /** Only on FOSS-Cloud: what fc-brokerd reads (schedule, iterations, exclusion). */
  broker: BrokerReading | null;
  excluded: boolean;
  excludedBy: BackupLevel | null;
  /** Why the machine is or is not excluded, naming the program that decides. */
  exclusionReason: string;
  warnings: string[];
};

export type BackupConfigInput = {
  machine?: BackupConfigEntry | null;
  pool?: BackupConfigEntry | null;
  cloud?: BackupConfigEntry | null;
};

const LEVELS: readonly BackupLevel[] = ['machine', 'pool', 'cloud'];

const WHOSE: Readonly<Record<BackupLevel, string>> = {
  machine: "The machine's own configuration",
  pool: "The pool's configuration",
  cloud: 'The cloud-wide configuration',
};

const OU_BACKUP: Readonly<Record<BackupLevel, string>> = {
  machine: "The machine's ou=backup",
  pool: "The pool's ou=backup",
  cloud: 'The cloud-wide ou=backup',
};

const REPLACES: Readonly<Record<BackupLevel, string>> = {
  machine: ', yet it replaces the pool and cloud-wide configuration as a whole',
  pool: ', yet it replaces the cloud-wide configuration as a whole',
  cloud: '',
};

const REASONS: Readonly<Record<BackupLevel | 'none', string>> = {
  machine: "The machine's own ou=backup carries the backup configuration class, so it applies as a whole.",
  pool: "The machine has no backup configuration of its own; the pool's ou=backup carries the backup configuration class, so it applies as a whole.",
  cloud: 'Neither the machine nor its pool has a backup configuration of its own, so the cloud-wide configuration applies as a whole.',
  none: 'No entry carries the backup configuration class, so the node daemon has no configuration to work with.',
};

const BROKER_REASONS: Readonly<Record<BackupLevel | 'none', string>> = {
  machine: "fc-brokerd takes the machine's own ou=backup: it holds an iteration count, an exclude flag or a cron field.",
  pool: "fc-brokerd takes the pool's ou=backup: the machine's own holds no iteration count, exclude flag or cron field, and the pool's does.",
  cloud: 'fc-brokerd takes the cloud-wide entry: neither the machine nor its pool holds an iteration count, exclude flag or cron field.',
  none: 'fc-brokerd finds no iteration count, exclude flag or cron field at any level, so it never backs the machine up.',
};

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function definedKeys(values: BackupConfigValues): ParameterKey[] {
  return PARAMETER_KEYS.filter((k) => values[k] !== undefined);
}

function hasCron(values: BackupConfigValues): boolean {
  return values.cron !== undefined && Object.values(values.cron).some((v) => v !== undefined);
}

/** What makes fc-brokerd take a level: any of the iteration count, the exclude flag or a cron attribute. */
export function holdsBrokerValues(entry: BackupConfigEntry | null | undefined): boolean {
  if (!entry) return false;
  const v = entry.values;
  return v.iterations !== undefined || v.excludeFromBackup !== undefined || hasCron(v);
}

/** Whether the node daemon takes this entry as its configuration (fact 3). */
export function nodeDaemonTakes(entry: BackupConfigEntry | null | undefined): boolean {
  if (!entry) return false;
  // The cloud-wide entry is named in the daemon's own configuration file and always read.
  if (entry.level === 'cloud') return true;
  if (entry.level === 'machine') return entry.configClassExact ?? entry.hasConfigClass;
  return entry.hasConfigClass;
}

function effectiveCron(values: BackupConfigValues | undefined): EffectiveValue<CronPlan> {
  if (!values || !hasCron(values)) return { value: null, source: 'default' };
  return { value: cronPlanOf(values.cron ?? {}), source: 'entry' };
}

function effectiveValue<K extends ParameterKey>(entry: BackupConfigEntry | null, key: K): EffectiveValue<ParameterValue<K>> {
  const own = entry?.values[key];
  if (own === undefined || own === null) return { value: parameter(key).default, source: 'default' };
  return { value: own as ParameterValue<K>, source: 'entry' };
}

/** The schedule fc-brokerd reads from an entry: the first value of each cron attribute. */
export function brokerPlanOf(entry: BackupConfigEntry | null): { plan: CronPlan; multiValued: CronFieldName[] } {
  const cron = entry?.values.cron ?? {};
  const lists = entry?.cronLists ?? {};
  const first = (f: CronFieldName): string => lists[f]?.[0] ?? cron[f] ?? '';
  return {
    plan: {
      minute: first('minute'),
      hour: first('hour'),
      day: first('day'),
      month: first('month'),
      dayOfWeek: first('dayOfWeek'),
      active: cron.active === true,
    },
    multiValued: CRON_FIELDS.filter((f) => (lists[f]?.length ?? 0) > 1),
  };
}

function readBroker(slots: Record<BackupLevel, BackupConfigEntry | null>): BrokerReading {
  const level = LEVELS.find((l) => holdsBrokerValues(slots[l])) ?? null;
  const entry = level ? slots[level] : null;
  const { plan, multiValued } = brokerPlanOf(entry);
  return {
    level: level ?? 'none',
    entry,
    reason: BROKER_REASONS[level ?? 'none'],
    iterations: entry?.values.iterations ?? 0,
    excluded: entry?.values.excludeFromBackup === true,
    plan,
    multiValued,
  };
}

function nodeDaemonWarnings(level: BackupLevel, values: BackupConfigValues, kind: InstallationKind, excluded: boolean): string[] {
  const set = definedKeys(values);
  const warnings: string[] = [];
  if (set.length === 1 && set[0] === 'excludeFromBackup' && !hasCron(values)) {
    const outcome = excluded ? 'backups fail once the machine is included again' : 'no backup runs';
    return [`${WHOSE[level]} only sets the exclude flag${REPLACES[level]}: it has no schedule or directories, so ${outcome}.`];
  }
  const missing = REQUIRED_PARAMETERS.filter((k) => values[k] === undefined && (k !== 'iterations' || kind === 'stoney-cloud'));
  if (missing.length > 0) {
    const what = joinList(missing.map((k) => parameter(k).label.toLowerCase()));
    warnings.push(`${WHOSE[level]} lacks ${what}; the node daemon does not fall back to defaults, so backups fail.`);
  }
  for (const key of ['rootDirectory', 'retainDirectory', 'ramDiskLocation'] as const) {
    const url = values[key];
    const problem = url ? truncatedPathProblem(parameter(key).label, url) : null;
    if (problem) warnings.push(problem);
  }
  return warnings;
}

function brokerWarnings(broker: BrokerReading): string[] {
  if (broker.level === 'none' || !broker.entry) return [];
  const who = `${WHOSE[broker.level]} (as fc-brokerd reads it)`;
  const warnings: string[] = [];
  if (broker.entry.values.iterations === undefined) {
    warnings.push(`${who} has no iteration count; fc-brokerd reads it as 0 and keeps a single iteration.`);
  }
  if (!hasCron(broker.entry.values)) {
    warnings.push(`${who} has no schedule, so fc-brokerd never starts a backup.`);
  } else {
    const missingFields = CRON_FIELDS.filter((f) => broker.plan[f].trim() === '');
    if (missingFields.length > 0) {
      warnings.push(
        `${who} has an incomplete schedule (no ${joinList(missingFields.map((f) => CRON_FIELD_LABELS[f]))}), so fc-brokerd never starts a backup.`,
      );
    }
  }
  return warnings;
}

function exclusion(kind: InstallationKind, slots: Record<BackupLevel, BackupConfigEntry | null>, broker: BrokerReading) {
  if (kind === 'stoney-cloud') {
    const own = slots.machine?.values.excludeFromBackup === true;
    const poolFlag = slots.pool?.values.excludeFromBackup === true;
    const reason = own
      ? "Excluded: the stoney wrapper finds sstBackupExcludeFromBackup TRUE on the machine's own ou=backup."
      : poolFlag
        ? "Not excluded: the pool's ou=backup says TRUE, but the stoney wrapper reads the flag only from the machine's own ou=backup, so the pool's flag stops nothing."
        : "Not excluded: the stoney wrapper reads the flag only from the machine's own ou=backup, which does not set it.";
    return { excluded: own, excludedBy: own ? ('machine' as const) : null, exclusionReason: reason };
  }
  const level = broker.level === 'none' ? null : broker.level;
  const reason = broker.excluded
    ? `Excluded: fc-brokerd reads the exclude flag from the level it takes, ${level === 'machine' ? "the machine's own ou=backup" : level === 'pool' ? "the pool's ou=backup" : 'the cloud-wide entry'}, where it is TRUE.`
    : level === 'machine' && slots.pool?.values.excludeFromBackup === true
      ? "Not excluded, although the pool is: fc-brokerd takes the machine's own ou=backup and reads the exclude flag only there."
      : `Not excluded: fc-brokerd reads the exclude flag only from the level it takes${level ? ` (${level === 'cloud' ? 'cloud-wide' : `the ${level}'s`}), which does not set it` : ''}.`;
  return { excluded: broker.excluded, excludedBy: broker.excluded ? level : null, exclusionReason: reason };
}

/**
 * The configuration for one machine as the programs of the installation read it. No program
 * merges attributes across levels: the node daemon takes the most specific ou=backup with the
 * configuration class (spelt exactly so at machine level); on FOSS-Cloud, fc-brokerd takes the
 * most specific one holding an iteration count, an exclude flag or a cron field, whatever its
 * classes, and reads the exclude flag there; on stoney cloud the wrapper reads the exclude flag
 * from the machine's own ou=backup only and the schedule is the node's crontab.
 *
 * Without a kind, exclusion and schedule are read as on FOSS-Cloud; callers that need only
 * the node daemon's values (directories, format, ownership) may leave it out.
 */
export function resolveEffectiveConfig(input: BackupConfigInput, kind: InstallationKind = 'foss-cloud'): EffectiveConfig {
  const slots: Record<BackupLevel, BackupConfigEntry | null> = {
    machine: input.machine ?? null,
    pool: input.pool ?? null,
    cloud: input.cloud ?? null,
  };
  const level = LEVELS.find((l) => nodeDaemonTakes(slots[l])) ?? null;
  const entry = level ? slots[level] : null;
  const broker = readBroker(slots);
  const excl = exclusion(kind, slots, broker);

  const values: EffectiveValues = {
    iterations: effectiveValue(entry, 'iterations'),
    rootDirectory: effectiveValue(entry, 'rootDirectory'),
    retainDirectory: effectiveValue(entry, 'retainDirectory'),
    ramDiskLocation: effectiveValue(entry, 'ramDiskLocation'),
    excludeFromBackup: { value: excl.excluded, source: excl.excludedBy ? 'entry' : 'default' },
    restoreWithoutState: effectiveValue(entry, 'restoreWithoutState'),
    forceStart: effectiveValue(entry, 'forceStart'),
    mergeBandwidth: effectiveValue(entry, 'mergeBandwidth'),
    diskImageFormat: effectiveValue(entry, 'diskImageFormat'),
    diskImageOwner: effectiveValue(entry, 'diskImageOwner'),
    diskImageGroup: effectiveValue(entry, 'diskImageGroup'),
    diskImagePermission: effectiveValue(entry, 'diskImagePermission'),
    directoryOwner: effectiveValue(entry, 'directoryOwner'),
    directoryGroup: effectiveValue(entry, 'directoryGroup'),
    directoryPermission: effectiveValue(entry, 'directoryPermission'),
    cron: effectiveCron(entry?.values),
  };
  if (kind === 'foss-cloud') {
    // What the broker counts and schedules, not what the node daemon's entry holds.
    values.iterations =
      broker.entry?.values.iterations !== undefined ? { value: broker.iterations, source: 'entry' } : { value: 0, source: 'default' };
    values.cron = effectiveCron(broker.entry?.values);
  }

  const warnings: string[] = [];
  if (level && entry) {
    warnings.push(...nodeDaemonWarnings(level, entry.values, kind, excl.excluded));
  } else {
    warnings.push('No backup configuration applies; the node daemon fails with code 32 (no configuration found).');
  }
  if (kind === 'foss-cloud') {
    warnings.push(...brokerWarnings(broker));
    if (broker.level !== 'none' && level !== null && broker.level !== level) {
      warnings.push(
        `fc-brokerd and the node daemon read different levels: the schedule, iteration count and exclude flag come from ${WHOSE[broker.level].toLowerCase()}, the directories and image settings from ${WHOSE[level].toLowerCase()}.`,
      );
    }
    if (broker.multiValued.length > 0) {
      warnings.push(
        `fc-brokerd uses only the first value of ${joinList(broker.multiValued.map((f) => `the ${CRON_FIELD_LABELS[f]}`))}, which hold several.`,
      );
    }
  }
  const machine = slots.machine;
  if (machine && machine.hasConfigClass && !nodeDaemonTakes(machine)) {
    warnings.push(
      "The machine's ou=backup spells the configuration class differently from sstVirtualizationBackupObjectClass; the node daemon compares the spelling at machine level, so it ignores this entry.",
    );
  }
  for (const other of LEVELS) {
    const e = slots[other];
    if (!e || e.hasConfigClass || other === 'cloud') continue;
    const settings = definedKeys(e.values).filter((k) => k !== 'excludeFromBackup').length > 0 || hasCron(e.values);
    if (!settings) continue;
    warnings.push(
      kind === 'foss-cloud'
        ? `${OU_BACKUP[other]} has backup settings without the backup configuration class: fc-brokerd reads its iteration count, exclude flag and cron fields, the node daemon ignores it.`
        : `${OU_BACKUP[other]} has backup settings without the backup configuration class; on stoney cloud nothing reads them.`,
    );
  }

  return {
    kind,
    level: level ?? 'none',
    entry,
    reason: REASONS[level ?? 'none'],
    values,
    broker: kind === 'foss-cloud' ? broker : null,
    excluded: excl.excluded,
    excludedBy: excl.excludedBy,
    exclusionReason: excl.exclusionReason,
    warnings,
  };
}
