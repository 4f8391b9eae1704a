/**
 * Internal: entries that exist on one side only. One conflict covers the topmost such entry and
 * everything below it (a disk added after the backup, a user assignment removed since), so no
 * decision can leave an entry without its parent. A disk or interface entry takes its `<disk>` or
 * `<interface>` element along when that element is on the same side only, so the directory and
 * the domain XML keep the same devices. The DHCP reservation is matched by its role (cn = the
 * machine's UUID), not by DN: a reservation moved to another subnet is one entry, not two.
 */
import { checkCollisions, type IdentityKind } from './collisions';
import { cloneEntry, dnKey, endsWithRdns, firstValue, rdnKey, valuesOf } from './entries';
import { dhcpMac, fixedAddress, interfaceKey } from './inventory';
import type { LdifEntry } from './ldif';
import { ATTR, DHCP_DESCRIPTION, describeRelative } from './names';
import { DHCP_KEY, type ApplyContext, type EntryEffects, type Operation } from './operation';
import type { SubtreeEntry } from './sides';
import type { Sides } from './sides-context';
import type { Choice, Conflict, LdapPlace } from './types';
import type { XmlElementDifference } from './xml-diff';
import { compactElement, stateRiskOf, takeLiveElement } from './xml-conflicts';

const lower = (s: string) => s.toLowerCase();
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function lines(entry: LdifEntry): string[] {
  return entry.attributes.flatMap((a) => a.values.map((v) => `${a.name}: ${v}`));
}

function identitiesOf(entries: LdifEntry[], dhcp: boolean): { kind: IdentityKind; value: string }[] {
  const out: { kind: IdentityKind; value: string }[] = [];
  for (const e of entries) {
    const mac = dhcp ? dhcpMac(e) : firstValue(e, ATTR.mac);
    if (mac !== null) out.push({ kind: 'mac', value: mac });
    const ip = dhcp ? fixedAddress(valuesOf(e, ATTR.dhcpStatements)) : null;
    if (ip !== null) out.push({ kind: 'ip', value: ip });
  }
  return out;
}

function collisionFields(s: Sides, entries: LdifEntry[], side: 'backup' | 'live', dhcp: boolean): Pick<Conflict, 'collision' | 'refused'> {
  const texts: string[] = [];
  const refusals: string[] = [];
  for (const { kind, value } of identitiesOf(entries, dhcp)) {
    const check = side === 'backup' ? checkCollisions(kind, value, null, s.others) : checkCollisions(kind, null, value, s.others);
    if (check.text) texts.push(check.text);
    if (check.refuseBackup) refusals.push(check.refuseBackup);
  }
  return {
    refused: refusals.length > 0 ? { backup: refusals.join(' ') } : {},
    ...(texts.length > 0 ? { collision: texts.join(' ') } : {}),
  };
}

function presence(count: number): string {
  return count > 1 ? `present, with ${count - 1} ${count === 2 ? 'entry' : 'entries'} below it` : 'present';
}

/** The XML element of a disk or interface entry, when it too exists on that side only. */
function absorbXml(
  s: Sides,
  top: SubtreeEntry,
  side: 'backup' | 'live',
  diffs: Map<string, XmlElementDifference>,
): XmlElementDifference | null {
  const [leaf, parent] = top.relative;
  if (top.relative.length !== 2 || lower(parent.attribute) !== 'ou' || lower(parent.value) !== 'devices') return null;
  let path: string | null = null;
  if (lower(leaf.attribute) === lower(ATTR.disk)) path = `devices/disk[${leaf.value}]`;
  if (lower(leaf.attribute) === lower(ATTR.interface))
    path = `devices/interface[${s.interfaceNames.get(interfaceKey(leaf.value)) ?? leaf.value}]`;
  const diff = path === null ? undefined : diffs.get(path);
  if (!diff || diff.side !== side) return null;
  diffs.delete(diff.path);
  return diff;
}

function subtreeOperation(
  s: Sides,
  top: SubtreeEntry,
  members: SubtreeEntry[],
  side: 'backup' | 'live',
  xml: XmlElementDifference | null,
): Operation {
  const description = describeRelative(top.relative);
  const onlyBackup = side === 'backup';
  const ldap: LdapPlace[] = members.map((m) => ({
    dn: m.entry.dn,
    attribute: null,
    live: onlyBackup ? null : lines(m.entry),
    backup: onlyBackup ? lines(m.entry) : null,
  }));
  const shown = presence(members.length);
  const conflict: Conflict = {
    id: `ldap-entry:${top.relativeText}`,
    kind: 'ldap-entry',
    label: capitalize(description),
    live: onlyBackup ? '(absent)' : shown,
    backup: onlyBackup ? shown : '(absent)',
    allowValue: false,
    valueKind: null,
    valueHint: null,
    values: { live: null, backup: null },
    choices: onlyBackup
      ? { live: 'Leave it out, as live', backup: 'Restore it from the backup' }
      : { live: 'Keep it', backup: 'Delete it, as in the backup' },
    ...collisionFields(
      s,
      members.map((m) => m.entry),
      side,
      false,
    ),
    ldap,
    xml: xml
      ? [{ path: xml.path, live: onlyBackup ? null : compactElement(xml.element), backup: onlyBackup ? compactElement(xml.element) : null }]
      : [],
  };
  const named = members.map((m) => `${describeRelative(m.relative)} (${m.entry.dn})`);
  return {
    conflict,
    phase: 1,
    formatValue: (v) => v,
    apply(ctx: ApplyContext, choice: Choice) {
      if (choice === 'backup') {
        for (const m of members) {
          if (onlyBackup) ctx.entries.set(m.key, cloneEntry(m.entry));
          else ctx.entries.delete(m.key);
        }
      } else if (choice === 'live' && xml) {
        takeLiveElement(ctx, xml);
      }
    },
    entryEffects(choice: Choice): EntryEffects {
      if (choice !== 'backup') return { added: [], removed: [] };
      return onlyBackup ? { added: named, removed: [] } : { added: [], removed: [...named].reverse() };
    },
    stateRisk: (choice: Choice) => (choice === 'live' && xml ? stateRiskOf(xml.path, capitalize(description)) : null),
  };
}

function dhcpOperation(s: Sides): Operation | null {
  const b = s.backup.dhcp;
  const l = s.live.dhcp;
  if (b && l && dnKey(b.dn) === dnKey(l.dn)) return null;
  if (!b && !l) return null;
  const place: LdapPlace = { dn: (l ?? b)!.dn, attribute: null, live: l ? lines(l) : null, backup: b ? lines(b) : null };
  const base = { kind: 'ldap-entry' as const, allowValue: false, valueKind: null, valueHint: null, values: { live: null, backup: null } };
  const named = (e: LdifEntry) => `${DHCP_DESCRIPTION} (${e.dn})`;
  if (b && l) {
    return {
      conflict: {
        ...base,
        id: 'ldap-entry:dhcp',
        label: 'Location of the DHCP reservation',
        live: l.dn,
        backup: b.dn,
        choices: { live: 'Keep it where it is', backup: 'Move it back to where the backup has it' },
        refused: {},
        ldap: [place, { dn: b.dn, attribute: null, live: null, backup: lines(b) }],
        xml: [],
      },
      phase: 1,
      formatValue: (v) => v,
      apply(ctx: ApplyContext, choice: Choice) {
        const target = ctx.entries.get(DHCP_KEY);
        if (choice === 'backup' && target) target.dn = b.dn;
      },
      entryEffects: (choice) => (choice === 'backup' ? { added: [named(b)], removed: [named(l)] } : { added: [], removed: [] }),
    };
  }
  const onlyBackup = b !== null;
  const entry = (b ?? l)!;
  return {
    conflict: {
      ...base,
      id: 'ldap-entry:dhcp',
      label: capitalize(DHCP_DESCRIPTION),
      live: onlyBackup ? '(absent)' : 'present',
      backup: onlyBackup ? 'present' : '(absent)',
      choices: onlyBackup
        ? { live: 'Leave it out, as live', backup: 'Restore it from the backup' }
        : { live: 'Keep it', backup: 'Delete it, as in the backup' },
      ...collisionFields(s, [entry], onlyBackup ? 'backup' : 'live', true),
      ldap: [place],
      xml: [],
    },
    phase: 1,
    formatValue: (v) => v,
    apply(ctx: ApplyContext, choice: Choice) {
      if (choice !== 'backup') return;
      if (onlyBackup) ctx.entries.set(DHCP_KEY, cloneEntry(entry));
      else ctx.entries.delete(DHCP_KEY);
    },
    entryEffects: (choice) =>
      choice !== 'backup'
        ? { added: [], removed: [] }
        : onlyBackup
          ? { added: [named(entry)], removed: [] }
          : { added: [], removed: [named(entry)] },
  };
}

export function entryOperations(s: Sides, xmlElements: Map<string, XmlElementDifference>): Operation[] {
  const operations: Operation[] = [];
  for (const side of ['backup', 'live'] as const) {
    const mine = side === 'backup' ? s.backup : s.live;
    const other = side === 'backup' ? s.live : s.backup;
    const only = [...mine.entries.values()].filter((e) => !other.entries.has(e.key));
    const onlyKeys = new Set(only.map((e) => e.key));
    for (const top of only) {
      if (top.relative.length > 1 && onlyKeys.has(rdnKey(top.relative.slice(1)))) continue;
      const members = only.filter((e) => endsWithRdns(e.relative, top.relative)).sort((a, b) => a.relative.length - b.relative.length);
      operations.push(subtreeOperation(s, top, members, side, absorbXml(s, top, side, xmlElements)));
    }
  }
  const dhcp = dhcpOperation(s);
  if (dhcp) operations.push(dhcp);
  return operations;
}
