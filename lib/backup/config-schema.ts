import { z } from 'zod';
import { parseCronField, type CronFieldName } from '../cron/cron-field';
import type { CompleteBackupConfig } from './complete-config';
import type { EffectiveConfig } from './config';
import { CRON_PLAN_FIELD } from './cron-form';
import { truncatedPathProblem } from './daemon-values';

/**
 * Formats the node daemon can use: it creates the new live image with
 * `qemu-img create -f <format> -b <backing file>`, so only formats that
 * support a backing file work (raw does not). qcow2 is what stoney cloud uses.
 */
export const DISK_IMAGE_FORMATS = ['qcow2', 'qed', 'vmdk'] as const;

/** Every field of the configuration form; all arrive as text. */
export const CONFIG_FORM_FIELDS = [
  'iterations',
  'rootDirectory',
  'retainDirectory',
  'ramDiskLocation',
  'restoreWithoutState',
  'forceStart',
  'mergeBandwidth',
  'diskImageFormat',
  'diskImageOwner',
  'diskImageGroup',
  'diskImagePermission',
  'directoryOwner',
  'directoryGroup',
  'directoryPermission',
  'cronMinute',
  'cronHour',
  'cronDay',
  'cronMonth',
  'cronDayOfWeek',
  'cronActive',
] as const;
export type ConfigFormField = (typeof CONFIG_FORM_FIELDS)[number];
export type ConfigFormValues = Record<ConfigFormField, string>;

export const CRON_FORM_FIELD: Readonly<Record<CronFieldName, ConfigFormField>> = CRON_PLAN_FIELD;

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Form fields are text: numbers are checked as digits first, so "3 " or "" get a sentence, not NaN. */
function wholeNumber(label: string, min: number, max: number) {
  return z
    .string({ error: `${label} is required.` })
    .trim()
    .regex(/^\d+$/, `${label} must be a whole number (digits only).`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${label} must be between ${min} and ${max}.`);
}

// Characters a directory path may use: the node daemon hands these paths to shell commands.
const SEGMENT = /^[A-Za-z0-9._~+@=,:-]+$/;

/** Why a directory URL is not acceptable, or null when it is. */
function fileUrlProblem(label: string, value: string): string | null {
  if (value === '') return `${label} is required.`;
  if (value.length > 256) return `${label} has at most 256 characters.`;
  if (!value.startsWith('file:///')) return `${label} must be a file:/// URL of an absolute path, e.g. file:///var/backup/virtualization.`;
  const segments = value.slice('file://'.length).split('/').slice(1);
  if (segments.at(-1) === '') segments.pop();
  if (segments.length === 0) return `${label} must name a directory below /, not / itself.`;
  if (segments.some((s) => s === '..' || s === '.')) return `${label} must not contain '..' or '.' path segments.`;
  if (segments.some((s) => !SEGMENT.test(s))) {
    return `${label} may use only letters, digits and . _ ~ + @ = , : - in directory names, separated by single slashes.`;
  }
  return truncatedPathProblem(label, value);
}

function fileUrl(label: string) {
  return z
    .string({ error: `${label} is required.` })
    .trim()
    .superRefine((value, ctx) => {
      const problem = fileUrlProblem(label, value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/**
 * Octal permissions such as 660 or 0770. The attribute has Integer syntax, which forbids
 * leading zeros, so the value is stored without them (0660 → 660), as the installer writes it.
 */
function octal(label: string) {
  return z
    .string({ error: `${label} is required.` })
    .trim()
    .regex(/^[0-7]{3,4}$/, `${label} must be octal permissions of 3 or 4 digits 0–7, e.g. 660.`)
    .transform((v) => parseInt(v, 8).toString(8));
}

function accountName(label: string) {
  return z
    .string({ error: `${label} is required.` })
    .trim()
    .regex(/^([A-Za-z_][A-Za-z0-9_.-]{0,31}|\d{1,10})$/, `${label} must be a user or group name (letters, digits, _ . -) or a numeric id.`);
}

/** A choice among fixed words; its input type is text, as a form field's is, so a form's values type-check. */
function oneOf<const W extends readonly [string, ...string[]]>(words: W, error: string) {
  return z.string({ error }).pipe(z.enum(words, { error }));
}

function flag(label: string) {
  return oneOf(['TRUE', 'FALSE'], `${label} must be TRUE or FALSE.`).transform((v) => v === 'TRUE');
}

function cronField(field: CronFieldName) {
  return z
    .string({ error: 'This cron field is required.' })
    .trim()
    .superRefine((value, ctx) => {
      const result = parseCronField(field, value);
      if (!result.ok) ctx.addIssue({ code: 'custom', message: `${capitalize(result.error)}.` });
    });
}

/** The form's fields, each text in; actions spread this next to their own IDs. */
export const configFormShape = {
  iterations: wholeNumber('Iterations kept', 1, 99),
  rootDirectory: fileUrl('The backup directory'),
  retainDirectory: fileUrl('The retain directory'),
  // Optional: without a RAM disk the daemon saves the state into the retain directory.
  ramDiskLocation: z.union([z.literal('').transform(() => null), fileUrl('The RAM disk location')]),
  restoreWithoutState: flag('Restore without state'),
  forceStart: flag('Force start'),
  mergeBandwidth: wholeNumber('Merge bandwidth', 0, 1_000_000),
  diskImageFormat: oneOf(DISK_IMAGE_FORMATS, `The disk image format must be one of ${DISK_IMAGE_FORMATS.join(', ')}.`),
  diskImageOwner: accountName('The disk image owner'),
  diskImageGroup: accountName('The disk image group'),
  diskImagePermission: octal('Disk image permissions'),
  directoryOwner: accountName('The directory owner'),
  directoryGroup: accountName('The directory group'),
  directoryPermission: octal('Directory permissions'),
  cronMinute: cronField('minute'),
  cronHour: cronField('hour'),
  cronDay: cronField('day'),
  cronMonth: cronField('month'),
  cronDayOfWeek: cronField('dayOfWeek'),
  cronActive: flag('Active'),
};

export type ParsedConfigForm = z.infer<z.ZodObject<typeof configFormShape>>;

export function formToConfig(f: ParsedConfigForm): CompleteBackupConfig {
  return {
    iterations: f.iterations,
    rootDirectory: f.rootDirectory,
    retainDirectory: f.retainDirectory,
    ramDiskLocation: f.ramDiskLocation,
    restoreWithoutState: f.restoreWithoutState,
    forceStart: f.forceStart,
    mergeBandwidth: f.mergeBandwidth,
    diskImageFormat: f.diskImageFormat,
    diskImageOwner: f.diskImageOwner,
    diskImageGroup: f.diskImageGroup,
    diskImagePermission: f.diskImagePermission,
    directoryOwner: f.directoryOwner,
    directoryGroup: f.directoryGroup,
    directoryPermission: f.directoryPermission,
    cron: { minute: f.cronMinute, hour: f.cronHour, day: f.cronDay, month: f.cronMonth, dayOfWeek: f.cronDayOfWeek, active: f.cronActive },
  };
}

/** The configuration form, text in, a complete configuration out. */
export const backupConfigFormSchema = z.object(configFormShape).transform(formToConfig);

const text = (v: string | number | boolean | null): string =>
  v === null ? '' : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v);

/**
 * The form's starting values: what is in effect now, with the documented default where the
 * applying entry has none, so creating an override starts from exactly what the machine gets.
 */
export function formValuesOf(effective: EffectiveConfig): ConfigFormValues {
  const v = effective.values;
  const cron = v.cron.value;
  return {
    iterations: text(v.iterations.value),
    rootDirectory: text(v.rootDirectory.value),
    retainDirectory: text(v.retainDirectory.value),
    ramDiskLocation: text(v.ramDiskLocation.value),
    restoreWithoutState: text(v.restoreWithoutState.value ?? false),
    forceStart: text(v.forceStart.value ?? false),
    mergeBandwidth: text(v.mergeBandwidth.value),
    diskImageFormat: text(v.diskImageFormat.value),
    diskImageOwner: text(v.diskImageOwner.value),
    diskImageGroup: text(v.diskImageGroup.value),
    diskImagePermission: text(v.diskImagePermission.value),
    directoryOwner: text(v.directoryOwner.value),
    directoryGroup: text(v.directoryGroup.value),
    directoryPermission: text(v.directoryPermission.value),
    cronMinute: cron?.minute ?? '',
    cronHour: cron?.hour ?? '',
    cronDay: cron?.day ?? '',
    cronMonth: cron?.month ?? '',
    cronDayOfWeek: cron?.dayOfWeek ?? '',
    cronActive: text(cron?.active ?? false),
  };
}
