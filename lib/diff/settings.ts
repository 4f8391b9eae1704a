/**
 * Internal: the grouped settings (spec/restore-protocol.md, Phase 1 step 4) — name, memory,
 * vCPUs, each disk's image, each interface's MAC address and the fixed IP. The attributes and XML
 * values they cover are claimed here, so the generic comparisons skip them and every such
 * difference is decided exactly once.
 */
import { addressSetting, diskSetting, macSetting } from './device-settings';
import { ldapDisks, ldapInterfaces } from './inventory';
import { memorySetting, nameSetting, vcpuSetting } from './machine-settings';
import { ATTR } from './names';
import { DHCP_KEY, type Operation } from './operation';
import { settingOperation, type SettingSpec } from './setting';
import { claim } from './setting-places';
import type { Sides } from './sides-context';

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

export function buildSettings(s: Sides): SettingsResult {
  const specs: SettingSpec[] = [nameSetting(s), memorySetting(s), vcpuSetting(s)];
  const claimed = new Set([claim('', ATTR.machine), claim('', ATTR.displayName), claim('', ATTR.memory), claim('', ATTR.vcpu)]);
  const ignoredXml = new Set([
    'name#text',
    'uuid#text',
    'title#text',
    'memory#text',
    'memory@unit',
    'currentMemory#text',
    'currentMemory@unit',
    'vcpu#text',
    'vcpu@current',
  ]);

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
    const result = settingOperation(spec, s.others, { imageFolders: s.imageFolders });
    equalXml += result.equalXml;
    if (result.operation) operations.push(result.operation);
  }
  return { operations, claimed, fixedAddressClaimed, ignoredXml, equalXml };
}
