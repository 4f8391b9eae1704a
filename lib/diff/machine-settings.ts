/**
 * Internal: the settings of the machine entry that the domain XML repeats: memory
 * (`sstMemory` ↔ `<memory>`, with the balloon `<currentMemory>` taken from the side chosen),
 * vCPUs (`sstVCPU` ↔ `<vcpu>`, with the online count `<vcpu current>` likewise) and the name
 * (`sstDisplayName` ↔ `<title>`, where the XML has one).
 */
import { writeDomainSettings } from './domain-xml';
import { firstValue, setValues } from './entries';
import { ATTR } from './names';
import { absent, present, type Side, type SettingSpec } from './setting';
import { ldapPlace, ldapReading, rawXml, xmlPlace, xmlReading } from './setting-places';
import type { SideXml, Sides } from './sides-context';
import { formatBytes } from './units';
import { ensureElement, findElement, getAttribute, removeAttribute, setAttribute } from './xml-nodes';

const digits = (v: string | null) => (v === null ? null : v.trim());
const companionValue = (n: number | null) => present(n === null ? null : String(n));

/** The balloon of a side: `<currentMemory>` in bytes when it is below `<memory>`, else null. */
function balloonOf(x: SideXml | null): number | null {
  const { memoryBytes, currentMemoryBytes } = x?.domain ?? { memoryBytes: null, currentMemoryBytes: null };
  return memoryBytes !== null && currentMemoryBytes !== null && currentMemoryBytes < memoryBytes ? currentMemoryBytes : null;
}

export function memorySetting(s: Sides): SettingSpec {
  const xmlSide = (side: Side | null) => (side === 'live' ? s.liveXml : side === 'backup' ? s.backupXml : null);
  const balloon = (x: SideXml | null) => (x ? companionValue(balloonOf(x)) : absent);
  return {
    id: 'memory',
    label: 'Memory',
    valueKind: 'memory',
    required: true,
    stateSensitive: true,
    readings: [
      {
        where: 'directory',
        xml: false,
        backup: ldapReading(s.backup, '', (e) => digits(firstValue(e, ATTR.memory))),
        live: ldapReading(s.live, '', (e) => digits(firstValue(e, ATTR.memory))),
      },
      {
        where: 'domain XML <memory>',
        xml: true,
        backup: xmlReading(s.backupXml, (x) => (x.domain.memoryBytes === null ? null : String(x.domain.memoryBytes))),
        live: xmlReading(s.liveXml, (x) => (x.domain.memoryBytes === null ? null : String(x.domain.memoryBytes))),
      },
    ],
    // libvirt checks the maximum, not the balloon, when it restores a saved state.
    companion: {
      backup: balloon(s.backupXml),
      live: balloon(s.liveXml),
      describe: (v) => `${formatBytes(Number(v))} in use`,
      stateSensitive: false,
    },
    ldap: [ldapPlace(s, '', ATTR.memory)],
    xml: [xmlPlace(s, 'memory', (x) => rawXml(x, 'memory', null)), xmlPlace(s, 'currentMemory', (x) => rawXml(x, 'currentMemory', null))],
    format: (v) => (/^\d+$/.test(v) ? formatBytes(Number(v)) : v),
    write(ctx, value, from) {
      if (value === null) return;
      setValues(ctx.entries.get('')!, ATTR.memory, [value]);
      const n = Number(value);
      // The chosen side's balloon stays; a typed size is given in full.
      const kept = balloonOf(xmlSide(from));
      const current = kept !== null && kept < n ? kept : n;
      writeDomainSettings(ctx.doc, {
        memoryBytes: n,
        ...(kept !== null || findElement(ctx.doc.root, 'currentMemory') ? { currentMemoryBytes: current } : {}),
      });
    },
  };
}

/** The online vCPUs of a side (`<vcpu current>`) when fewer than the count, else null. */
function onlineOf(x: SideXml | null): number | null {
  const element = x ? findElement(x.doc.root, 'vcpu') : null;
  const current = element ? getAttribute(element, 'current') : null;
  if (current === null || !/^\d+$/.test(current.trim()) || x?.domain.vcpu === null || x?.domain.vcpu === undefined) return null;
  return Number(current) < x.domain.vcpu ? Number(current) : null;
}

export function vcpuSetting(s: Sides): SettingSpec {
  const xml = (x: SideXml) => (x.domain.vcpu === null ? null : String(x.domain.vcpu));
  const xmlSide = (side: Side | null) => (side === 'live' ? s.liveXml : side === 'backup' ? s.backupXml : null);
  const online = (x: SideXml | null) => (x ? companionValue(onlineOf(x)) : absent);
  return {
    id: 'vcpus',
    label: 'vCPUs',
    valueKind: 'vcpus',
    required: true,
    stateSensitive: true,
    readings: [
      {
        where: 'directory',
        xml: false,
        backup: ldapReading(s.backup, '', (e) => digits(firstValue(e, ATTR.vcpu))),
        live: ldapReading(s.live, '', (e) => digits(firstValue(e, ATTR.vcpu))),
      },
      { where: 'domain XML <vcpu>', xml: true, backup: xmlReading(s.backupXml, xml), live: xmlReading(s.liveXml, xml) },
    ],
    // libvirt compares the online count too when it restores a saved state.
    companion: { backup: online(s.backupXml), live: online(s.liveXml), describe: (v) => `${v} online`, stateSensitive: true },
    ldap: [ldapPlace(s, '', ATTR.vcpu)],
    xml: [xmlPlace(s, 'vcpu', (x) => rawXml(x, 'vcpu', null)), xmlPlace(s, 'vcpu@current', (x) => rawXml(x, 'vcpu', 'current'))],
    format: (v) => v,
    write(ctx, value, from) {
      if (value === null) return;
      setValues(ctx.entries.get('')!, ATTR.vcpu, [value]);
      writeDomainSettings(ctx.doc, { vcpu: Number(value) });
      const kept = onlineOf(xmlSide(from));
      const element = ensureElement(ctx.doc.root, 'vcpu');
      if (kept !== null && kept < Number(value)) setAttribute(element, 'current', String(kept));
      else removeAttribute(element, 'current');
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
      {
        where: 'directory',
        xml: false,
        backup: ldapReading(s.backup, '', (e) => firstValue(e, ATTR.displayName)),
        live: ldapReading(s.live, '', (e) => firstValue(e, ATTR.displayName)),
      },
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
