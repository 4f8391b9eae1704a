/**
 * The devices of one side as the directory lists them, and how they pair with the domain XML:
 * disks by target, interfaces by MAC address and otherwise by position (the node daemon and
 * vm-manager generate the XML from the directory in that order), and which interface the DHCP
 * reservation belongs to.
 */
import { firstValue, rdnKey } from './entries';
import type { DomainInterface } from './domain-xml';
import { normalizeMac } from './domain-xml';
import type { LdifEntry } from './ldif';
import { ATTR } from './names';
import type { Side, SubtreeEntry } from './sides';

export interface LdapDisk {
  key: string;
  target: string;
  entry: SubtreeEntry;
}

export interface LdapInterface {
  key: string;
  name: string;
  entry: SubtreeEntry;
  mac: string | null;
}

const lower = (s: string) => s.toLowerCase();

function deviceEntries(side: Side, attribute: string): SubtreeEntry[] {
  const out: SubtreeEntry[] = [];
  for (const e of side.entries.values()) {
    const [leaf, parent] = e.relative;
    if (
      e.relative.length === 2 &&
      lower(leaf.attribute) === lower(attribute) &&
      lower(parent.attribute) === 'ou' &&
      lower(parent.value) === 'devices'
    )
      out.push(e);
  }
  return out;
}

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function ldapDisks(side: Side): LdapDisk[] {
  return deviceEntries(side, ATTR.disk)
    .map((e) => ({ key: e.key, target: e.relative[0].value, entry: e }))
    .sort((a, b) => natural.compare(a.target, b.target));
}

export function ldapInterfaces(side: Side): LdapInterface[] {
  return deviceEntries(side, ATTR.interface)
    .map((e) => {
      const mac = firstValue(e.entry, ATTR.mac);
      return { key: e.key, name: e.relative[0].value, entry: e, mac: mac === null ? null : normalizeMac(mac) };
    })
    .sort((a, b) => natural.compare(a.name, b.name));
}

export const diskKey = (target: string) =>
  rdnKey([
    { attribute: ATTR.disk, value: target },
    { attribute: 'ou', value: 'devices' },
  ]);
export const interfaceKey = (name: string) =>
  rdnKey([
    { attribute: ATTR.interface, value: name },
    { attribute: 'ou', value: 'devices' },
  ]);

/** Interface key → position of its `<interface>` in the XML. */
export function pairInterfaces(ldap: LdapInterface[], xml: DomainInterface[]): Map<string, number> {
  const pairs = new Map<string, number>();
  const used = new Set<number>();
  for (const i of ldap) {
    if (i.mac === null) continue;
    const match = xml.find((x) => !used.has(x.position) && x.mac !== null && normalizeMac(x.mac) === i.mac);
    if (match) {
      pairs.set(i.key, match.position);
      used.add(match.position);
    }
  }
  const rest = xml.filter((x) => !used.has(x.position));
  for (const i of ldap) {
    if (pairs.has(i.key)) continue;
    const next = rest.shift();
    if (!next) break;
    pairs.set(i.key, next.position);
  }
  return pairs;
}

/** The MAC of a DHCP reservation (`dhcpHWAddress: ethernet <mac>`), or the raw value when it has another form. */
export function dhcpMac(dhcp: LdifEntry): string | null {
  const value = firstValue(dhcp, ATTR.dhcpMac);
  if (value === null) return null;
  const m = /^ethernet\s+(\S+)$/i.exec(value.trim());
  return m ? normalizeMac(m[1]) : value;
}

const FIXED = /^fixed-address\s+/i;

export function isFixedAddress(statement: string): boolean {
  return FIXED.test(statement.trim());
}

/** The fixed IP of a DHCP reservation (`dhcpStatements: fixed-address <ip>`). */
export function fixedAddress(statements: string[]): string | null {
  const found = statements.find(isFixedAddress);
  return found === undefined ? null : found.trim().replace(FIXED, '').trim();
}

/** The interface the reservation belongs to: the one with its MAC, else the first one. */
export function dhcpInterface(side: Side): LdapInterface | null {
  if (!side.dhcp) return null;
  const interfaces = ldapInterfaces(side);
  const mac = dhcpMac(side.dhcp);
  return interfaces.find((i) => i.mac !== null && i.mac === mac) ?? interfaces[0] ?? null;
}
