/**
 * Internal: attribute differences of entries that exist on both sides. Names compare in any
 * case, values as sets (objectClass values in any case too), so neither the order of values nor
 * the spelling of names is a difference. Attributes a grouped setting owns are skipped.
 */
import { findAttribute, sameValueSet, setValues, valuesOf } from './entries';
import { isFixedAddress } from './inventory';
import type { LdifEntry } from './ldif';
import { ATTR, DHCP_DESCRIPTION, describeRelative, isOperational } from './names';
import { DHCP_KEY, type ApplyContext, type Operation } from './operation';
import { claim } from './setting-places';
import type { Sides } from './sides-context';
import type { Choice, Conflict } from './types';
import { VALUE_HINTS } from './values';

interface Pair {
  key: string;
  /** 'vm', 'dhcp' or the DN relative to the machine, for ids. */
  name: string;
  description: string;
  backup: LdifEntry;
  live: LdifEntry;
}

function pairs(s: Sides): Pair[] {
  const out: Pair[] = [];
  for (const b of s.backup.entries.values()) {
    const l = s.live.entries.get(b.key);
    if (!l) continue;
    out.push({
      key: b.key,
      name: b.key === '' ? 'vm' : b.relativeText,
      description: describeRelative(b.relative),
      backup: b.entry,
      live: l.entry,
    });
  }
  if (s.backup.dhcp && s.live.dhcp)
    out.push({ key: DHCP_KEY, name: 'dhcp', description: DHCP_DESCRIPTION, backup: s.backup.dhcp, live: s.live.dhcp });
  return out;
}

function attributeNames(a: LdifEntry, b: LdifEntry): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const attribute of [...a.attributes, ...b.attributes]) {
    const lower = attribute.name.toLowerCase();
    if (seen.has(lower) || isOperational(lower)) continue;
    seen.add(lower);
    out.push(attribute.name);
  }
  return out;
}

function entriesEqual(a: LdifEntry, b: LdifEntry): boolean {
  return attributeNames(a, b).every((name) => sameValueSet(name, valuesOf(a, name), valuesOf(b, name)));
}

function operation(pair: Pair, attribute: string, partial: boolean, backupValues: string[], liveValues: string[]): Operation {
  const single = backupValues.length <= 1 && liveValues.length <= 1 && attribute.toLowerCase() !== ATTR.objectClass.toLowerCase();
  const show = (values: string[]) => (values.length === 0 ? '(not set)' : values.join(', '));
  const what = partial ? `${attribute} (other than fixed-address)` : attribute;
  const conflict: Conflict = {
    id: `ldap:${pair.name}:${attribute}`,
    kind: 'ldap-attribute',
    label: `${what} of ${pair.description}`,
    live: show(liveValues),
    backup: show(backupValues),
    allowValue: single,
    valueKind: single ? 'ldap-value' : null,
    valueHint: single ? VALUE_HINTS['ldap-value'] : null,
    values: single ? { live: liveValues[0] ?? null, backup: backupValues[0] ?? null } : { live: null, backup: null },
    choices: {
      live: liveValues.length === 0 ? 'Leave it unset, as live' : single ? `Keep ${liveValues[0]}` : 'Keep the live values',
      backup:
        backupValues.length === 0
          ? 'Remove it, as in the backup'
          : single
            ? `Take ${backupValues[0]} from the backup`
            : "Take the backup's values",
    },
    refused: {},
    ldap: [{ dn: pair.live.dn, attribute, live: liveValues, backup: backupValues }],
    xml: [],
  };
  const write = (ctx: ApplyContext, values: string[]) => {
    const target = ctx.entries.get(pair.key);
    if (!target) return;
    const kept = partial ? valuesOf(target, attribute).filter(isFixedAddress) : [];
    setValues(target, findAttribute(target, attribute)?.name ?? attribute, [...kept, ...values]);
  };
  return {
    conflict,
    phase: 2,
    formatValue: (v) => v,
    apply(ctx: ApplyContext, choice: Choice, value: string | null) {
      if (choice === 'backup') write(ctx, backupValues);
      else if (choice === 'value' && value !== null) write(ctx, [value]);
    },
  };
}

export function attributeOperations(
  s: Sides,
  claimed: ReadonlySet<string>,
  fixedAddressClaimed: boolean,
): { operations: Operation[]; unchangedEntries: number } {
  const operations: Operation[] = [];
  let unchangedEntries = 0;
  for (const pair of pairs(s)) {
    if (entriesEqual(pair.backup, pair.live)) {
      unchangedEntries += 1;
      continue;
    }
    for (const name of attributeNames(pair.backup, pair.live)) {
      if (claimed.has(claim(pair.key, name))) continue;
      const partial = pair.key === DHCP_KEY && fixedAddressClaimed && name.toLowerCase() === ATTR.dhcpStatements.toLowerCase();
      const filter = (values: string[]) => (partial ? values.filter((v) => !isFixedAddress(v)) : values);
      const backupValues = filter(valuesOf(pair.backup, name));
      const liveValues = filter(valuesOf(pair.live, name));
      if (!sameValueSet(name, backupValues, liveValues)) operations.push(operation(pair, name, partial, backupValues, liveValues));
    }
  }
  return { operations, unchangedEntries };
}
