/**
 * Internal: the settings of the machine entry that the domain XML repeats: memory
 * (`sstMemory` ↔ `<memory>` and `<currentMemory>`), vCPUs (`sstVCPU` ↔ `<vcpu>`) and the name
 * (`sstDisplayName` ↔ `<title>`, where the XML has one).
 */
import { writeDomainSettings } from './domain-xml';
import { firstValue, setValues } from './entries';
import { ATTR } from './names';
import type { SettingSpec } from './setting';
import { ldapPlace, ldapReading, rawXml, xmlPlace, xmlReading } from './setting-places';
import type { SideXml, Sides } from './sides-context';
import { formatBytes } from './units';
import { findElement } from './xml-nodes';

const digits = (v: string | null) => (v === null ? null : v.trim());

export function memorySetting(s: Sides): SettingSpec {
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

export function vcpuSetting(s: Sides): SettingSpec {
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

export function nameSetting(s: Sides): SettingSpec {
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
