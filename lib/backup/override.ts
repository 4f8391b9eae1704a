import { completeConfigOf, configFingerprint, hasConfigValues, sameConfig } from './complete-config';
import type { BackupConfigValues } from './parameters';
import type { BackupLevel, EffectiveConfig } from './config';
import { copyPatch, type ConfigPatch } from './save-plan';

/** One `ou=backup` entry as the console decides about it (spec/directory.md §2.6, §4.3). */
export type BackupEntryState = {
  exists: boolean;
  hasConfigClass: boolean;
  values: BackupConfigValues;
  /**
   * Fingerprint of the configuration the console copied into this entry when it
   * excluded it (the exclude flag can only be stored with the configuration class);
   * null when the console did not make the entry's configuration.
   */
  copyFingerprint: string | null;
  /** stoney cloud: the pool (UUID) whose exclusion set this machine's flag. */
  excludedWithPool?: string | null;
  /** stoney cloud, a pool's entry: the console excluded its machines one by one. */
  membersExcluded?: boolean;
  /** Whether iteration leaves (or anything else) are below the entry; unknown = undefined. */
  hasChildren?: boolean;
};

/** What the entry should look like after a write; 'keep' leaves that part as it is. */
export type NextBackupEntry = {
  /** The values to write with the configuration class, or null for none (a plain ou=backup). */
  config: ConfigPatch | null | 'keep';
  /** TRUE/FALSE, or null to remove the flag. */
  exclude: boolean | null | 'keep';
  copyFingerprint: string | null;
  /** stoney cloud: marks the machine as excluded together with this pool; 'keep' leaves the mark. */
  excludedWithPool?: string | null | 'keep';
  /** stoney cloud, a pool's entry: marks that its machines were excluded one by one. */
  membersExcluded?: boolean | 'keep';
};

export type EntryPlan =
  { kind: 'write'; next: NextBackupEntry; message: string } | { kind: 'none'; message: string } | { kind: 'refuse'; message: string };

export type OverrideLevel = Exclude<BackupLevel, 'cloud'>;

const THE: Readonly<Record<BackupLevel | 'none', string>> = {
  machine: "the machine's own",
  pool: "the pool's",
  cloud: 'the cloud-wide',
  none: 'no',
};

const subject = (level: OverrideLevel): string => (level === 'machine' ? 'The machine' : 'The pool');

/** The configuration a machine or pool would follow without its own: the level above it. */
function inheritedComplete(inherited: EffectiveConfig) {
  if (!inherited.entry) return { ok: false as const, missing: ['any configuration at all'] };
  return completeConfigOf(inherited.entry.values, { needsSchedule: inherited.kind === 'foss-cloud' });
}

export function planSave(patch: ConfigPatch): EntryPlan {
  // A deliberate edit makes the configuration the administrator's own: the console will
  // not remove it on its own when the machine is included again.
  return { kind: 'write', next: { config: patch, exclude: 'keep', copyFingerprint: null }, message: 'The configuration was saved.' };
}

/**
 * Excluding. The flag exists only in the configuration class, and adding that class makes
 * the entry an override for the node daemon, which never merges levels. So an entry
 * without the class gets a complete copy of the configuration it inherits, never the
 * flag alone (which would leave a partial override behind: backups would fail or never
 * run once the flag is cleared). The copy is marked so that including removes it again.
 */
export function planExclude(level: OverrideLevel, state: BackupEntryState, inherited: EffectiveConfig): EntryPlan {
  if (state.values.excludeFromBackup === true) return { kind: 'none', message: `${subject(level)} is already excluded from backup.` };
  if (state.hasConfigClass) {
    return {
      kind: 'write',
      next: { config: 'keep', exclude: true, copyFingerprint: state.copyFingerprint },
      message: `${subject(level)} is now excluded from backup; its own configuration stays as it is.`,
    };
  }
  const copy = inheritedComplete(inherited);
  if (!copy.ok) {
    return {
      kind: 'refuse',
      message:
        `Nothing was changed. The exclude flag can only be stored together with a complete backup configuration, and ` +
        `${THE[inherited.level]} configuration that applies now lacks ${copy.missing.join(', ')}. Complete it first.`,
    };
  }
  return {
    kind: 'write',
    next: { config: copyPatch(copy.config, inherited.entry?.values ?? {}), exclude: true, copyFingerprint: configFingerprint(copy.config) },
    message:
      `${subject(level)} is now excluded from backup. The flag can only be stored together with the backup configuration class, ` +
      `so it now has its own configuration: an exact copy of ${THE[inherited.level]} configuration. Including it again removes that copy.`,
  };
}

/**
 * Including again: clears the flag and returns the entry to what it was before it was
 * excluded. Never touches the iterations below it.
 */
export function planInclude(
  level: OverrideLevel,
  state: BackupEntryState,
  inherited: EffectiveConfig,
  excludedAbove: BackupLevel | null,
): EntryPlan {
  const plan = includePlan(level, state, inherited, excludedAbove);
  // Only an entry that goes back to following the level above inherits that level's exclusion.
  if (plan.kind !== 'write' || !excludedAbove || state.values.excludeFromBackup !== true || plan.next.config !== null) return plan;
  return { ...plan, message: `${plan.message} It stays excluded by ${THE[excludedAbove]} configuration, though.` };
}

function includePlan(
  level: OverrideLevel,
  state: BackupEntryState,
  inherited: EffectiveConfig,
  excludedAbove: BackupLevel | null,
): EntryPlan {
  if (state.values.excludeFromBackup !== true) {
    if (excludedAbove) {
      return {
        kind: 'refuse',
        message: `${subject(level)} is excluded by ${THE[excludedAbove]} configuration, not by its own; include the ${excludedAbove} instead.`,
      };
    }
    return { kind: 'none', message: `${subject(level)} is not excluded from backup.` };
  }
  const own = completeConfigOf(state.values, { needsSchedule: inherited.kind === 'foss-cloud' });
  const back = { config: null, exclude: null, copyFingerprint: null, excludedWithPool: null } as const;
  if (state.copyFingerprint !== null && own.ok) {
    const inheritedNow = inheritedComplete(inherited);
    const untouched = configFingerprint(own.config) === state.copyFingerprint;
    if (untouched || (inheritedNow.ok && sameConfig(own.config, inheritedNow.config))) {
      return {
        kind: 'write',
        next: back,
        message: `${subject(level)} is included again. The copy the console made when excluding it was removed, so it follows ${THE[inherited.level]} configuration again.`,
      };
    }
    return {
      kind: 'write',
      next: { config: 'keep', exclude: null, copyFingerprint: null, excludedWithPool: null },
      message: `${subject(level)} is included again. Its own configuration was changed while it was excluded, so it is kept as a deliberate override.`,
    };
  }
  if (!hasConfigValues(state.values)) {
    return {
      kind: 'write',
      next: back,
      message: `${subject(level)} is included again. Its ou=backup carried only the exclude flag, so it follows ${THE[inherited.level]} configuration again.`,
    };
  }
  if (own.ok) {
    return {
      kind: 'write',
      next: { config: 'keep', exclude: null, copyFingerprint: null, excludedWithPool: null },
      message: `${subject(level)} is included again; its own configuration stays as it is.`,
    };
  }
  return {
    kind: 'refuse',
    message:
      `Nothing was changed. ${subject(level)}'s own configuration lacks ${own.missing.join(', ')}; clearing the flag would leave a ` +
      `partial override that makes backups fail. Complete or remove its configuration on its backup page first.`,
  };
}

/** Removing an override: back to a plain ou=backup. The entry itself and its iterations stay. */
export function planRemoveOverride(level: OverrideLevel, state: BackupEntryState): EntryPlan {
  if (!state.exists || (!state.hasConfigClass && !hasConfigValues(state.values))) {
    return { kind: 'none', message: `${subject(level)} has no configuration of its own.` };
  }
  if (state.values.excludeFromBackup === true) {
    return {
      kind: 'refuse',
      message: `Nothing was changed. ${subject(level)} is excluded from backup, and that flag is stored in this configuration; include it first.`,
    };
  }
  return {
    kind: 'write',
    next: { config: null, exclude: null, copyFingerprint: null },
    message: `${subject(level)}'s own configuration was removed; it follows the configuration above it again.`,
  };
}
