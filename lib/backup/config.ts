import { CRON_FIELDS, CRON_FIELD_LABELS } from '../cron/cron-field';
import type { CronPlan } from '../cron/cron-plan';
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
  /** Whether the entry carries the backup configuration object class. */
  hasConfigClass: boolean;
  values: BackupConfigValues;
};

/** `source: 'default'` means the applying entry does not set it and the documented default is shown. */
export type EffectiveValue<T> = { value: T | null; source: 'entry' | 'default' };

export type EffectiveValues = { [K in ParameterKey]: EffectiveValue<ParameterValue<K>> } & {
  /** The applying entry's schedule with missing fields as '' (and inactive), or null when it has none. */
  cron: EffectiveValue<CronPlan>;
};

export type EffectiveConfig = {
  level: BackupLevel | 'none';
  entry: BackupConfigEntry | null;
  reason: string;
  values: EffectiveValues;
  excluded: boolean;
  excludedBy: BackupLevel | null;
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

function effectiveCron(values: BackupConfigValues | undefined): EffectiveValue<CronPlan> {
  if (!values || !hasCron(values)) return { value: null, source: 'default' };
  const c = values.cron ?? {};
  return {
    value: {
      minute: c.minute ?? '',
      hour: c.hour ?? '',
      day: c.day ?? '',
      month: c.month ?? '',
      dayOfWeek: c.dayOfWeek ?? '',
      active: c.active ?? false,
    },
    source: 'entry',
  };
}

function effectiveValue<K extends ParameterKey>(
  entry: BackupConfigEntry | null,
  key: K,
): EffectiveValue<ParameterValue<K>> {
  const own = entry?.values[key];
  if (own === undefined || own === null) return { value: parameter(key).default, source: 'default' };
  return { value: own as ParameterValue<K>, source: 'entry' };
}

function partialEntryWarnings(level: BackupLevel, values: BackupConfigValues, excluded: boolean): string[] {
  const set = definedKeys(values);
  if (set.length === 1 && set[0] === 'excludeFromBackup' && !hasCron(values)) {
    const outcome = excluded ? 'backups fail once the machine is included again' : 'no backup runs';
    return [`${WHOSE[level]} only sets the exclude flag${REPLACES[level]}: it has no schedule or directories, so ${outcome}.`];
  }
  const warnings: string[] = [];
  const missing = REQUIRED_PARAMETERS.filter((k) => values[k] === undefined);
  if (missing.length > 0) {
    const what = missing.length === REQUIRED_PARAMETERS.length
      ? 'the iteration count, directories, format, ownership and permissions'
      : joinList(missing.map((k) => parameter(k).label.toLowerCase()));
    warnings.push(`${WHOSE[level]} lacks ${what}; the daemons do not fall back to defaults, so backups fail.`);
  }
  if (!hasCron(values)) {
    warnings.push(`${WHOSE[level]} has no schedule, so the scheduler never starts a backup.`);
  } else {
    const cron = values.cron ?? {};
    const missingFields = CRON_FIELDS.filter((f) => (cron[f] ?? '').trim() === '');
    if (missingFields.length > 0) {
      const labels = joinList(missingFields.map((f) => CRON_FIELD_LABELS[f]));
      warnings.push(`${WHOSE[level]} has an incomplete schedule (no ${labels}), so the scheduler never starts a backup.`);
    }
  }
  return warnings;
}

/**
 * The configuration the daemons use for one machine: the most specific entry
 * (machine, then pool, then cloud) that carries the backup configuration
 * class applies as a whole — the daemons never merge values across levels.
 * Exclusion is decided apart from that: the first of machine, pool and cloud
 * that sets the exclude flag decides.
 */
export function resolveEffectiveConfig(input: BackupConfigInput): EffectiveConfig {
  const slots: Record<BackupLevel, BackupConfigEntry | null> = {
    machine: input.machine ?? null,
    pool: input.pool ?? null,
    cloud: input.cloud ?? null,
  };
  const level = LEVELS.find((l) => slots[l]?.hasConfigClass) ?? null;
  const entry = level ? slots[level] : null;
  const excludedBy = LEVELS.find((l) => slots[l]?.values.excludeFromBackup !== undefined) ?? null;
  const excluded = excludedBy ? slots[excludedBy]?.values.excludeFromBackup === true : false;

  const values: EffectiveValues = {
    iterations: effectiveValue(entry, 'iterations'),
    rootDirectory: effectiveValue(entry, 'rootDirectory'),
    retainDirectory: effectiveValue(entry, 'retainDirectory'),
    ramDiskLocation: effectiveValue(entry, 'ramDiskLocation'),
    excludeFromBackup: effectiveValue(entry, 'excludeFromBackup'),
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
  // The exclude flag follows its own precedence, so report the deciding value.
  values.excludeFromBackup = { value: excluded, source: excludedBy ? 'entry' : 'default' };

  const warnings: string[] = [];
  if (level && entry) {
    warnings.push(...partialEntryWarnings(level, entry.values, excluded));
  } else {
    warnings.push('No backup configuration applies; the node daemon fails with code 32 (no configuration found).');
  }
  for (const other of LEVELS) {
    const e = slots[other];
    if (!e || e.hasConfigClass) continue;
    if (definedKeys(e.values).some((k) => k !== 'excludeFromBackup') || hasCron(e.values)) {
      const whose = other === 'machine' ? "The machine's ou=backup" : other === 'pool' ? "The pool's ou=backup" : 'The cloud-wide ou=backup';
      warnings.push(`${whose} has backup settings but not the backup configuration class, so the daemons ignore them.`);
    }
  }

  return { level: level ?? 'none', entry, reason: REASONS[level ?? 'none'], values, excluded, excludedBy, warnings };
}
