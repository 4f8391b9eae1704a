/**
 * The directory names the comparison has to know (spec/directory.md §2.1–2.2). They are kept
 * here, in one place, because lib/ldap is server-only and this module must stay pure.
 */
import type { Rdn } from '../ldap/dn';

export const ATTR = {
  machine: 'sstVirtualMachine',
  displayName: 'sstDisplayName',
  memory: 'sstMemory',
  vcpu: 'sstVCPU',
  disk: 'sstDisk',
  device: 'sstDevice',
  sourceFile: 'sstSourceFile',
  sourceName: 'sstSourceName',
  volumeName: 'sstVolumeName',
  interface: 'sstInterface',
  mac: 'sstMacAddress',
  dhcpMac: 'dhcpHWAddress',
  dhcpStatements: 'dhcpStatements',
  objectClass: 'objectClass',
} as const;

/**
 * Operational attributes the server maintains. An export of user attributes has none, but a
 * file from another tool might; they can never be written back, so they are never compared.
 */
export const OPERATIONAL = new Set(
  [
    'createTimestamp',
    'modifyTimestamp',
    'creatorsName',
    'modifiersName',
    'entryUUID',
    'entryCSN',
    'entryDN',
    'structuralObjectClass',
    'hasSubordinates',
    'subschemaSubentry',
    'contextCSN',
    'numSubordinates',
    'pwdChangedTime',
  ].map((n) => n.toLowerCase()),
);

export function isOperational(attribute: string): boolean {
  return OPERATIONAL.has(attribute.toLowerCase());
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Words for an entry of the VM subtree, from its RDNs relative to the VM (leaf first). */
export function describeRelative(relative: Rdn[]): string {
  if (relative.length === 0) return 'the machine';
  const [leaf, parent] = relative;
  if (relative.length === 1) return `the ${leaf.value} entry`;
  if (relative.length === 2 && same(parent.attribute, 'ou') && same(parent.value, 'devices')) {
    if (same(leaf.attribute, ATTR.disk)) return `disk ${leaf.value}`;
    if (same(leaf.attribute, ATTR.interface)) return `interface ${leaf.value}`;
  }
  if (relative.length === 2 && same(parent.attribute, 'ou') && same(parent.value, 'people')) return `user assignment ${leaf.value}`;
  if (relative.length === 2 && same(parent.attribute, 'ou') && same(parent.value, 'groups')) return `group assignment ${leaf.value}`;
  return relative.map((r) => `${r.attribute}=${r.value}`).join(',');
}

export const DHCP_DESCRIPTION = 'the DHCP reservation';

/** "MAC address 52:54:00:… is used by web-02 (uuid)" style list of holders. */
export function holders(list: { machineName: string; machineUuid: string }[]): string {
  return list.map((h) => `${h.machineName} (${h.machineUuid})`).join(', ');
}
