/**
 * Internal: the settings of devices kept in several places: each disk's image (`sstSourceFile`
 * or `sstSourceName` ↔ `<disk><source>`, with `sstVolumeName` following the image), each
 * interface's MAC (`sstMacAddress` ↔ `<interface><mac>` ↔ the DHCP reservation's
 * `dhcpHWAddress`), and the fixed IP of the reservation.
 */
import { diskElements, normalizeMac, readDisk, setDiskSource, setInterfaceMac, type DomainDisk } from './domain-xml';
import { firstValue, setValues, valuesOf } from './entries';
import { dhcpMac, diskKey, fixedAddress, isFixedAddress } from './inventory';
import type { LdifEntry } from './ldif';
import { ATTR } from './names';
import { DHCP_KEY, type ApplyContext } from './operation';
import { absent, present, type PlaceValue, type Reading, type SettingSpec } from './setting';
import { entryOf, ldapPlace, ldapReading, xmlPlace } from './setting-places';
import type { SideXml, Sides } from './sides-context';
import { findElement, removeElement } from './xml-nodes';

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

export function diskSetting(s: Sides, target: string): SettingSpec {
  const key = diskKey(target);
  const xmlDisk = (x: SideXml | null): DomainDisk | null => x?.domain.disks.find((d) => d.target === target) ?? null;
  const anyXml = xmlDisk(s.backupXml) ?? xmlDisk(s.liveXml);
  const attribute = anyXml?.sourceAttribute === 'name' ? ATTR.sourceName : ATTR.sourceFile;
  const entries = [entryOf(s.backup, key), entryOf(s.live, key)];
  const device = entries.map((e) => (e ? firstValue(e, ATTR.device) : null)).find((d) => d !== null) ?? anyXml?.device ?? 'disk';
  const cdrom = device.toLowerCase() === 'cdrom';
  // sstVolumeName is derived from the image path; when it is on both sides, it moves with the image.
  const followsVolume =
    entries.some((e) => e !== null && firstValue(e, ATTR.volumeName) !== null) && entries.every((e) => volumeFollowsSource(e, attribute));
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
    valueKind: attribute === ATTR.sourceName ? 'volume-name' : cdrom ? 'file-path' : 'disk-image',
    required: !cdrom,
    stateSensitive: false,
    readings: [
      {
        where: 'directory',
        xml: false,
        backup: ldapReading(s.backup, key, (e) => firstValue(e, attribute)),
        live: ldapReading(s.live, key, (e) => firstValue(e, attribute)),
      },
      { where: 'domain XML', xml: true, backup: xmlValue(s.backupXml), live: xmlValue(s.liveXml) },
    ],
    ldap: [ldapPlace(s, key, attribute), ...(followsVolume ? [ldapPlace(s, key, ATTR.volumeName)] : [])],
    xml: [xmlPlace(s, `devices/disk[${target}]/source@${anyXml?.sourceAttribute ?? 'file'}`, source)],
    format: (v) => v,
    write(ctx, value) {
      const entry = ctx.entries.get(key);
      if (entry) {
        setValues(entry, attribute, value === null ? [] : [value]);
        if (followsVolume && value !== null && firstValue(entry, ATTR.volumeName) !== null)
          setValues(entry, ATTR.volumeName, [volumeNameOf(value)]);
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

export function macSetting(s: Sides, key: string): SettingSpec {
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
    readings.push({
      where: 'DHCP reservation',
      xml: false,
      backup: ldapReading(s.backup, DHCP_KEY, dhcpMac),
      live: ldapReading(s.live, DHCP_KEY, dhcpMac),
    });
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

export function addressSetting(s: Sides): SettingSpec {
  const read = (e: LdifEntry) => fixedAddress(valuesOf(e, ATTR.dhcpStatements));
  return {
    id: 'address',
    label: 'Fixed IP address',
    valueKind: 'ip',
    required: false,
    stateSensitive: false,
    identity: 'ip',
    readings: [
      { where: 'DHCP reservation', xml: false, backup: ldapReading(s.backup, DHCP_KEY, read), live: ldapReading(s.live, DHCP_KEY, read) },
    ],
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
