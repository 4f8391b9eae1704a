/**
 * The directory writes that bring the live entries to the resolved state (Phase 2, step 8):
 * only what differs, value by value where that is enough. The machine's backup history
 * (ou=backup and every iteration under it) is recognised by its DN and never touched: live
 * history is left out of the comparison, and a target that contains history is refused.
 */
import { rdnsOf } from './dn';
import { dnKey, endsWithRdns, findAttribute, isBackupHistory, sameValueSet, valueKey, valuesOf } from './entries';
import type { LdifEntry } from './ldif';
import { ATTR, isOperational } from './names';
import type { LdapChange, LdapModification } from './types';

function byKey(entries: LdifEntry[], what: string): Map<string, LdifEntry> {
  const out = new Map<string, LdifEntry>();
  for (const e of entries) {
    const key = dnKey(e.dn);
    if (out.has(key)) throw new Error(`The ${what} entries hold ${e.dn} twice.`);
    out.set(key, e);
  }
  return out;
}

function difference(attribute: string, a: string[], b: string[]): string[] {
  const other = new Set(b.map((v) => valueKey(attribute, v)));
  return a.filter((v) => !other.has(valueKey(attribute, v)));
}

function modifications(live: LdifEntry, target: LdifEntry): LdapModification[] {
  const out: LdapModification[] = [];
  const names = new Map<string, string>();
  for (const a of [...target.attributes, ...live.attributes])
    if (!names.has(a.name.toLowerCase()) && !isOperational(a.name)) names.set(a.name.toLowerCase(), a.name);
  for (const name of names.values()) {
    const lv = valuesOf(live, name);
    const tv = valuesOf(target, name);
    if (sameValueSet(name, lv, tv)) continue;
    const liveName = findAttribute(live, name)?.name ?? name;
    if (tv.length === 0) {
      out.push({ operation: 'delete', attribute: liveName, values: [] });
      continue;
    }
    const added = difference(name, tv, lv);
    const removed = difference(name, lv, tv);
    // objectClass changes go value by value, adding first, so the entry is never left without
    // its structural class; other attributes are replaced when values go both ways.
    if (removed.length === 0 || name.toLowerCase() === ATTR.objectClass.toLowerCase()) {
      if (added.length > 0) out.push({ operation: 'add', attribute: name, values: added });
      if (removed.length > 0) out.push({ operation: 'delete', attribute: liveName, values: removed });
    } else if (added.length === 0) {
      out.push({ operation: 'delete', attribute: liveName, values: removed });
    } else {
      out.push({ operation: 'replace', attribute: name, values: [...tv] });
    }
  }
  return out;
}

function checkRdnKept(target: LdifEntry): void {
  const [rdn] = rdnsOf(target.dn);
  if (!rdn) return;
  const values = valuesOf(target, rdn.attribute).map((v) => v.toLowerCase());
  if (!values.includes(rdn.value.toLowerCase()))
    throw new Error(`The resolved ${target.dn} lacks its naming value ${rdn.attribute}: ${rdn.value}.`);
}

/**
 * Changes in a safe order: additions (parents first), then modifications, then deletions
 * (children first). Throws when `target` contains backup history or a DN twice, and when a
 * deletion would remove a machine entry or an entry with backup history below it.
 */
export function ldapChanges(live: LdifEntry[], target: LdifEntry[]): LdapChange[] {
  for (const e of target) {
    if (isBackupHistory(rdnsOf(e.dn)))
      throw new Error(`The resolved state contains ${e.dn}, which is backup history; a restore never writes ou=backup or its iterations.`);
  }
  const liveByKey = byKey(
    live.filter((e) => !isBackupHistory(rdnsOf(e.dn))),
    'live',
  );
  const targetByKey = byKey(target, 'resolved');
  const depth = (dn: string) => rdnsOf(dn).length;

  const adds: LdapChange[] = [];
  const modifies: LdapChange[] = [];
  for (const [key, t] of targetByKey) {
    checkRdnKept(t);
    const l = liveByKey.get(key);
    if (!l) {
      adds.push({
        type: 'add',
        dn: t.dn,
        attributes: t.attributes
          .filter((a) => !isOperational(a.name) && a.values.length > 0)
          .map((a) => ({ name: a.name, values: [...a.values] })),
      });
      continue;
    }
    const mods = modifications(l, t);
    if (mods.length > 0) modifies.push({ type: 'modify', dn: l.dn, modifications: mods });
  }
  const deletes: LdapChange[] = [...liveByKey].filter(([key]) => !targetByKey.has(key)).map(([, l]) => ({ type: 'delete', dn: l.dn }));
  adds.sort((a, b) => depth(a.dn) - depth(b.dn));
  deletes.sort((a, b) => depth(b.dn) - depth(a.dn));
  const history = live.map((e) => rdnsOf(e.dn)).filter(isBackupHistory);
  for (const d of deletes) {
    const rdns = rdnsOf(d.dn);
    if (rdns[0]?.attribute.toLowerCase() === ATTR.machine.toLowerCase()) throw new Error(`Refusing to delete the machine entry ${d.dn}.`);
    if (history.some((h) => endsWithRdns(h, rdns))) throw new Error(`Refusing to delete ${d.dn}: backup history lies below it.`);
  }
  const changes = [...adds, ...modifies, ...deletes];
  for (const c of changes) {
    if (isBackupHistory(rdnsOf(c.dn))) throw new Error(`Refusing a change to backup history: ${c.dn}.`);
  }
  return changes;
}
