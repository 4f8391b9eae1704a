/**
 * Whether directory entries and a domain XML describe the same machine. The node daemon refuses
 * to back up a machine whose disks disagree (return code 33, BACKEND_XML_UNCONSISTENCY); the
 * console must not write such a pair back in a restore either.
 */
import { firstValue, valuesOf } from './entries';
import { normalizeMac, readDomain, type DomainSettings } from './domain-xml';
import { dhcpMac, ldapDisks, ldapInterfaces, pairInterfaces } from './inventory';
import type { LdifEntry } from './ldif';
import { ATTR } from './names';
import { readSide, type Side } from './sides';
import { formatBytes } from './units';
import { parseXml } from './xml';

const lower = (s: string) => s.toLowerCase();

function memoryText(value: number | null): string {
  return value === null ? '(none)' : formatBytes(value);
}

/**
 * Problems, one sentence each, where the entries (the machine's subtree and its DHCP entry) and
 * the XML disagree on memory, vCPUs, disks and their images, interfaces and their MACs, the DHCP
 * MAC, the name or the UUID. Empty when they agree.
 */
export function agreementProblems(ldif: LdifEntry[], xml: string, machineUuid: string): string[] {
  const side = readSide(ldif, machineUuid, 'The directory');
  if (typeof side === 'string') return [side];
  let domain: DomainSettings;
  try {
    domain = readDomain(parseXml(xml));
  } catch (error) {
    return [`The domain XML cannot be read: ${error instanceof Error ? error.message : String(error)}`];
  }
  return sideAgreement(side, domain, machineUuid);
}

/** agreementProblems for a side already read. */
export function sideAgreement(side: Side, domain: DomainSettings, machineUuid: string): string[] {
  const problems: string[] = [];
  const vm = side.entries.get('')!.entry;

  if (lower(domain.uuid ?? '') !== lower(machineUuid))
    problems.push(`The domain XML has <uuid> ${domain.uuid ?? '(none)'}, not ${machineUuid}.`);
  if (lower(domain.name ?? '') !== lower(machineUuid))
    problems.push(`The domain XML has <name> ${domain.name ?? '(none)'}, not ${machineUuid}.`);

  const memory = firstValue(vm, ATTR.memory);
  if (memory === null || String(domain.memoryBytes) !== memory) {
    problems.push(
      `Memory: the directory has ${memory === null ? '(none)' : `${memory} bytes`}, the domain XML has ${memoryText(domain.memoryBytes)}.`,
    );
  }
  // Below <memory> is a balloon, which the directory does not record; above it libvirt would cut it down.
  if (domain.currentMemoryBytes !== null && domain.memoryBytes !== null && domain.currentMemoryBytes > domain.memoryBytes) {
    problems.push(
      `Memory: the domain XML has <currentMemory> ${memoryText(domain.currentMemoryBytes)} above <memory> ${memoryText(domain.memoryBytes)}.`,
    );
  }
  const vcpu = firstValue(vm, ATTR.vcpu);
  if (vcpu === null || String(domain.vcpu) !== vcpu)
    problems.push(`vCPUs: the directory has ${vcpu ?? '(none)'}, the domain XML has ${domain.vcpu ?? '(none)'}.`);
  const name = firstValue(vm, ATTR.displayName);
  if (domain.title !== null && domain.title !== name)
    problems.push(`Name: the directory has ${name ?? '(none)'}, the domain XML <title> has ${domain.title}.`);

  const disks = ldapDisks(side);
  for (const disk of disks) {
    const xmlDisk = domain.disks.find((d) => d.target === disk.target);
    if (!xmlDisk) {
      problems.push(`Disk ${disk.target} is in the directory but not in the domain XML.`);
      continue;
    }
    const source = firstValue(disk.entry.entry, xmlDisk.sourceAttribute === 'name' ? ATTR.sourceName : ATTR.sourceFile);
    if (source !== xmlDisk.source)
      problems.push(
        `Disk ${disk.target}: the directory has ${source ?? '(no image)'}, the domain XML has ${xmlDisk.source ?? '(no image)'}.`,
      );
  }
  for (const xmlDisk of domain.disks) {
    if (!disks.some((d) => d.target === xmlDisk.target))
      problems.push(`Disk ${xmlDisk.target} is in the domain XML but not in the directory.`);
  }

  const interfaces = ldapInterfaces(side);
  const pairs = pairInterfaces(interfaces, domain.interfaces);
  if (interfaces.length !== domain.interfaces.length) {
    problems.push(`Interfaces: the directory has ${interfaces.length}, the domain XML has ${domain.interfaces.length}.`);
  }
  for (const i of interfaces) {
    const position = pairs.get(i.key);
    if (position === undefined) continue;
    const xmlMac = domain.interfaces[position].mac;
    if (i.mac === null || xmlMac === null || normalizeMac(xmlMac) !== i.mac) {
      problems.push(`MAC address of ${i.name}: the directory has ${i.mac ?? '(none)'}, the domain XML has ${xmlMac ?? '(none)'}.`);
    }
  }
  if (side.dhcp) {
    const mac = dhcpMac(side.dhcp);
    if (valuesOf(side.dhcp, ATTR.dhcpMac).length > 0 && !interfaces.some((i) => i.mac === mac)) {
      problems.push(`The DHCP reservation has MAC address ${mac}, which no interface of the machine has.`);
    }
  }
  return problems;
}
