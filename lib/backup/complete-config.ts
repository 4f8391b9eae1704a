import { CRON_FIELDS } from '../cron/cron-field';
import type { CronPlan } from '../cron/cron-plan';
import { parameter, REQUIRED_PARAMETERS, type BackupConfigValues } from './parameters';

/**
 * A backup configuration entry as the console writes it: every value the
 * node daemon and the scheduler read, so the entry works on its own (they
 * never fall back to another level). Only the RAM disk may be absent: the
 * daemon then saves the state straight into the retain directory.
 */
export type CompleteBackupConfig = {
  iterations: number;
  rootDirectory: string;
  retainDirectory: string;
  ramDiskLocation: string | null;
  restoreWithoutState: boolean;
  forceStart: boolean;
  mergeBandwidth: number;
  diskImageFormat: string;
  diskImageOwner: string;
  diskImageGroup: string;
  diskImagePermission: string;
  directoryOwner: string;
  directoryGroup: string;
  directoryPermission: string;
  /** null: no schedule (stoney cloud, where nothing reads sstCron*, needs none). */
  cron: CronPlan | null;
};

export type CompleteResult = { ok: true; config: CompleteBackupConfig } | { ok: false; missing: string[] };

/**
 * The entry's values as a complete configuration, or what it lacks. Optional
 * flags the entry leaves out take the daemon's default (which is what the
 * daemon does with them); required values and the schedule are never made up.
 * `needsSchedule: false` (stoney cloud, where sstCron* is read by nothing)
 * accepts an entry without any cron field; a partial schedule is still incomplete,
 * since the cron class needs all of them.
 */
export function completeConfigOf(values: BackupConfigValues, options: { needsSchedule?: boolean } = {}): CompleteResult {
  const missing: string[] = REQUIRED_PARAMETERS.filter((k) => values[k] === undefined).map((k) => parameter(k).label.toLowerCase());
  const cron = values.cron ?? {};
  const noCron = Object.values(cron).every((v) => v === undefined);
  const missingCron = CRON_FIELDS.filter((f) => (cron[f] ?? '').trim() === '');
  const scheduleOptional = options.needsSchedule === false && noCron;
  if (!scheduleOptional && (missingCron.length > 0 || cron.active === undefined)) missing.push('a complete schedule');
  if (missing.length > 0) return { ok: false, missing };
  return {
    ok: true,
    config: {
      iterations: values.iterations as number,
      rootDirectory: values.rootDirectory as string,
      retainDirectory: values.retainDirectory as string,
      ramDiskLocation: values.ramDiskLocation ?? null,
      restoreWithoutState: values.restoreWithoutState ?? false,
      forceStart: values.forceStart ?? false,
      mergeBandwidth: values.mergeBandwidth ?? 0,
      diskImageFormat: values.diskImageFormat as string,
      diskImageOwner: values.diskImageOwner as string,
      diskImageGroup: values.diskImageGroup as string,
      diskImagePermission: values.diskImagePermission as string,
      directoryOwner: values.directoryOwner as string,
      directoryGroup: values.directoryGroup as string,
      directoryPermission: values.directoryPermission as string,
      cron: scheduleOptional
        ? null
        : {
            minute: (cron.minute ?? '').trim(),
            hour: (cron.hour ?? '').trim(),
            day: (cron.day ?? '').trim(),
            month: (cron.month ?? '').trim(),
            dayOfWeek: (cron.dayOfWeek ?? '').trim(),
            active: cron.active ?? false,
          },
    },
  };
}

/** Whether an entry with the configuration class holds only some of what the daemons need. */
export function isPartial(values: BackupConfigValues): boolean {
  return !completeConfigOf(values).ok;
}

/** Whether the entry sets any configuration value besides the exclude flag. */
export function hasConfigValues(values: BackupConfigValues): boolean {
  return Object.entries(values).some(([k, v]) => k !== 'excludeFromBackup' && v !== undefined);
}

function canonical(config: CompleteBackupConfig): string {
  const c = config.cron;
  return JSON.stringify([
    config.iterations,
    config.rootDirectory,
    config.retainDirectory,
    config.ramDiskLocation,
    config.restoreWithoutState,
    config.forceStart,
    config.mergeBandwidth,
    config.diskImageFormat,
    config.diskImageOwner,
    config.diskImageGroup,
    config.diskImagePermission,
    config.directoryOwner,
    config.directoryGroup,
    config.directoryPermission,
    ...(c ? [c.minute, c.hour, c.day, c.month, c.dayOfWeek, c.active] : []),
  ]);
}

export function sameConfig(a: CompleteBackupConfig, b: CompleteBackupConfig): boolean {
  return canonical(a) === canonical(b);
}

/**
 * A short, stable fingerprint of a configuration (64-bit FNV-1a, hex). Not a
 * security measure: it only tells whether a copy the console made has been
 * edited since, and must give the same answer on every console instance.
 */
export function configFingerprint(config: CompleteBackupConfig): string {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (const byte of new TextEncoder().encode(canonical(config))) {
    hash ^= BigInt(byte);
    hash = (hash * prime) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}
