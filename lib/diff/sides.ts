/**
 * Splits one side (backup file or live directory) into the machine's subtree and its DHCP
 * reservation, dropping the backup history, and checks that the side is about the machine being
 * restored. Anything unexpected is a refusal, not a conflict: restoring the wrong machine, or
 * entries of another one, is the worst thing the product can do.
 */
import { rdnsOf, type Rdn } from './dn';
import { endsWithRdns, isBackupHistory, rawRdns, rdnKey, valuesOf } from './entries';
import type { LdifEntry } from './ldif';
import { ATTR } from './names';

export interface SubtreeEntry {
  /** rdnKey of the DN relative to the machine; '' for the machine entry itself. */
  key: string;
  /** RDNs relative to the machine, leaf first. */
  relative: Rdn[];
  /** The relative DN as written on this side ('' for the machine entry). */
  relativeText: string;
  entry: LdifEntry;
}

export interface Side {
  vmDn: string;
  vmRdns: Rdn[];
  /** In the side's order, without anything at or below ou=backup. */
  entries: Map<string, SubtreeEntry>;
  dhcp: LdifEntry | null;
}

const lower = (s: string) => s.toLowerCase();

export function readSide(list: LdifEntry[], machineUuid: string, name: string): Side | string {
  const parsed = list.map((entry) => ({ entry, rdns: rdnsOf(entry.dn) }));
  const seen = new Set<string>();
  for (const p of parsed) {
    const key = rdnKey(p.rdns);
    if (seen.has(key)) return `${name} holds ${p.entry.dn} twice.`;
    seen.add(key);
  }
  const isMachine = (rdns: Rdn[]) => rdns.length > 0 && lower(rdns[0].attribute) === lower(ATTR.machine);
  const candidates = parsed.filter((p) => isMachine(p.rdns));
  // A profile or nested machine below another would be part of that machine's subtree.
  const machines = candidates.filter(
    (p) => !candidates.some((q) => q !== p && q.rdns.length < p.rdns.length && endsWithRdns(p.rdns, q.rdns)),
  );
  if (machines.length === 0) return `${name} holds no machine entry (sstVirtualMachine=${machineUuid}).`;
  if (machines.length > 1) return `${name} holds more than one machine: ${machines.map((m) => m.entry.dn).join('; ')}.`;
  const vm = machines[0];
  if (lower(vm.rdns[0].value) !== lower(machineUuid)) return `${name} is of machine ${vm.rdns[0].value}, not of ${machineUuid}.`;
  const ids = valuesOf(vm.entry, ATTR.machine);
  if (ids.length !== 1 || lower(ids[0]) !== lower(machineUuid)) {
    return `${name} has ${ATTR.machine}: ${ids.join(', ') || '(none)'} on ${vm.entry.dn}; it must be ${machineUuid}.`;
  }

  const entries = new Map<string, SubtreeEntry>();
  const dhcp: LdifEntry[] = [];
  for (const p of parsed) {
    if (endsWithRdns(p.rdns, vm.rdns)) {
      if (isBackupHistory(p.rdns)) continue;
      const depth = p.rdns.length - vm.rdns.length;
      const relative = p.rdns.slice(0, depth);
      entries.set(rdnKey(relative), {
        key: rdnKey(relative),
        relative,
        relativeText: rawRdns(p.entry.dn).slice(0, depth).join(','),
        entry: p.entry,
      });
    } else if (p.rdns.length > 0 && lower(p.rdns[0].attribute) === 'cn' && lower(p.rdns[0].value) === lower(machineUuid)) {
      dhcp.push(p.entry);
    } else {
      return `${name} holds an entry that belongs neither to machine ${machineUuid} nor to its DHCP reservation: ${p.entry.dn}.`;
    }
  }
  if (dhcp.length > 1) return `${name} holds more than one DHCP reservation for ${machineUuid}: ${dhcp.map((e) => e.dn).join('; ')}.`;
  return { vmDn: vm.entry.dn, vmRdns: vm.rdns, entries, dhcp: dhcp[0] ?? null };
}
