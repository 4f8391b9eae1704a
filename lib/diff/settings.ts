/**
 * Internal: the grouped settings (spec/restore-protocol.md, Phase 1 step 4) — name, memory,
 * vCPUs, each disk's image, each interface's MAC address and the fixed IP — with the places each
 * one lives in. The attributes and XML values they cover are claimed here, so the generic
 * comparisons skip them and every such difference is decided exactly once.
 */
import { diskElements, normalizeMac, readDisk, setDiskSource, setInterfaceMac, writeDomainSettings, type DomainDisk } from './domain-xml';
import { firstValue, setValues, valuesOf } from './entries';
import { dhcpMac, diskKey, fixedAddress, isFixedAddress, ldapDisks, ldapInterfaces } from './inventory';
import type { LdifEntry } from './ldif';
import { ATTR } from './names';
import { DHCP_KEY, type ApplyContext, type Operation } from './operation';
import { absent, present, settingOperation, type PlaceValue, type Reading, type SettingSpec } from './setting';
import type { SideXml, Sides } from './sides-context';
import type { Side } from './sides';
import type { LdapPlace, XmlPlace } from './types';
import { formatBytes } from './units';
import { findElement, getAttribute, removeElement, textContent } from './xml-nodes';

export interface SettingsResult {
  operations: Operation[];
  /** `entry key|attribute (lower case)` the settings own. */
  claimed: Set<string>;
  /** Whether the fixed-address statement of dhcpStatements is owned by the address setting. */
  fixedAddressClaimed: boolean;
  /** XML values the settings own, as `path@attribute` or `path#text`. */
  ignoredXml: Set<string>;
  equalXml: number;
}

export const claim = (key: string, attribute: string) => `${key}|${attribute.toLowerCase()}`;

function entryOf(side: Side, key: string): LdifEntry | null {
  return key === DHCP_KEY ? side.dhcp : side.entries.get(key)?.entry ?? null;
}

function ldapReading(side: Side, key: string, read: (entry: LdifEntry) => string | null): PlaceValue {
  const entry = entryOf(side, key);
  return entry ? present(read(entry)) : absent;
}

function ldapPlace(s: Sides, key: string, attribute: string, filter: (values: string[]) => string[] = (v) => v): LdapPlace {
  const b = entryOf(s.backup, key);
  const l = entryOf(s.live, key);
  return { dn: (l ?? b)?.dn ?? '', attribute, live: l ? filter(valuesOf(l, attribute)) : null, backup: b ? filter(valuesOf(b, attribute)) : null };
}

function xmlReading(x: SideXml | null, read: (x: SideXml) => string | null): PlaceValue {
  if (!x) return absent;
  const value = read(x);
  return value === null ? absent : present(value);
}

function rawXml(x: SideXml | null, path: string, attribute: string | null): string | null {
  const element = x ? findElement(x.doc.root, path) : null;
  if (!element) return null;
  if (attribute !== null) return getAttribute(element, attribute);
  const unit = path === 'memory' || path === 'currentMemory' ? ` ${getAttribute(element, 'unit') ?? 'KiB'}` : '';
  return `${textContent(element).trim()}${unit}`;
}

function xmlPlace(s: Sides, path: string, read: (x: SideXml) => string | null): XmlPlace {
  return { path, live: s.liveXml ? read(s.liveXml) : null, backup: read(s.backupXml) };
}

const digits = (v: string | null) => (v === null ? null : v.trim());

function memorySetting(s: Sides): SettingSpec {
  const bytes = (which: 'memoryBytes' | 'currentMemoryBytes') => (x: SideXml) => (x.domain[which] === null ? null : String(x.domain[which]));
  return {
    id: 'memory',
    label: 'Memory',
    valueKind: 'memory',
    required: true,
    stateSensitive: true,
    readings: [
      { where: 'directory', xml: false, backup: ldapReading(s.backup, '', (e) => digits(firstValue(e, ATTR.memory))), live: ldapReading(s.live, '', (e) => digits(firstValue(e, ATTR.memory))) },
      { where: 'domain XML <memory>', xml: true, backup: xmlReading(s.backupXml, bytes('memoryBytes')), live: xmlReading(s.liveXml, bytes('memoryBytes')) },
      { where: 'domain XML <currentMemory>', xml: true, backup: xmlReading(s.backupXml, bytes('currentMemoryBytes')), live: xmlReading(s.liveXml, bytes('currentMemoryBytes')) },
    ],
    ldap: [ldapPlace(s, '', ATTR.memory)],
    xml: [xmlPlace(s, 'memory', (x) => rawXml(x, 'memory', null)), xmlPlace(s, 'currentMemory', (x) => rawXml(x, 'currentMemory', null))],
    format: (v) => (/^\d+$/.test(v) ? formatBytes(Number(v)) : v),
    write(ctx, value) {
      if (value === null) return;
      setValues(ctx.entries.get('')!, ATTR.memory, [value]);
      const n = Number(value);
      writeDomainSettings(ctx.doc, { memoryBytes: n, ...(findElement(ctx.doc.root, 'currentMemory') ? { currentMemoryBytes: n } : {}) });
    },
  };
}

function vcpuSetting(s: Sides): SettingSpec {
  const xml = (x: SideXml) => (x.domain.vcpu === null ? null : String(x.domain.vcpu));
  return {
    id: 'vcpus',
    label: 'vCPUs',
    valueKind: 'vcpus',
    required: true,
    stateSensitive: true,
    readings: [
      { where: 'directory', xml: false, backup: ldapReading(s.backup, '', (e) => digits(firstValue(e, ATTR.vcpu))), live: ldapReading(s.live, '', (e) => digits(firstValue(e, ATTR.vcpu))) },
      { where: 'domain XML <vcpu>', xml: true, backup: xmlReading(s.backupXml, xml), live: xmlReading(s.liveXml, xml) },
    ],
    ldap: [ldapPlace(s, '', ATTR.vcpu)],
    xml: [xmlPlace(s, 'vcpu', (x) => rawXml(x, 'vcpu', null))],
    format: (v) => v,
    write(ctx, value) {
      if (value === null) return;
      setValues(ctx.entries.get('')!, ATTR.vcpu, [value]);
      writeDomainSettings(ctx.doc, { vcpu: Number(value) });
    },
  };
}

function nameSetting(s: Sides): SettingSpec {
  const title = (x: SideXml) => x.domain.title;
  return {
    id: 'name',
    label: 'Name',
    valueKind: 'display-name',
    required: true,
    stateSensitive: false,
    readings: [
      { where: 'directory', xml: false, backup: ldapReading(s.backup, '', (e) => firstValue(e, ATTR.displayName)), live: ldapReading(s.live, '', (e) => firstValue(e, ATTR.displayName)) },
      { where: 'domain XML <title>', xml: true, backup: xmlReading(s.backupXml, title), live: xmlReading(s.liveXml, title) },
    ],
    ldap: [ldapPlace(s, '', ATTR.displayName)],
    xml: [xmlPlace(s, 'title', title)],
    format: (v) => v,
    write(ctx, value) {
      if (value === null) return;
      setValues(ctx.entries.get('')!, ATTR.displayName, [value]);
      if (findElement(ctx.doc.root, 'title')) writeDomainSettings(ctx.doc, { title: value });
    },
  };
}

/** The volume name the stoney cloud derives from an image path: its file name without the extension. */
export function volumeNameOf(source: string): string {
  const base = source.slice(source.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Whether the entry's sstVolumeName is the one derived from its image (then it follows the image). */
function volumeFollowsSource(entry: LdifEntry | null, attribute: string): boolean {
  if (!entry) return true;
  const volume = firstValue(entry, ATTR.volumeName);
  const source = firstValue(entry, attribute);
  return volume === null || (source !== null && volume === volumeNameOf(source));
}

function targetDisk(ctx: ApplyContext, target: string) {
  return diskElements(ctx.doc.root).find((d) => readDisk(d)?.target === target) ?? null;
}

function diskSetting(s: Sides, target: string): SettingSpec {
  const key = diskKey(target);
  const xmlDisk = (x: SideXml | null): DomainDisk | null => x?.domain.disks.find((d) => d.target === target) ?? null;
  const anyXml = xmlDisk(s.backupXml) ?? xmlDisk(s.liveXml);
  const attribute = anyXml?.sourceAttribute === 'name' ? ATTR.sourceName : ATTR.sourceFile;
  const entries = [entryOf(s.backup, key), entryOf(s.live, key)];
  const device = entries.map((e) => (e ? firstValue(e, ATTR.device) : null)).find((d) => d !== null) ?? anyXml?.device ?? 'disk';
  const cdrom = device.toLowerCase() === 'cdrom';
  // sstVolumeName is derived from the image path; when it is on both sides, it moves with the image.
  const followsVolume = entries.some((e) => e !== null && firstValue(e, ATTR.volumeName) !== null) && entries.every((e) => volumeFollowsSource(e, attribute));
  const source = (x: SideXml) => {
    const d = xmlDisk(x);
    return d ? d.source : null;
  };
  const xmlValue = (x: SideXml | null): PlaceValue => {
    const d = xmlDisk(x);
    return d ? present(d.source) : absent;
  };
  return {
    id: `disk:${target}`,
    label: cdrom ? `CD-ROM image of ${target}` : `Disk image of ${target}`,
    valueKind: attribute === ATTR.sourceName ? 'volume-name' : 'file-path',
    required: !cdrom,
    stateSensitive: false,
    readings: [
      { where: 'directory', xml: false, backup: ldapReading(s.backup, key, (e) => firstValue(e, attribute)), live: ldapReading(s.live, key, (e) => firstValue(e, attribute)) },
      { where: 'domain XML', xml: true, backup: xmlValue(s.backupXml), live: xmlValue(s.liveXml) },
    ],
    ldap: [ldapPlace(s, key, attribute), ...(followsVolume ? [ldapPlace(s, key, ATTR.volumeName)] : [])],
    xml: [xmlPlace(s, `devices/disk[${target}]/source@${anyXml?.sourceAttribute ?? 'file'}`, source)],
    format: (v) => v,
    write(ctx, value) {
      const entry = ctx.entries.get(key);
      if (entry) {
        setValues(entry, attribute, value === null ? [] : [value]);
        if (followsVolume && value !== null && firstValue(entry, ATTR.volumeName) !== null) setValues(entry, ATTR.volumeName, [volumeNameOf(value)]);
      }
      const disk = targetDisk(ctx, target);
      if (!disk) return;
      if (value !== null) {
        setDiskSource(disk, value);
      } else {
        const sourceElement = findElement(disk, 'source');
        if (sourceElement) removeElement(disk, sourceElement);
      }
    },
  };
}

function macSetting(s: Sides, key: string): SettingSpec {
  const name = s.interfaceNames.get(key) ?? key;
  const attached = s.dhcpInterfaceKey === key;
  const xmlMac = (x: SideXml | null): PlaceValue => {
    const position = x?.interfacePositions.get(key);
    if (!x || position === undefined) return absent;
    const mac = x.domain.interfaces[position].mac;
    return present(mac === null ? null : normalizeMac(mac));
  };
  const readings: Reading[] = [
    {
      where: 'directory',
      xml: false,
      backup: ldapReading(s.backup, key, (e) => (firstValue(e, ATTR.mac) === null ? null : normalizeMac(firstValue(e, ATTR.mac)!))),
      live: ldapReading(s.live, key, (e) => (firstValue(e, ATTR.mac) === null ? null : normalizeMac(firstValue(e, ATTR.mac)!))),
    },
    { where: 'domain XML', xml: true, backup: xmlMac(s.backupXml), live: xmlMac(s.liveXml) },
  ];
  const ldap = [ldapPlace(s, key, ATTR.mac)];
  if (attached) {
    readings.push({ where: 'DHCP reservation', xml: false, backup: ldapReading(s.backup, DHCP_KEY, dhcpMac), live: ldapReading(s.live, DHCP_KEY, dhcpMac) });
    ldap.push(ldapPlace(s, DHCP_KEY, ATTR.dhcpMac));
  }
  const raw = (x: SideXml) => {
    const position = x.interfacePositions.get(key);
    return position === undefined ? null : x.domain.interfaces[position].mac;
  };
  return {
    id: `mac:${name}`,
    label: `MAC address of ${name}`,
    valueKind: 'mac',
    required: true,
    stateSensitive: true,
    identity: 'mac',
    readings,
    ldap,
    xml: [xmlPlace(s, `devices/interface[${name}]/mac@address`, raw)],
    format: (v) => v,
    write(ctx, value) {
      if (value === null) return;
      const entry = ctx.entries.get(key);
      if (entry) setValues(entry, ATTR.mac, [value]);
      const element = ctx.interfaces.get(key);
      if (element) setInterfaceMac(element, value);
      const dhcp = ctx.entries.get(DHCP_KEY);
      if (attached && dhcp) setValues(dhcp, ATTR.dhcpMac, [`ethernet ${value}`]);
    },
  };
}

function addressSetting(s: Sides): SettingSpec {
  const read = (e: LdifEntry) => fixedAddress(valuesOf(e, ATTR.dhcpStatements));
  return {
    id: 'address',
    label: 'Fixed IP address',
    valueKind: 'ip',
    required: false,
    stateSensitive: false,
    identity: 'ip',
    readings: [{ where: 'DHCP reservation', xml: false, backup: ldapReading(s.backup, DHCP_KEY, read), live: ldapReading(s.live, DHCP_KEY, read) }],
    ldap: [ldapPlace(s, DHCP_KEY, ATTR.dhcpStatements, (values) => values.filter(isFixedAddress))],
    xml: [],
    format: (v) => v,
    write(ctx, value) {
      const dhcp = ctx.entries.get(DHCP_KEY);
      if (!dhcp) return;
      const statements = valuesOf(dhcp, ATTR.dhcpStatements);
      const at = statements.findIndex(isFixedAddress);
      const others = statements.filter((v) => !isFixedAddress(v));
      if (value !== null) others.splice(at < 0 ? others.length : at, 0, `fixed-address ${value}`);
      setValues(dhcp, ATTR.dhcpStatements, others);
    },
  };
}

export function buildSettings(s: Sides): SettingsResult {
  const specs: SettingSpec[] = [nameSetting(s), memorySetting(s), vcpuSetting(s)];
  const claimed = new Set([claim('', ATTR.machine), claim('', ATTR.displayName), claim('', ATTR.memory), claim('', ATTR.vcpu)]);
  const ignoredXml = new Set(['name#text', 'uuid#text', 'title#text', 'memory#text', 'memory@unit', 'currentMemory#text', 'currentMemory@unit', 'vcpu#text']);

  const liveDisks = new Set(ldapDisks(s.live).map((d) => d.key));
  for (const disk of ldapDisks(s.backup).filter((d) => liveDisks.has(d.key))) {
    const spec = diskSetting(s, disk.target);
    specs.push(spec);
    for (const place of spec.ldap) claimed.add(claim(disk.key, place.attribute ?? ''));
    for (const attribute of ['file', 'name', 'dev']) ignoredXml.add(`devices/disk[${disk.target}]/source@${attribute}`);
  }
  const liveInterfaces = new Set(ldapInterfaces(s.live).map((i) => i.key));
  for (const i of ldapInterfaces(s.backup).filter((x) => liveInterfaces.has(x.key))) {
    specs.push(macSetting(s, i.key));
    claimed.add(claim(i.key, ATTR.mac));
    ignoredXml.add(`devices/interface[${s.interfaceNames.get(i.key) ?? i.key}]/mac@address`);
    if (s.dhcpInterfaceKey === i.key) claimed.add(claim(DHCP_KEY, ATTR.dhcpMac));
  }
  const fixedAddressClaimed = s.backup.dhcp !== null && s.live.dhcp !== null;
  if (fixedAddressClaimed) specs.push(addressSetting(s));

  const operations: Operation[] = [];
  let equalXml = 0;
  for (const spec of specs) {
    const result = settingOperation(spec, s.others);
    equalXml += result.equalXml;
    if (result.operation) operations.push(result.operation);
  }
  return { operations, claimed, fixedAddressClaimed, ignoredXml, equalXml };
}
