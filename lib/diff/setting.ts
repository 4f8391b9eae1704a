/**
 * Internal: one setting kept in several places (directory, domain XML, DHCP reservation), turned
 * into at most one conflict. A side's value is its directory value when it has one (the
 * directory is the source of truth), else the first place that has it. Whatever is chosen is
 * written to every place, so the result agrees with itself even when a side did not.
 */
import { checkCollisions, type IdentityKind } from './collisions';
import type { ApplyContext, Operation } from './operation';
import type { Choice, Conflict, Identities, LdapPlace, ValueKind, XmlPlace } from './types';
import { checkValue, valueHint, type ValueContext } from './values';

export type PlaceValue = { present: false } | { present: true; value: string | null };

export interface Reading {
  /** "directory", "domain XML <memory>", "DHCP reservation". */
  where: string;
  backup: PlaceValue;
  live: PlaceValue;
  xml: boolean;
}

/**
 * A value that goes with a setting and is taken from whichever side is chosen: the balloon of
 * memory (`<currentMemory>` below `<memory>`), the online vCPUs (`<vcpu current>`). It is
 * compared, so a difference there is decided too; but a side whose companion differs from its
 * setting does not disagree with itself: a ballooned machine is consistent. A typed value has
 * none (the full memory, every vCPU online).
 */
export interface Companion {
  /** A null value: the side has none. */
  backup: PlaceValue;
  live: PlaceValue;
  /** For display after the side's value: "2 GiB in use". */
  describe(value: string): string;
  /** libvirt compares it when restoring a saved state. */
  stateSensitive: boolean;
}

export interface SettingSpec {
  id: string;
  label: string;
  valueKind: ValueKind;
  /** A side without a value cannot be chosen (memory, vCPUs …). */
  required: boolean;
  /** libvirt compares it when restoring a saved state, so changing it in the XML puts the state at risk. */
  stateSensitive: boolean;
  identity?: IdentityKind;
  readings: Reading[];
  ldap: LdapPlace[];
  xml: XmlPlace[];
  companion?: Companion;
  format(value: string): string;
  /** `from` is the side chosen, null for a typed value; the companion is written from it. */
  write(ctx: ApplyContext, value: string | null, from: Side | null): void;
}

export const absent: PlaceValue = { present: false };
export const present = (value: string | null): PlaceValue => ({ present: true, value });

export type Side = 'backup' | 'live';

function sideValues(spec: SettingSpec, side: Side): (string | null)[] {
  const out: (string | null)[] = [];
  for (const r of spec.readings) {
    const v = r[side];
    if (v.present) out.push(v.value);
  }
  return out;
}

export interface SettingResult {
  operation: Operation | null;
  /** Domain XML places compared and found equal. */
  equalXml: number;
}

const valueOf = (p: PlaceValue) => (p.present ? p.value : null);

export function settingOperation(spec: SettingSpec, others: Identities, context: ValueContext = {}): SettingResult {
  const values = { backup: sideValues(spec, 'backup'), live: sideValues(spec, 'live') };
  const canonical = { backup: values.backup[0] ?? null, live: values.live[0] ?? null };
  const consistent = (side: Side) => new Set(values[side]).size <= 1;
  let equalXml = 0;
  let comparedDiffer = false;
  for (const r of spec.companion
    ? [...spec.readings, { backup: spec.companion.backup, live: spec.companion.live, xml: true }]
    : spec.readings) {
    if (!r.backup.present || !r.live.present) continue;
    if (r.backup.value !== r.live.value) comparedDiffer = true;
    else if (r.xml) equalXml += 1;
  }
  const collisions = spec.identity ? checkCollisions(spec.identity, canonical.backup, canonical.live, others) : {};
  const differs = comparedDiffer || canonical.backup !== canonical.live || !consistent('backup') || !consistent('live');
  if (!differs && !collisions.text) return { operation: null, equalXml };

  const show = (v: string | null) => (v === null ? '(not set)' : spec.format(v));
  const display = (side: Side) => {
    const companion = spec.companion ? valueOf(spec.companion[side]) : null;
    const suffix = companion === null ? '' : ` (${spec.companion!.describe(companion)})`;
    if (consistent(side)) return `${show(canonical[side])}${suffix}`;
    return `${spec.readings.flatMap((r) => (r[side].present ? [`${show(r[side].value)} (${r.where})`] : [])).join(', ')}${suffix}`;
  };
  const refused: Conflict['refused'] = {};
  // What each choice writes: the side's value in the form a typed value would take (memory in
  // bytes …). Directory values are not checked by the schema; one that could not have been typed
  // cannot be written either.
  const written: { live: string | null; backup: string | null } = { live: null, backup: null };
  for (const side of ['live', 'backup'] as const) {
    const whose = side === 'live' ? 'live machine' : 'backup';
    const value = canonical[side];
    if (value === null) {
      if (spec.required) refused[side] = `The ${whose} has no value for ${spec.label}; choose the other side or type a value.`;
      continue;
    }
    const checked = checkValue(spec.valueKind, value, context);
    if (checked.ok) written[side] = checked.value;
    else refused[side] = `The ${whose}'s value ${value} cannot be written: ${checked.error}`;
  }
  if (collisions.refuseBackup && !refused.backup) refused.backup = collisions.refuseBackup;
  const split = (['backup', 'live'] as const).filter((s) => !consistent(s));
  const conflict: Conflict = {
    id: spec.id,
    kind: 'setting',
    label: spec.label,
    live: display('live'),
    backup: display('backup'),
    allowValue: true,
    valueKind: spec.valueKind,
    valueHint: valueHint(spec.valueKind, context),
    values: canonical,
    choices: {
      live: `Keep ${consistent('live') ? display('live') : show(canonical.live)}`,
      backup: `Take ${consistent('backup') ? display('backup') : show(canonical.backup)} from the backup`,
    },
    refused,
    ldap: spec.ldap,
    xml: spec.xml,
    ...(collisions.text ? { collision: collisions.text } : {}),
    ...(split.length > 0
      ? {
          note: `The ${split.join(' and the ')} side${split.length > 1 ? 's disagree' : ' disagrees'} with itself here; the choice is written to every place, with the directory's value standing for its side.`,
        }
      : {}),
  };
  return {
    equalXml,
    operation: {
      conflict,
      phase: 3,
      formatValue: spec.format,
      apply(ctx: ApplyContext, choice: Choice, value: string | null) {
        if (choice === 'value') spec.write(ctx, value, null);
        else spec.write(ctx, written[choice], choice);
      },
      stateRisk(choice: Choice, value: string | null) {
        const chosen = choice === 'value' ? value : written[choice];
        const changed = spec.readings.some((r) => r.xml && r.backup.present && r.backup.value !== chosen);
        const companion = spec.companion?.stateSensitive ? spec.companion : null;
        const companionChanged =
          companion !== null && (choice === 'value' ? null : valueOf(companion[choice])) !== valueOf(companion.backup);
        return spec.stateSensitive && (changed || companionChanged) ? `${spec.label} differs from the backup's domain XML.` : null;
      },
    },
  };
}
