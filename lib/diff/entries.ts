/**
 * Helpers for LdifEntry values: attribute lookup by name in any case (LDAP names are
 * case-insensitive), value sets, and DN keys that match exactly when sameDn would say the DNs
 * are the same, so entries can be paired through a Map instead of comparing every pair.
 */
import { rdnsOf, type Rdn } from './dn';
import type { LdifAttribute, LdifEntry } from './ldif';
import { ATTR, isOperational } from './names';

export function findAttribute(entry: LdifEntry, name: string): LdifAttribute | undefined {
  const wanted = name.toLowerCase();
  return entry.attributes.find((a) => a.name.toLowerCase() === wanted);
}

export function valuesOf(entry: LdifEntry, name: string): string[] {
  return findAttribute(entry, name)?.values ?? [];
}

export function firstValue(entry: LdifEntry, name: string): string | null {
  return valuesOf(entry, name)[0] ?? null;
}

/** Replaces the values in place (keeping the attribute's position), appends, or removes when empty. */
export function setValues(entry: LdifEntry, name: string, values: string[]): void {
  const existing = findAttribute(entry, name);
  if (values.length === 0) {
    entry.attributes = entry.attributes.filter((a) => a !== existing);
  } else if (existing) {
    existing.values = [...values];
  } else {
    entry.attributes.push({ name, values: [...values] });
  }
}

/** A copy without operational attributes, which can never be written back. */
export function cloneEntry(entry: LdifEntry, dn = entry.dn): LdifEntry {
  return { dn, attributes: entry.attributes.filter((a) => !isOperational(a.name)).map((a) => ({ name: a.name, values: [...a.values] })) };
}

/** objectClass values are names and compare in any case; other values compare exactly. */
export function valueKey(attribute: string, value: string): string {
  return attribute.toLowerCase() === ATTR.objectClass.toLowerCase() ? value.toLowerCase() : value;
}

export function sameValueSet(attribute: string, a: string[], b: string[]): boolean {
  const left = new Set(a.map((v) => valueKey(attribute, v)));
  const right = new Set(b.map((v) => valueKey(attribute, v)));
  if (left.size !== right.size) return false;
  for (const v of left) if (!right.has(v)) return false;
  return true;
}

export function rdnKey(rdns: Rdn[]): string {
  return rdns.map((r) => `${r.attribute.toLowerCase()}=${r.value.toLowerCase()}`).join(',');
}

/** Equal for two DNs exactly when sameDn(a, b) holds. */
export function dnKey(dn: string): string {
  return rdnKey(rdnsOf(dn));
}

/** True when `rdns` (leaf first) ends with `ancestor` (leaf first), compared as sameDn does. */
export function endsWithRdns(rdns: Rdn[], ancestor: Rdn[]): boolean {
  if (ancestor.length > rdns.length) return false;
  const offset = rdns.length - ancestor.length;
  return ancestor.every(
    (r, i) =>
      r.attribute.toLowerCase() === rdns[offset + i].attribute.toLowerCase() &&
      r.value.toLowerCase() === rdns[offset + i].value.toLowerCase(),
  );
}

/** The RDN components as written (escapes kept), leaf first. */
export function rawRdns(dn: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i += 1) {
    if (dn[i] === '\\' && i + 1 < dn.length) {
      current += dn[i] + dn[i + 1];
      i += 1;
    } else if (dn[i] === ',') {
      parts.push(current.trim());
      current = '';
    } else {
      current += dn[i];
    }
  }
  if (current !== '' || parts.length > 0) parts.push(current.trim());
  return parts;
}

/**
 * Whether the DN is at or below `ou=backup,sstVirtualMachine=…`: a machine's backup history.
 * Recognised by shape alone, so that ldapChanges can protect it without knowing the machine.
 */
export function isBackupHistory(rdns: Rdn[]): boolean {
  for (let i = 1; i < rdns.length; i += 1) {
    if (
      rdns[i].attribute.toLowerCase() === ATTR.machine.toLowerCase() &&
      rdns[i - 1].attribute.toLowerCase() === 'ou' &&
      rdns[i - 1].value.toLowerCase() === 'backup'
    )
      return true;
  }
  return false;
}
