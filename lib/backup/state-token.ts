import { z } from 'zod';
import { CRON_FIELDS, CRON_FIELD_LABELS } from '../cron/cron-field';
import { CRON_FORM_FIELD, type ConfigFormField } from './config-schema';
import type { BackupEntryState } from './override';
import { PARAMETER_KEYS, parameter, type BackupConfigValues, type ParameterKey } from './parameters';

/**
 * A form carries the entry as it was read (the "version token"), so a save can
 * tell whether someone else changed the entry in the meantime and say what.
 * It is plain base64url JSON: it protects against lost updates, not against
 * an administrator who edits it by hand (who could as well just save).
 */
const cronSchema = z
  .object({
    minute: z.string(),
    hour: z.string(),
    day: z.string(),
    month: z.string(),
    dayOfWeek: z.string(),
    active: z.boolean(),
  })
  .partial();

const valuesSchema = z
  .object({
    iterations: z.number(),
    rootDirectory: z.string(),
    retainDirectory: z.string(),
    ramDiskLocation: z.string(),
    excludeFromBackup: z.boolean(),
    restoreWithoutState: z.boolean(),
    forceStart: z.boolean(),
    mergeBandwidth: z.number(),
    diskImageFormat: z.string(),
    diskImageOwner: z.string(),
    diskImageGroup: z.string(),
    diskImagePermission: z.string(),
    directoryOwner: z.string(),
    directoryGroup: z.string(),
    directoryPermission: z.string(),
    cron: cronSchema,
  })
  .partial();

const stateSchema = z.object({
  exists: z.boolean(),
  hasConfigClass: z.boolean(),
  copyFingerprint: z.string().nullable(),
  values: valuesSchema,
});

/** Key order fixed, absent values dropped: the same entry always gives the same text. */
function canonicalValues(values: BackupConfigValues): BackupConfigValues {
  const out: Record<string, unknown> = {};
  for (const key of PARAMETER_KEYS) if (values[key] !== undefined) out[key] = values[key];
  const cron: Record<string, unknown> = {};
  for (const f of [...CRON_FIELDS, 'active'] as const) if (values.cron?.[f] !== undefined) cron[f] = values.cron[f];
  if (Object.keys(cron).length > 0) out.cron = cron;
  return out as BackupConfigValues;
}

function canonical(state: BackupEntryState): string {
  return JSON.stringify({
    exists: state.exists,
    hasConfigClass: state.hasConfigClass,
    copyFingerprint: state.copyFingerprint,
    values: canonicalValues(state.values),
  });
}

export function encodeStateToken(state: BackupEntryState): string {
  return Buffer.from(canonical(state), 'utf8').toString('base64url');
}

export function decodeStateToken(token: string): BackupEntryState | null {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return parsed.success ? (parsed.data as BackupEntryState) : null;
  } catch {
    return null;
  }
}

export function sameState(a: BackupEntryState, b: BackupEntryState): boolean {
  return canonical(a) === canonical(b);
}

const shown = (v: unknown): string => (v === undefined ? '(not set)' : typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : `"${String(v)}"`);

export type StateDifferences = {
  /** One sentence per difference, for the message. */
  lines: string[];
  /** Per form field, shown next to it. */
  fields: Partial<Record<ConfigFormField, string>>;
};

/** What changed between the entry as the form read it and the entry now. */
export function describeStateDifferences(read: BackupEntryState, now: BackupEntryState): StateDifferences {
  const lines: string[] = [];
  const fields: Partial<Record<ConfigFormField, string>> = {};
  if (read.exists !== now.exists) lines.push(now.exists ? 'The ou=backup entry was created.' : 'The ou=backup entry was deleted.');
  if (read.hasConfigClass !== now.hasConfigClass) {
    lines.push(now.hasConfigClass ? 'Someone gave it its own configuration.' : 'Someone removed its own configuration.');
  }
  const note = (field: ConfigFormField | null, label: string, before: unknown, after: unknown) => {
    lines.push(`${label}: ${shown(before)} → ${shown(after)}`);
    if (field) fields[field] = `Changed by someone else since you opened this form: now ${shown(after)} (you read ${shown(before)}).`;
  };
  for (const key of PARAMETER_KEYS) {
    const a = read.values[key];
    const b = now.values[key];
    if (a !== b) note(key === 'excludeFromBackup' ? null : (key as Exclude<ParameterKey, 'excludeFromBackup'>), parameter(key).label, a, b);
  }
  for (const f of CRON_FIELDS) {
    const a = read.values.cron?.[f];
    const b = now.values.cron?.[f];
    if (a !== b) note(CRON_FORM_FIELD[f], `Schedule ${CRON_FIELD_LABELS[f]}`, a, b);
  }
  if (read.values.cron?.active !== now.values.cron?.active)
    note('cronActive', 'Schedule active', read.values.cron?.active, now.values.cron?.active);
  if (lines.length === 0 && read.copyFingerprint !== now.copyFingerprint) lines.push('The note on who made its configuration changed.');
  return { lines, fields };
}
