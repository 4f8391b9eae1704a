import { CRON_FIELDS, type CronFieldName } from '../cron/cron-field';
import type { CompleteBackupConfig } from './complete-config';
import { CONFIG_FORM_FIELDS, CRON_FORM_FIELD, type ConfigFormField, type ConfigFormValues } from './config-schema';
import { CRON_FORM_FIELDS } from './cron-form';
import { parameter, REQUIRED_PARAMETERS, type BackupConfigValues, type ParameterKey } from './parameters';

/**
 * What a save writes: the values the administrator changed, plus what a complete entry needs
 * and lacks (named, so the confirmation and the audit record can say so). Nothing else: an
 * optional value the entry does not hold and the administrator did not touch stays absent
 * (its absence already means the daemon's default), so saving the cloud-wide plan no longer
 * adds `sstRestoreVMWithoutState: FALSE` that nobody asked for.
 */
export type ConfigPatch = {
  /** The configuration the entry describes after the write. */
  config: CompleteBackupConfig;
  /** The form fields whose attributes are written (a cleared RAM disk is written as absent). */
  keys: ConfigFormField[];
  /** Of those, the ones written only because a complete entry needs them. */
  added: ConfigFormField[];
};

const OPTIONAL: readonly ConfigFormField[] = ['ramDiskLocation', 'restoreWithoutState', 'forceStart', 'mergeBandwidth'];

const text = (v: string | number | boolean | null | undefined): string | undefined =>
  v === undefined ? undefined : v === null ? '' : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);

/** A form field's value in a configuration, as form text. */
export function configText(config: CompleteBackupConfig, key: ConfigFormField): string {
  const cronField = (CRON_FIELDS as readonly string[]).find((f) => CRON_FORM_FIELD[f as CronFieldName] === key) as
    CronFieldName | undefined;
  if (cronField) return config.cron?.[cronField] ?? '';
  if (key === 'cronActive') return text(config.cron?.active ?? false) ?? '';
  return text(config[key as Exclude<ParameterKey, 'excludeFromBackup'>]) ?? '';
}

/** A form field's value as the entry stores it, or undefined when the entry lacks the attribute. */
export function storedText(values: BackupConfigValues, key: ConfigFormField): string | undefined {
  const cronField = (CRON_FIELDS as readonly string[]).find((f) => CRON_FORM_FIELD[f as CronFieldName] === key) as
    CronFieldName | undefined;
  if (cronField) return values.cron?.[cronField];
  if (key === 'cronActive') return text(values.cron?.active);
  return text(values[key as Exclude<ParameterKey, 'excludeFromBackup'>]);
}

function defaultText(key: ConfigFormField): string {
  const param = parameter(key as Exclude<ParameterKey, 'excludeFromBackup'>);
  return text(param.default) ?? '';
}

/**
 * The patch turning the stored entry into `submitted`. `initial` is what the form showed
 * (to tell a value the administrator typed from one that was only displayed); `needsSchedule`
 * is false on stoney cloud, where no program reads the schedule, so an entry without one stays
 * without one unless the administrator enters it.
 */
export function planConfigPatch(input: {
  stored: BackupConfigValues;
  submitted: CompleteBackupConfig;
  initial: ConfigFormValues;
  needsSchedule: boolean;
}): ConfigPatch {
  const { stored, submitted, initial } = input;
  const keys: ConfigFormField[] = [];
  const added: ConfigFormField[] = [];
  const write = (key: ConfigFormField, byNeed: boolean) => {
    keys.push(key);
    if (byNeed) added.push(key);
  };
  const storedHasCron = CRON_FORM_FIELDS.some((k) => storedText(stored, k) !== undefined);
  const cronTouched = CRON_FORM_FIELDS.some((k) => configText(submitted, k) !== initial[k]);
  const writesCron = input.needsSchedule || storedHasCron || cronTouched;
  for (const key of CONFIG_FORM_FIELDS) {
    const now = configText(submitted, key);
    const before = storedText(stored, key);
    const isCron = CRON_FORM_FIELDS.includes(key);
    if (isCron && !writesCron) continue;
    const required = isCron || (REQUIRED_PARAMETERS as readonly string[]).includes(key);
    if (OPTIONAL.includes(key)) {
      if (now !== (before ?? defaultText(key))) write(key, false);
      continue;
    }
    if (!required) continue;
    if (before === undefined) write(key, now === initial[key]);
    else if (before !== now) write(key, false);
  }
  const config: CompleteBackupConfig = writesCron ? submitted : { ...submitted, cron: null };
  return { config, keys, added };
}

/** Every value of a complete configuration that the entry it came from holds, plus what it needs. */
export function copyPatch(config: CompleteBackupConfig, source: BackupConfigValues): ConfigPatch {
  const keys = CONFIG_FORM_FIELDS.filter((key) => {
    if (CRON_FORM_FIELDS.includes(key)) return config.cron !== null;
    if (OPTIONAL.includes(key)) return storedText(source, key) !== undefined;
    return true;
  });
  return { config, keys, added: [] };
}
