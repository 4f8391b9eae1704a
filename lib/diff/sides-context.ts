/**
 * Internal: both sides of a comparison, read once, with the pairings the conflict builders
 * share (interfaces to `<interface>` elements, the interface the DHCP reservation belongs to).
 */
import type { DomainSettings } from './domain-xml';
import { interfaceElements } from './domain-xml';
import { dhcpInterface, ldapInterfaces, pairInterfaces } from './inventory';
import type { Side } from './sides';
import type { Identities } from './types';
import type { XmlDocument, XmlElement } from './xml';

export interface SideXml {
  doc: XmlDocument;
  domain: DomainSettings;
  /** Interface entry key → position of its `<interface>`. */
  interfacePositions: Map<string, number>;
  /** `<interface>` element → its key in XML paths (the interface's name, or #position). */
  interfaceKeys: Map<XmlElement, string>;
}

export interface Sides {
  machineUuid: string;
  backup: Side;
  live: Side;
  /** The backup XML is also the base of the resolved XML, so its elements are the targets of changes. */
  backupXml: SideXml;
  liveXml: SideXml | null;
  /** Interface entry key → its name as written (backup spelling first). */
  interfaceNames: Map<string, string>;
  /** The interface entry key the DHCP reservation belongs to (backup's view first). */
  dhcpInterfaceKey: string | null;
  others: Identities;
  /** Where a disk image of this machine may be (ConflictInput.imageFolders). */
  imageFolders?: readonly string[];
}

export function sideXml(side: Side, doc: XmlDocument, domain: DomainSettings, names: Map<string, string>): SideXml {
  const interfacePositions = pairInterfaces(ldapInterfaces(side), domain.interfaces);
  const byPosition = new Map<number, string>();
  for (const [key, position] of interfacePositions) byPosition.set(position, names.get(key) ?? key);
  const interfaceKeys = new Map<XmlElement, string>();
  interfaceElements(doc.root).forEach((element, position) => interfaceKeys.set(element, byPosition.get(position) ?? `#${position + 1}`));
  return { doc, domain, interfacePositions, interfaceKeys };
}

export function interfaceNameMap(backup: Side, live: Side): Map<string, string> {
  const names = new Map<string, string>();
  for (const side of [backup, live]) for (const i of ldapInterfaces(side)) if (!names.has(i.key)) names.set(i.key, i.name);
  return names;
}

export function dhcpInterfaceKeyOf(backup: Side, live: Side): string | null {
  return (backup.dhcp ? dhcpInterface(backup) : null)?.key ?? dhcpInterface(live)?.key ?? null;
}
