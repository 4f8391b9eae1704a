import type { Entry } from 'ldapts';
import type { z } from 'zod';

/** An entry with attribute names folded to lower case: LDAP names are case-insensitive. */
export interface RawEntry {
  dn: string;
  attrs: Record<string, string[]>;
}

/** Lower-cased attribute names, remembered: a fleet read folds the same few names 100,000 times. */
const foldedNames = new Map<string, string>();
function fold(name: string): string {
  let folded = foldedNames.get(name);
  if (folded === undefined) {
    folded = name.toLowerCase();
    if (foldedNames.size < 2000) foldedNames.set(name, folded);
  }
  return folded;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

export function toRawEntry(entry: Entry): RawEntry {
  const attrs: Record<string, string[]> = {};
  for (const name in entry) {
    if (name === 'dn') continue;
    const value: unknown = entry[name];
    attrs[fold(name)] = Array.isArray(value) ? value.map(text) : [text(value)];
  }
  return { dn: entry.dn, attrs };
}

export function all(entry: RawEntry, name: string): string[] {
  return entry.attrs[fold(name)] ?? [];
}

export function one(entry: RawEntry, name: string): string | undefined {
  return all(entry, name)[0];
}

export function hasObjectClass(entry: RawEntry, objectClass: string): boolean {
  const wanted = objectClass.toLowerCase();
  return all(entry, 'objectClass').some((c) => c.toLowerCase() === wanted);
}

/** LDAP Boolean syntax is TRUE/FALSE; anything else is treated as absent rather than guessed. */
export function bool(entry: RawEntry, name: string): boolean | undefined {
  const value = one(entry, name)?.trim().toUpperCase();
  if (value === 'TRUE') return true;
  if (value === 'FALSE') return false;
  return undefined;
}

export function int(entry: RawEntry, name: string): number | undefined {
  const value = one(entry, name);
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,]\d+)?Z$/;

/** A GeneralizedTime in UTC, as slapd writes its operational timestamps ("20240312030512Z"), as ISO text. */
export function generalizedTime(entry: RawEntry, name: string): string | undefined {
  const m = GENERALIZED_TIME.exec(one(entry, name)?.trim() ?? '');
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export interface EntryProblem {
  dn: string;
  problem: string;
}

/**
 * Validates a mapped entry. A malformed entry is reported and skipped instead of failing the
 * whole page: one broken VM must not hide the other four thousand.
 */
export function checked<S extends z.ZodType>(schema: S, entry: RawEntry, candidate: unknown, problems: EntryProblem[]): z.infer<S> | null {
  const result = schema.safeParse(candidate);
  if (result.success) return result.data;
  const problem = result.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ');
  problems.push({ dn: entry.dn, problem });
  return null;
}
