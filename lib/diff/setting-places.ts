/**
 * Internal: reading one place of a grouped setting on each side (an attribute of an entry, a
 * value of the domain XML) and describing it for the conflict.
 */
import { valuesOf } from './entries';
import type { LdifEntry } from './ldif';
import { DHCP_KEY } from './operation';
import { absent, present, type PlaceValue } from './setting';
import type { Side } from './sides';
import type { SideXml, Sides } from './sides-context';
import type { LdapPlace, XmlPlace } from './types';
import { findElement, getAttribute, textContent } from './xml-nodes';

export const claim = (key: string, attribute: string) => `${key}|${attribute.toLowerCase()}`;

export function entryOf(side: Side, key: string): LdifEntry | null {
  return key === DHCP_KEY ? side.dhcp : (side.entries.get(key)?.entry ?? null);
}

export function ldapReading(side: Side, key: string, read: (entry: LdifEntry) => string | null): PlaceValue {
  const entry = entryOf(side, key);
  return entry ? present(read(entry)) : absent;
}

export function ldapPlace(s: Sides, key: string, attribute: string, filter: (values: string[]) => string[] = (v) => v): LdapPlace {
  const b = entryOf(s.backup, key);
  const l = entryOf(s.live, key);
  return {
    dn: (l ?? b)?.dn ?? '',
    attribute,
    live: l ? filter(valuesOf(l, attribute)) : null,
    backup: b ? filter(valuesOf(b, attribute)) : null,
  };
}

export function xmlReading(x: SideXml | null, read: (x: SideXml) => string | null): PlaceValue {
  if (!x) return absent;
  const value = read(x);
  return value === null ? absent : present(value);
}

export function rawXml(x: SideXml | null, path: string, attribute: string | null): string | null {
  const element = x ? findElement(x.doc.root, path) : null;
  if (!element) return null;
  if (attribute !== null) return getAttribute(element, attribute);
  const unit = path === 'memory' || path === 'currentMemory' ? ` ${getAttribute(element, 'unit') ?? 'KiB'}` : '';
  return `${textContent(element).trim()}${unit}`;
}

export function xmlPlace(s: Sides, path: string, read: (x: SideXml) => string | null): XmlPlace {
  return { path, live: s.liveXml ? read(s.liveXml) : null, backup: read(s.backupXml) };
}
