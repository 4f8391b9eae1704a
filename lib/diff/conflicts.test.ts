import { describe, expect, it } from 'vitest';
import {
  agreementProblems,
  applyDecisions,
  computeConflicts,
  ldapChanges,
  validateDecisions,
  type ConflictInput,
  type ConflictSet,
  type Decisions,
} from './conflicts';
import { dnKey, firstValue, valuesOf } from './entries';
import {
  conflictInput,
  dhcpDnOf,
  domainXml,
  exportLdif,
  machine,
  MACHINE_DN,
  MACHINE_UUID,
  machineDnOf,
  machineEntries,
  OTHER_MACHINE,
  STORAGE_POOL_UUID,
  type MachineFixture,
  VIRTUALIZATION_DN,
} from '../../tests/fixtures/diff-machine';
import { conflictsLeft, decideAll, decideByMask, expectDifferencesAsDecided } from '../../tests/fixtures/decisions';
import type { LdifEntry } from './ldif';
import { parseLdif, serializeLdif } from './ldif';
import { readDomain } from './domain-xml';
import { parseXml } from './xml';

const GiB = 1024 ** 3;
const NEW_MAC = '52:54:00:9f:8e:7d';

function entry(ldif: LdifEntry[], dn: string): LdifEntry {
  const found = ldif.find((e) => dnKey(e.dn) === dnKey(dn));
  if (!found) throw new Error(`no ${dn}`);
  return found;
}

function resolve(input: ConflictInput, decisions: (set: ConflictSet) => Decisions) {
  const set = computeConflicts(input);
  const result = applyDecisions(input, set, decisions(set));
  expect(result.agreement).toEqual([]);
  expect(agreementProblems(result.ldif, result.xml, MACHINE_UUID)).toEqual([]);
  return { set, ...result, domain: readDomain(parseXml(result.xml)), vm: entry(result.ldif, MACHINE_DN) };
}

describe('computeConflicts: what is compared', () => {
  it('finds nothing when only runtime details and the backup history differ', () => {
    const set = computeConflicts(conflictInput(machine(), machine({ domainId: 31, iterations: ['20261101T030000Z'] })));
    expect(set.identityMismatch).toBeNull();
    expect(set.conflicts).toEqual([]);
    expect(set.unchanged.ldapEntries).toBe(11);
    expect(set.unchanged.xmlSettings).toBeGreaterThan(50);
    expect(set.inconsistencies).toEqual({ backup: [], live: [] });
  });

  it('compares attribute names in any case, values as sets and objectClass values in any case', () => {
    const live = machineEntries(machine()).map((e) => ({
      dn: e.dn.replace('sstVirtualMachine=', 'SSTVIRTUALMACHINE=').replace('ou=devices', 'OU=Devices'),
      attributes: [...e.attributes].reverse().map((a) => ({
        name: a.name.toLowerCase(),
        values: a.name === 'objectClass' ? [...a.values].reverse().map((v) => v.toLowerCase()) : [...a.values].reverse(),
      })),
    }));
    const input = { ...conflictInput(machine(), machine()), liveEntries: live };
    expect(computeConflicts(input).conflicts).toEqual([]);
  });

  it('never compares or restores the iteration leaves inside the LDIF', () => {
    const backup = parseLdif(exportLdif(machine()));
    const leaf = backup.find((e) => e.dn.startsWith('ou=20261121T030000Z'))!;
    leaf.attributes.push({ name: 'description', values: ['only in the backup history'] });
    const input = { ...conflictInput(machine(), machine({ iterations: [] })), backupLdif: backup };
    const set = computeConflicts(input);
    expect(set.conflicts).toEqual([]);
    const result = applyDecisions(input, set, {});
    expect(result.ldif.some((e) => /ou=backup,/i.test(e.dn))).toBe(false);
    expect(ldapChanges(input.liveEntries, result.ldif)).toEqual([]);
  });
});

describe('grouped settings', () => {
  const input = conflictInput(machine(), machine({ memoryBytes: 4 * GiB }));

  it('makes memory in the directory and in the XML one conflict', () => {
    const set = computeConflicts(input);
    expect(set.conflicts).toHaveLength(1);
    expect(set.conflicts[0]).toMatchObject({
      id: 'memory',
      kind: 'setting',
      label: 'Memory',
      live: '4 GiB',
      backup: '2 GiB',
      allowValue: true,
      valueKind: 'memory',
      values: { live: String(4 * GiB), backup: String(2 * GiB) },
      choices: { live: 'Keep 4 GiB', backup: 'Take 2 GiB from the backup' },
      refused: {},
      ldap: [{ dn: MACHINE_DN, attribute: 'sstMemory', live: [String(4 * GiB)], backup: [String(2 * GiB)] }],
      xml: [
        { path: 'memory', live: '4194304 KiB', backup: '2097152 KiB' },
        { path: 'currentMemory', live: '4194304 KiB', backup: '2097152 KiB' },
      ],
    });
  });

  it.each([
    ['live', undefined, 4 * GiB],
    ['backup', undefined, 2 * GiB],
    ['value', '3 GiB', 3 * GiB],
  ] as const)('writes the %s choice to the directory and both XML elements', (choice, value, bytes) => {
    const r = resolve(input, () => ({ memory: value === undefined ? { choice } : { choice, value } }));
    expect(firstValue(r.vm, 'sstMemory')).toBe(String(bytes));
    expect(r.domain.memoryBytes).toBe(bytes);
    expect(r.domain.currentMemoryBytes).toBe(bytes);
    expect(r.plan.overwritten.length + r.plan.kept.length).toBe(1);
  });

  it('groups vCPUs, name, disk image and MAC, and writes each everywhere', () => {
    const live = machine({
      vcpu: 4,
      displayName: 'web-01-renamed',
      disks: [{ ...machine().disks[0], volume: '11111111-2222-4333-8444-555555555555' }, machine().disks[1]],
      interfaces: [{ name: 'net0', mac: NEW_MAC, bridge: 'vmbr0' }],
    });
    const i = conflictInput(machine(), live);
    const set = computeConflicts(i);
    expect(set.conflicts.map((c) => c.id)).toEqual(['name', 'vcpus', 'disk:vda', 'mac:net0']);
    const mac = set.conflicts.find((c) => c.id === 'mac:net0')!;
    expect(mac.ldap.map((p) => p.attribute)).toEqual(['sstMacAddress', 'dhcpHWAddress']);
    expect(mac.xml).toEqual([{ path: 'devices/interface[net0]/mac@address', live: NEW_MAC, backup: '52:54:00:1a:2b:3c' }]);

    const r = resolve(i, (s) => ({
      ...decideAll(s, 'backup'),
      'disk:vda': { choice: 'value', value: '/var/virtualization/vm-persistent/x/elsewhere.qcow2' },
      'mac:net0': { choice: 'value', value: '52:54:00:AB:CD:EF' },
    }));
    expect(firstValue(r.vm, 'sstVCPU')).toBe('2');
    expect(r.domain.vcpu).toBe(2);
    expect(firstValue(r.vm, 'sstDisplayName')).toBe('web-01');
    expect(r.domain.title).toBe('web-01');
    expect(r.domain.disks[0].source).toBe('/var/virtualization/vm-persistent/x/elsewhere.qcow2');
    expect(firstValue(entry(r.ldif, `sstDisk=vda,ou=devices,${MACHINE_DN}`), 'sstSourceFile')).toBe(
      '/var/virtualization/vm-persistent/x/elsewhere.qcow2',
    );
    expect(r.domain.interfaces[0].mac).toBe('52:54:00:ab:cd:ef');
    expect(firstValue(entry(r.ldif, `sstInterface=net0,ou=devices,${MACHINE_DN}`), 'sstMacAddress')).toBe('52:54:00:ab:cd:ef');
    expect(firstValue(entry(r.ldif, dhcpDnOf(machine())), 'dhcpHWAddress')).toBe('ethernet 52:54:00:ab:cd:ef');
    expect(r.plan.overwritten).toContain('vCPUs: 4 → 2');
    expect(r.plan.overwritten).toContain('MAC address of net0: 52:54:00:9f:8e:7d → 52:54:00:ab:cd:ef');
    expect(r.plan.savedStateRisks).toEqual(["MAC address of net0 differs from the backup's domain XML."]);
    expect(r.plan.savedStateRisks.some((s) => s.includes('source'))).toBe(false);
  });

  it('turns a side that disagrees with itself into a conflict, with the directory standing for it', () => {
    const i = { ...conflictInput(machine(), machine()), backupXml: domainXml(machine({ memoryBytes: 4 * GiB })) };
    const set = computeConflicts(i);
    expect(set.inconsistencies.backup).toEqual(['Memory: the directory has 2147483648 bytes, the domain XML has 4 GiB.']);
    expect(set.conflicts).toHaveLength(1);
    expect(set.conflicts[0]).toMatchObject({ id: 'memory', live: '2 GiB', backup: '2 GiB (directory), 4 GiB (domain XML <memory>)' });
    expect(set.conflicts[0].note).toMatch(/backup side disagrees with itself/);
    for (const choice of ['live', 'backup'] as const) {
      const r = resolve(i, () => ({ memory: { choice } }));
      expect(r.domain.memoryBytes).toBe(2 * GiB);
    }
  });

  it('takes the settings from the directory when the domain is not defined on the node', () => {
    const i = conflictInput(machine(), machine({ memoryBytes: 8 * GiB, videoVram: 1 }), { liveXml: null });
    const set = computeConflicts(i);
    expect(set.conflicts.map((c) => c.id)).toEqual(['memory']);
    expect(set.conflicts[0].xml[0]).toEqual({ path: 'memory', live: null, backup: '2097152 KiB' });
    const r = resolve(i, () => ({ memory: { choice: 'live' } }));
    expect(r.domain.memoryBytes).toBe(8 * GiB);
    expect(r.plan.savedStateRisks).toEqual(["Memory differs from the backup's domain XML."]);
  });
});

describe('what cannot be chosen', () => {
  it('refuses a side whose directory value could not be written', () => {
    const i = conflictInput(machine(), machine({ memoryBytes: 4 * GiB }));
    i.liveEntries[0].attributes.find((a) => a.name === 'sstMemory')!.values = ['lots'];
    const set = computeConflicts(i);
    const memory = set.conflicts.find((c) => c.id === 'memory')!;
    expect(memory.live).toBe('lots (directory), 4 GiB (domain XML <memory>)');
    expect(memory.refused.live).toMatch(/^The live machine's value lots cannot be written/);
    expect(validateDecisions(set, { memory: { choice: 'live' } }).ok).toBe(false);
    expect(validateDecisions(set, { memory: { choice: 'value', value: '4 GiB' } }).ok).toBe(true);
  });

  it('writes a directory value in the form a typed one would take', () => {
    const i = conflictInput(machine(), machine({ memoryBytes: 4 * GiB }));
    i.liveEntries[0].attributes.find((a) => a.name === 'sstMemory')!.values = ['4G'];
    const r = resolve(i, () => ({ memory: { choice: 'live' } }));
    expect(firstValue(r.vm, 'sstMemory')).toBe(String(4 * GiB));
    expect(r.domain.memoryBytes).toBe(4 * GiB);
  });

  it('reports a side whose directory and XML disagree on the devices, and the result that keeps it', () => {
    const backupXml = domainXml(machine({ disks: [machine().disks[0]] }));
    const i = { ...conflictInput(machine(), machine()), backupXml };
    const set = computeConflicts(i);
    expect(set.inconsistencies.backup).toEqual(['Disk vdb is in the directory but not in the domain XML.']);
    expect(set.conflicts.map((c) => c.id)).toEqual(['xml:devices/disk[vdb]']);
    expect(applyDecisions(i, set, decideAll(set, 'live')).agreement).toEqual([]);
    expect(applyDecisions(i, set, decideAll(set, 'backup')).agreement).toEqual(['Disk vdb is in the directory but not in the domain XML.']);
  });
});

describe('attribute, entry and XML conflicts', () => {
  it('offers an attribute the backup has and the live entry lacks', () => {
    const i = conflictInput(machine({ description: 'Shop front end' }), machine());
    const set = computeConflicts(i);
    expect(set.conflicts).toEqual([
      expect.objectContaining({
        id: 'ldap:vm:description',
        kind: 'ldap-attribute',
        label: 'description of the machine',
        live: '(not set)',
        backup: 'Shop front end',
        allowValue: true,
        valueKind: 'ldap-value',
        choices: { live: 'Leave it unset, as live', backup: 'Take Shop front end from the backup' },
        ldap: [{ dn: MACHINE_DN, attribute: 'description', live: [], backup: ['Shop front end'] }],
        xml: [],
      }),
    ]);
    const r = resolve(i, () => ({ 'ldap:vm:description': { choice: 'backup' } }));
    expect(valuesOf(r.vm, 'description')).toEqual(['Shop front end']);
    expect(ldapChanges(i.liveEntries, r.ldif)).toEqual([
      { type: 'modify', dn: MACHINE_DN, modifications: [{ operation: 'add', attribute: 'description', values: ['Shop front end'] }] },
    ]);
    const typed = resolve(i, () => ({ 'ldap:vm:description': { choice: 'value', value: 'Shop, front end' } }));
    expect(valuesOf(typed.vm, 'description')).toEqual(['Shop, front end']);
    const kept = resolve(i, () => ({ 'ldap:vm:description': { choice: 'live' } }));
    expect(ldapChanges(i.liveEntries, kept.ldif)).toEqual([]);
    expect(kept.plan.kept).toEqual(['description of the machine: stays (not set)']);
  });

  it('offers an XML-only value by its path', () => {
    const i = conflictInput(machine(), machine({ videoVram: 16384 }));
    const set = computeConflicts(i);
    expect(set.conflicts).toEqual([
      expect.objectContaining({
        id: 'xml:devices/video/model@vram',
        kind: 'xml',
        label: 'XML devices/video/model vram',
        live: '16384',
        backup: '65536',
        allowValue: true,
        ldap: [],
        xml: [{ path: 'devices/video/model@vram', live: '16384', backup: '65536' }],
      }),
    ]);
    const vram = (xml: string) => /vram='(\d+)'/.exec(xml)?.[1];
    expect(vram(resolve(i, (s) => decideAll(s, 'live')).xml)).toBe('16384');
    expect(vram(resolve(i, (s) => decideAll(s, 'backup')).xml)).toBe('65536');
    expect(vram(resolve(i, () => ({ 'xml:devices/video/model@vram': { choice: 'value', value: '32768' } })).xml)).toBe('32768');
    // Numbers on both sides: libvirt would refuse anything else only after the machine was stopped.
    const typed = validateDecisions(set, { 'xml:devices/video/model@vram': { choice: 'value', value: 'abc<def' } });
    expect(typed).toEqual({ ok: false, errors: { 'xml:devices/video/model@vram': expect.stringMatching(/whole number/) } });
  });

  it('offers XML elements present on one side, and reproduces the backup XML when it wins', () => {
    const backupXml = domainXml(machine());
    const liveXml = backupXml
      .replace('    <memballoon', "    <sound model='ich6'/>\n    <memballoon")
      .replace('<on_crash>destroy</on_crash>', '<on_crash>restart</on_crash>');
    const i = conflictInput(machine(), machine(), { liveXml });
    const set = computeConflicts(i);
    expect(set.conflicts.map((c) => [c.id, c.live, c.backup, c.allowValue])).toEqual([
      ['xml:on_crash', 'restart', 'destroy', true],
      ['xml:devices/sound', "<sound model='ich6'/>", '(absent)', false],
    ]);
    expect(resolve(i, (s) => decideAll(s, 'backup')).xml).toBe(backupXml);
    expect(resolve(i, (s) => decideAll(s, 'live')).xml).toBe(liveXml.replace(" id='7'", " id='7'"));
  });

  it('inserts several new elements in the live order, whichever of them are kept', () => {
    const backupXml = domainXml(machine());
    const added = "    <sound model='ich6'/>\n    <watchdog model='i6300esb' action='reset'/>\n    <sound model='ac97'/>\n";
    const liveXml = backupXml.replace('    <memballoon', `${added}    <memballoon`);
    const i = conflictInput(machine(), machine(), { liveXml });
    const set = computeConflicts(i);
    expect(set.conflicts.map((c) => c.id)).toEqual(['xml:devices/sound[1]', 'xml:devices/watchdog', 'xml:devices/sound[2]']);
    expect(resolve(i, (s) => decideAll(s, 'live')).xml).toBe(liveXml);
    const some = resolve(i, () => ({
      'xml:devices/sound[1]': { choice: 'backup' },
      'xml:devices/watchdog': { choice: 'live' },
      'xml:devices/sound[2]': { choice: 'live' },
    }));
    expect(some.xml).toBe(
      backupXml.replace('    <memballoon', "    <watchdog model='i6300esb' action='reset'/>\n    <sound model='ac97'/>\n    <memballoon"),
    );
  });

  it('makes a disk added after the backup one entry-level conflict with its XML', () => {
    const extra = { target: 'vdc', volume: 'c3d2e1f0-0000-4000-8000-000000000003', capacityBytes: 10 * GiB };
    const i = conflictInput(machine(), machine({ disks: [...machine().disks, extra] }));
    const set = computeConflicts(i);
    expect(set.conflicts).toHaveLength(1);
    const c = set.conflicts[0];
    expect(c).toMatchObject({
      id: 'ldap-entry:sstDisk=vdc,ou=devices',
      kind: 'ldap-entry',
      label: 'Disk vdc',
      live: 'present',
      backup: '(absent)',
      allowValue: false,
      choices: { live: 'Keep it', backup: 'Delete it, as in the backup' },
    });
    expect(c.ldap).toEqual([
      { dn: `sstDisk=vdc,ou=devices,${MACHINE_DN}`, attribute: null, live: expect.arrayContaining(['sstDisk: vdc']), backup: null },
    ]);
    expect(c.xml).toEqual([{ path: 'devices/disk[vdc]', live: expect.stringContaining("<target dev='vdc' bus='virtio'/>"), backup: null }]);

    const deleted = resolve(i, () => ({ [c.id]: { choice: 'backup' } }));
    expect(deleted.domain.disks.map((d) => d.target)).toEqual(['vda', 'vdb']);
    expect(deleted.plan.entriesRemoved).toEqual([`disk vdc (sstDisk=vdc,ou=devices,${MACHINE_DN})`]);
    expect(ldapChanges(i.liveEntries, deleted.ldif)).toEqual([{ type: 'delete', dn: `sstDisk=vdc,ou=devices,${MACHINE_DN}` }]);

    const kept = resolve(i, () => ({ [c.id]: { choice: 'live' } }));
    expect(kept.domain.disks.map((d) => d.target)).toEqual(['vda', 'vdb', 'vdc']);
    expect(kept.plan.savedStateRisks).toEqual(["Disk vdc differs from the backup's domain XML."]);
    expect(kept.xml).toContain(
      "      <alias name='virtio-disk1'/>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x06' function='0x0'/>\n    </disk>\n    <disk type='file' device='disk'>",
    );
    expect(ldapChanges(i.liveEntries, kept.ldif)).toEqual([]);
  });

  it('restores a removed user assignment with its subtree as one decision', () => {
    const i = conflictInput(machine({ people: ['4000002', '4000005'] }), machine());
    const set = computeConflicts(i);
    expect(set.conflicts.map((c) => [c.id, c.label, c.choices.backup])).toEqual([
      ['ldap-entry:ou=4000005,ou=people', 'User assignment 4000005', 'Restore it from the backup'],
    ]);
    const r = resolve(i, (s) => decideAll(s, 'backup'));
    expect(ldapChanges(i.liveEntries, r.ldif)).toEqual([
      { type: 'add', dn: `ou=4000005,ou=people,${MACHINE_DN}`, attributes: expect.arrayContaining([{ name: 'ou', values: ['4000005'] }]) },
    ]);
    expect(r.plan.entriesAdded).toEqual([`user assignment 4000005 (ou=4000005,ou=people,${MACHINE_DN})`]);
  });

  it('keeps an interface added live together with its XML interface, or removes both', () => {
    const second = { name: 'net1', mac: '52:54:00:44:55:66', bridge: 'vmbr1' };
    const i = conflictInput(machine(), machine({ interfaces: [...machine().interfaces, second] }));
    const set = computeConflicts(i);
    expect(set.conflicts.map((c) => [c.id, c.xml.map((x) => x.path)])).toEqual([
      ['ldap-entry:sstInterface=net1,ou=devices', ['devices/interface[net1]']],
    ]);
    expect(resolve(i, (s) => decideAll(s, 'live')).domain.interfaces.map((x) => x.mac)).toEqual(['52:54:00:1a:2b:3c', '52:54:00:44:55:66']);
    expect(resolve(i, (s) => decideAll(s, 'backup')).domain.interfaces.map((x) => x.mac)).toEqual(['52:54:00:1a:2b:3c']);
  });

  it('groups the volume of a network disk and the title only where both sides have one', () => {
    const network = (m: MachineFixture, name: string) => {
      const entries = machineEntries(m);
      const vda = entries.find((e) => e.dn.startsWith('sstDisk=vda'))!;
      vda.attributes = vda.attributes.filter((a) => a.name !== 'sstSourceFile' && a.name !== 'sstVolumeName');
      vda.attributes.push({ name: 'sstSourceName', values: [name] }, { name: 'sstSourceProtocol', values: ['gluster'] });
      const xml = domainXml(m)
        .replace(
          /<disk type='file' device='disk'>(\s*<driver[^>]*>\s*)<source file='[^']*'\/>/,
          `<disk type='network' device='disk'>$1<source protocol='gluster' name='${name}'><host name='gluster-01' port='24007'/></source>`,
        )
        .replace(/\s*<title>.*<\/title>/, '');
      return { entries, xml };
    };
    const b = network(machine(), 'virtualization/vm-persistent/p/a.qcow2');
    const l = network(machine({ displayName: 'renamed' }), 'virtualization/vm-persistent/p/b.qcow2');
    const i: ConflictInput = {
      ...conflictInput(machine(), machine()),
      backupLdif: b.entries,
      liveEntries: l.entries,
      backupXml: b.xml,
      liveXml: l.xml,
    };
    const set = computeConflicts(i);
    expect(set.conflicts.map((c) => [c.id, c.valueKind, c.ldap.map((p) => p.attribute), c.xml.map((p) => p.path)])).toEqual([
      ['name', 'display-name', ['sstDisplayName'], ['title']],
      ['disk:vda', 'volume-name', ['sstSourceName'], ['devices/disk[vda]/source@name']],
    ]);
    expect(validateDecisions(set, { name: { choice: 'live' }, 'disk:vda': { choice: 'value', value: '/abs/path.qcow2' } })).toMatchObject({
      ok: false,
      errors: { 'disk:vda': expect.stringMatching(/leading \//) },
    });
    const r = resolve(i, () => ({ name: { choice: 'live' }, 'disk:vda': { choice: 'backup' } }));
    expect(r.domain.disks[0]).toMatchObject({
      sourceAttribute: 'name',
      source: 'virtualization/vm-persistent/p/a.qcow2',
      sourceProtocol: 'gluster',
    });
    expect(r.domain.title).toBeNull();
    expect(firstValue(r.vm, 'sstDisplayName')).toBe('renamed');
  });

  it('treats a DHCP reservation moved to another subnet as one entry', () => {
    const i = conflictInput(machine(), machine({ dhcp: { subnet: '10.2.0.0', ip: '10.1.0.21' } }));
    const set = computeConflicts(i);
    expect(set.conflicts.map((c) => [c.id, c.live, c.backup])).toEqual([
      ['ldap-entry:dhcp', dhcpDnOf(machine({ dhcp: { subnet: '10.2.0.0', ip: '' } })), dhcpDnOf(machine())],
    ]);
    const r = resolve(i, (s) => decideAll(s, 'backup'));
    const changes = ldapChanges(i.liveEntries, r.ldif);
    expect(changes.map((c) => [c.type, c.dn])).toEqual([
      ['add', dhcpDnOf(machine())],
      ['delete', dhcpDnOf(machine({ dhcp: { subnet: '10.2.0.0', ip: '' } }))],
    ]);
  });
});

describe('identity collisions', () => {
  const other = (mac: string | null, ip: string | null) => ({
    macs: mac ? [{ mac, ...OTHER_MACHINE }] : [],
    addresses: ip ? [{ ip, ...OTHER_MACHINE }] : [],
  });

  it('flags a changed MAC whose backup value another machine uses now, and refuses restoring it', () => {
    const live = machine({ interfaces: [{ name: 'net0', mac: NEW_MAC, bridge: 'vmbr0' }] });
    const i = conflictInput(machine(), live, { identities: other('52:54:00:1A:2B:3C', null) });
    const set = computeConflicts(i);
    expect(set.conflicts).toHaveLength(1);
    const mac = set.conflicts[0];
    expect(mac.id).toBe('mac:net0');
    expect(mac.collision).toBe(`The backup's MAC address 52:54:00:1a:2b:3c is used by db-02 (${OTHER_MACHINE.machineUuid}) now.`);
    expect(mac.refused.backup).toMatch(/Keep the live value or type another one/);
    expect(validateDecisions(set, { 'mac:net0': { choice: 'backup' } })).toEqual({ ok: false, errors: { 'mac:net0': mac.refused.backup } });
    expect(validateDecisions(set, { 'mac:net0': { choice: 'value', value: '52:54:00:1a:2b:3c' } })).toMatchObject({
      ok: false,
      errors: { 'mac:net0': expect.stringMatching(/used by db-02/) },
    });
    expect(validateDecisions(set, { 'mac:net0': { choice: 'live' } })).toEqual({ ok: true });
    expect(() => applyDecisions(i, set, { 'mac:net0': { choice: 'backup' } })).toThrow(/used by db-02/);
    const r = resolve(i, () => ({ 'mac:net0': { choice: 'live' } }));
    expect(r.domain.interfaces[0].mac).toBe(NEW_MAC);
  });

  it('flags a fixed IP another machine uses even when live and backup agree', () => {
    const i = conflictInput(machine(), machine(), { identities: other(null, '10.1.0.21') });
    const set = computeConflicts(i);
    expect(set.conflicts).toEqual([
      expect.objectContaining({
        id: 'address',
        kind: 'setting',
        label: 'Fixed IP address',
        live: '10.1.0.21',
        backup: '10.1.0.21',
        valueKind: 'ip',
        refused: {},
        collision: `The fixed IP address 10.1.0.21 is used by db-02 (${OTHER_MACHINE.machineUuid}) now.`,
        ldap: [
          { dn: dhcpDnOf(machine()), attribute: 'dhcpStatements', live: ['fixed-address 10.1.0.21'], backup: ['fixed-address 10.1.0.21'] },
        ],
      }),
    ]);
    expect(validateDecisions(set, { address: { choice: 'backup' } })).toEqual({ ok: true });
    expect(validateDecisions(set, { address: { choice: 'value', value: '10.1.0.21' } }).ok).toBe(false);
    const r = resolve(i, () => ({ address: { choice: 'value', value: '10.1.0.99' } }));
    expect(valuesOf(entry(r.ldif, dhcpDnOf(machine())), 'dhcpStatements')).toEqual(['fixed-address 10.1.0.99']);
    expect(r.plan.overwritten).toEqual(['Fixed IP address: 10.1.0.21 → 10.1.0.99']);
  });

  it('refuses to restore a DHCP reservation whose address is taken', () => {
    const i = conflictInput(machine(), machine({ dhcp: null }), { identities: other(null, '10.1.0.21') });
    const set = computeConflicts(i);
    expect(set.conflicts.map((c) => c.id)).toEqual(['ldap-entry:dhcp']);
    expect(set.conflicts[0].collision).toMatch(/10\.1\.0\.21 is used by db-02/);
    expect(validateDecisions(set, { 'ldap-entry:dhcp': { choice: 'backup' } }).ok).toBe(false);
    expect(resolve(i, (s) => decideAll(s, 'live')).ldif.some((e) => /^cn=/.test(e.dn))).toBe(false);
  });

  it("ignores the machine's own entries in the identities", () => {
    const i = conflictInput(machine(), machine(), {
      identities: { macs: [{ mac: '52:54:00:1a:2b:3c', machineUuid: MACHINE_UUID, machineName: 'web-01' }], addresses: [] },
    });
    expect(computeConflicts(i).conflicts).toEqual([]);
  });
});

describe('identity mismatch', () => {
  const otherUuid = OTHER_MACHINE.machineUuid;

  it.each([
    [
      'a backup of another machine',
      () => ({ ...conflictInput(machine({ uuid: otherUuid }), machine()), machineUuid: MACHINE_UUID }),
      /The backup is of machine 6b0f8f1e/,
    ],
    [
      'a backup XML of another domain',
      () => ({ ...conflictInput(machine(), machine()), backupXml: domainXml(machine({ uuid: otherUuid })) }),
      /The backup's domain XML has <uuid> 6b0f8f1e/,
    ],
    [
      'a live XML of another domain',
      () => ({
        ...conflictInput(machine(), machine()),
        liveXml: domainXml(machine()).replace(`<name>${MACHINE_UUID}</name>`, '<name>web-01</name>'),
      }),
      /The live domain XML has <name> web-01/,
    ],
    [
      'a different sstVirtualMachine value',
      () => {
        const i = conflictInput(machine(), machine());
        i.backupLdif[0].attributes.find((a) => a.name === 'sstVirtualMachine')!.values = [otherUuid];
        return i;
      },
      /sstVirtualMachine: 6b0f8f1e/,
    ],
    [
      'a live machine under another base',
      () => ({
        ...conflictInput(machine(), machine()),
        liveEntries: machineEntries(machine()).map((e) => ({ ...e, dn: e.dn.replace('dc=stoney-cloud', 'dc=foss-cloud') })),
      }),
      /taken of sstVirtualMachine=.*dc=stoney-cloud.*live machine is .*dc=foss-cloud/,
    ],
    [
      'an entry of something else in the backup',
      () => {
        const i = conflictInput(machine(), machine());
        i.backupLdif.push({ dn: `uid=4000002,ou=people,dc=stoney-cloud,dc=org`, attributes: [{ name: 'uid', values: ['4000002'] }] });
        return i;
      },
      /neither to machine/,
    ],
    [
      'a missing live machine',
      () => ({ ...conflictInput(machine(), machine()), liveEntries: [] }),
      /live directory holds no machine entry/,
    ],
  ] as const)('refuses %s', (_name, build, message) => {
    const i = build();
    const set = computeConflicts(i);
    expect(set.identityMismatch).toMatch(message);
    expect(set.conflicts).toEqual([]);
    expect(validateDecisions(set, {})).toMatchObject({ ok: false, errors: { identity: set.identityMismatch } });
    expect(() => applyDecisions(i, set, {})).toThrow(message);
  });
});

describe('validateDecisions', () => {
  const live = machine({
    memoryBytes: 4 * GiB,
    vcpu: 4,
    displayName: 'renamed',
    disks: [{ ...machine().disks[0], volume: 'moved' }, machine().disks[1]],
    interfaces: [{ name: 'net0', mac: NEW_MAC, bridge: 'vmbr0' }],
    dhcp: { subnet: '10.1.0.0', ip: '10.1.0.99' },
    people: [],
  });
  const set = computeConflicts(conflictInput(machine(), live));

  it('asks for every conflict and knows no others', () => {
    expect(validateDecisions(set, { stale: { choice: 'live' } })).toEqual({
      ok: false,
      errors: expect.objectContaining({
        stale: expect.stringMatching(/compare again/),
        memory: expect.stringMatching(/Decide/),
        'ldap-entry:ou=4000002,ou=people': 'Decide: keep live, take the backup.',
      }),
    });
    expect(validateDecisions(set, decideAll(set, 'live'))).toEqual({ ok: true });
  });

  it('takes a disk image path only in the folders given for the machine, typed or from a side', () => {
    const live = machine({ disks: [{ ...machine().disks[0], volume: '11111111-2222-4333-8444-555555555555' }, machine().disks[1]] });
    const poolFolder = `/var/virtualization/vm-persistent/${STORAGE_POOL_UUID}`;
    const confined = { ...conflictInput(machine(), live), imageFolders: [poolFolder] };
    const disk = computeConflicts(confined).conflicts.find((c) => c.id === 'disk:vda')!;
    expect(disk.valueKind).toBe('disk-image');
    expect(disk.valueHint).toBe(`an image file directly in ${poolFolder}`);
    expect(disk.refused).toEqual({});
    const typed = (value: string) => {
      const result = validateDecisions(computeConflicts(confined), { 'disk:vda': { choice: 'value', value } });
      return result.ok ? 'ok' : result.errors['disk:vda'];
    };
    expect(typed(`${poolFolder}/elsewhere.qcow2`)).toBe('ok');
    expect(typed(`${poolFolder}//elsewhere.qcow2`)).toBe('ok');
    for (const outside of [
      '/etc/shadow',
      '/var/virtualization/elsewhere.qcow2',
      '/var/virtualization/vm-templates/5b77d2f6-061f-410c-8ee7-9e61da6f1927/x.qcow2',
      `${poolFolder}/sub/x.qcow2`,
      '/var/virtualization/retain/x.qcow2',
    ]) {
      expect(typed(outside), outside).toMatch(
        /is not a place for this machine's disk image: it must be a file directly in \/var\/virtualization\/vm-persistent\//,
      );
    }
    expect(typed(`${poolFolder}/../x.qcow2`)).toMatch(/\.\./);
    // The backup's image in a folder the machine may not use any more cannot be taken either.
    const moved = { ...confined, imageFolders: ['/var/virtualization/vm-persistent/another-pool'] };
    const refused = computeConflicts(moved).conflicts.find((c) => c.id === 'disk:vda')!;
    expect(refused.refused.backup).toMatch(/cannot be written: .* is not a place for this machine's disk image/);
    expect(refused.refused.live).toMatch(/cannot be written/);
    // Without folders only the format counts (the conflict view outside a restore).
    expect(computeConflicts(conflictInput(machine(), live)).conflicts.find((c) => c.id === 'disk:vda')?.refused).toEqual({});
  });

  it('checks typed values for their setting', () => {
    const typed = (id: string, value: string | undefined) => {
      const result = validateDecisions(set, { ...decideAll(set, 'live'), [id]: { choice: 'value', value } });
      return result.ok ? 'ok' : result.errors[id];
    };
    expect(typed('memory', '4 GiB')).toBe('ok');
    expect(typed('memory', '4294967296')).toBe('ok');
    expect(typed('memory', 'a lot')).toMatch(/number of bytes/);
    expect(typed('memory', '1000')).toMatch(/KiB/);
    expect(typed('vcpus', '0')).toMatch(/1 to 4096/);
    expect(typed('vcpus', '8')).toBe('ok');
    expect(typed('mac:net0', '52:54:00:12:34')).toMatch(/six pairs/);
    expect(typed('disk:vda', '/var/virtualization/../../etc/shadow')).toMatch(/\.\./);
    expect(typed('disk:vda', 'relative.qcow2')).toMatch(/absolute/);
    expect(typed('address', '10.1.0.300')).toMatch(/IPv4/);
    expect(typed('name', '')).toMatch(/Enter a value/);
    expect(typed('memory', undefined)).toBe('Type a value.');
    expect(typed('ldap-entry:ou=4000002,ou=people', 'x')).toMatch(/takes no typed value/);
  });

  it('normalises typed values before writing them', () => {
    const i = conflictInput(machine(), live);
    const r = resolve(i, (s) => ({
      ...decideAll(s, 'live'),
      memory: { choice: 'value', value: '1536 MiB' },
      'mac:net0': { choice: 'value', value: '52:54:00:AA:00:01' },
    }));
    expect(firstValue(r.vm, 'sstMemory')).toBe(String(1536 * 1024 ** 2));
    expect(r.xml).toContain("<memory unit='KiB'>1572864</memory>");
    expect(r.domain.interfaces[0].mac).toBe('52:54:00:aa:00:01');
    expect(r.plan.overwritten).toContain('Memory: 4 GiB → 1536 MiB');
  });
});

describe('applyDecisions', () => {
  it('accepts a conflict set that went through JSON, and lists a typed value equal to live as kept', () => {
    const input = conflictInput(machine(), machine({ memoryBytes: 4 * GiB }));
    const set: ConflictSet = JSON.parse(JSON.stringify(computeConflicts(input)));
    const result = applyDecisions(input, set, { memory: { choice: 'value', value: '4096 MiB' } });
    expect(result.plan).toEqual({
      overwritten: [],
      kept: ['Memory: stays 4 GiB'],
      entriesAdded: [],
      entriesRemoved: [],
      savedStateRisks: ["Memory differs from the backup's domain XML."],
    });
  });

  it('refuses a conflict set computed from another state', () => {
    const old = computeConflicts(conflictInput(machine(), machine({ memoryBytes: 4 * GiB })));
    const now = conflictInput(machine(), machine({ memoryBytes: 8 * GiB }));
    expect(() => applyDecisions(now, old, decideAll(old, 'live'))).toThrow(/compare again/);
  });

  describe('on a machine where everything differs', () => {
    const extra = { target: 'vdc', volume: 'c3d2e1f0-0000-4000-8000-000000000003', capacityBytes: 10 * GiB };
    const backup: MachineFixture = machine({ description: 'from the backup' });
    const live: MachineFixture = machine({
      memoryBytes: 4 * GiB,
      disks: [machine().disks[0], { ...machine().disks[1], volume: 'b0f3a5a2-0000-4000-8000-00000000000b' }, extra],
      interfaces: [
        { name: 'net0', mac: NEW_MAC, bridge: 'vmbr0' },
        { name: 'net1', mac: '52:54:00:44:55:66', bridge: 'vmbr1' },
      ],
      dhcp: { subnet: '10.1.0.0', ip: '10.1.0.40' },
      videoVram: 16384,
    });
    const input = conflictInput(backup, live);
    const set = computeConflicts(input);

    it('has one conflict per decision', () => {
      expect(set.conflicts.map((c) => c.id)).toEqual([
        'memory',
        'disk:vdb',
        'mac:net0',
        'address',
        'ldap-entry:sstDisk=vdc,ou=devices',
        'ldap-entry:sstInterface=net1,ou=devices',
        'ldap:vm:description',
        'xml:devices/video/model@vram',
      ]);
    });

    it('produces agreeing LDIF and XML for every combination of live and backup', () => {
      const n = set.conflicts.length;
      for (let mask = 0; mask < 2 ** n; mask += 1) {
        const decisions = decideByMask(set, mask);
        const result = applyDecisions(input, set, decisions);
        expect(result.agreement, `mask ${mask}`).toEqual([]);
        expect(agreementProblems(result.ldif, result.xml, MACHINE_UUID), `mask ${mask}`).toEqual([]);
        const changes = ldapChanges(input.liveEntries, result.ldif);
        expect(
          changes.every((c) => !/ou=backup,sstVirtualMachine=/i.test(c.dn)),
          `mask ${mask}`,
        ).toBe(true);
        // Nothing live is lost that was not decided, nothing of the backup that was taken (for all
        // of one side and each decision flipped alone; lib/diff/round-trip.test.ts tries every mix).
        const flipped = Math.min(mask.toString(2).replace(/0/g, '').length, n - mask.toString(2).replace(/0/g, '').length);
        if (flipped > 1) continue;
        expectDifferencesAsDecided(input, set, decisions, result, `mask ${mask}`);
      }
    });

    it('produces agreeing LDIF and XML with typed values', () => {
      const typed: Record<string, string> = {
        memory: '3 GiB',
        'disk:vdb': '/var/virtualization/vm-persistent/x/typed.qcow2',
        'mac:net0': '52:54:00:00:00:aa',
        address: '10.1.0.77',
        'ldap:vm:description': 'typed',
        'xml:devices/video/model@vram': '8192',
      };
      for (const choice of ['live', 'backup'] as const) {
        const decisions: Decisions = Object.fromEntries(
          set.conflicts.map((c) => [c.id, typed[c.id] === undefined ? { choice } : { choice: 'value', value: typed[c.id] }]),
        );
        const r = resolve(input, () => decisions);
        expect(r.domain.memoryBytes).toBe(3 * GiB);
        expect(r.domain.disks.find((d) => d.target === 'vdb')?.source).toBe('/var/virtualization/vm-persistent/x/typed.qcow2');
        expect(firstValue(entry(r.ldif, `sstDisk=vdb,ou=devices,${MACHINE_DN}`), 'sstVolumeName')).toBe('typed');
        expect(firstValue(entry(r.ldif, dhcpDnOf(machine())), 'dhcpHWAddress')).toBe('ethernet 52:54:00:00:00:aa');
        expect(r.xml).toContain("vram='8192'");
      }
    });

    it('gives the backup XML back when the backup wins everywhere, and the live state when live does', () => {
      expect(applyDecisions(input, set, decideAll(set, 'backup')).xml).toBe(domainXml(backup));
      const allLive = applyDecisions(input, set, decideAll(set, 'live'));
      expect(ldapChanges(input.liveEntries, allLive.ldif)).toEqual([]);
      expect(conflictsLeft(input, allLive, 'live')).toEqual([]);
    });
  });

  it('returns the target subtree parents first, without ou=backup, then the DHCP entry', () => {
    const input = conflictInput(machine({ people: ['4000002', '4000005'] }), machine());
    const set = computeConflicts(input);
    const { ldif } = applyDecisions(input, set, decideAll(set, 'backup'));
    expect(ldif[0].dn).toBe(MACHINE_DN);
    expect(ldif[ldif.length - 1].dn).toBe(dhcpDnOf(machine()));
    expect(ldif.findIndex((e) => e.dn.startsWith('ou=people,'))).toBeLessThan(ldif.findIndex((e) => e.dn.startsWith('ou=4000005,')));
    expect(ldif.some((e) => /ou=backup/i.test(e.dn))).toBe(false);
    expect(parseLdif(serializeLdif(ldif))).toEqual(ldif);
  });
});

describe('ldapChanges', () => {
  const live = machineEntries(machine());
  const target = () =>
    machineEntries(machine(), { history: false }).map((e) => ({
      dn: e.dn,
      attributes: e.attributes.map((a) => ({ ...a, values: [...a.values] })),
    }));

  it('writes the smallest modifications and leaves the history alone', () => {
    const t = target();
    const vm = t[0];
    vm.attributes.find((a) => a.name === 'sstFeature')!.values = ['acpi', 'apic', 'pae', 'hyperv'];
    vm.attributes.find((a) => a.name === 'objectClass')!.values = [
      'top',
      'sstVirtualizationVirtualMachine',
      'sstRelationship',
      'sstSpice',
      'labeledURIObject',
      'extensibleObject',
    ];
    vm.attributes.find((a) => a.name === 'sstOSBootDevice')!.values = ['cdrom'];
    vm.attributes = vm.attributes.filter((a) => a.name !== 'labeledURI');
    const devices = t[1];
    devices.attributes.find((a) => a.name === 'sstMemBalloon')!.values = [];
    devices.attributes = devices.attributes.filter((a) => a.values.length > 0);
    expect(ldapChanges(live, t)).toEqual([
      {
        type: 'modify',
        dn: MACHINE_DN,
        modifications: [
          { operation: 'add', attribute: 'objectClass', values: ['extensibleObject'] },
          { operation: 'replace', attribute: 'sstOSBootDevice', values: ['cdrom'] },
          { operation: 'add', attribute: 'sstFeature', values: ['hyperv'] },
          { operation: 'delete', attribute: 'labeledURI', values: [] },
        ],
      },
      { type: 'modify', dn: `ou=devices,${MACHINE_DN}`, modifications: [{ operation: 'delete', attribute: 'sstMemBalloon', values: [] }] },
    ]);
  });

  it('refuses to write history, to delete the machine or what has history below it', () => {
    expect(() => ldapChanges(live, live)).toThrow(/backup history/);
    expect(() => ldapChanges(live, target().slice(1))).toThrow(/machine entry/);
    const withoutSettings = target().filter((e) => !e.dn.startsWith('ou=settings'));
    expect(ldapChanges(live, withoutSettings)).toEqual([{ type: 'delete', dn: `ou=settings,${MACHINE_DN}` }]);
    const otherHistory = { dn: `ou=20261121T030000Z,ou=backup,${machineDnOf(OTHER_MACHINE.machineUuid)}`, attributes: [] };
    expect(ldapChanges([...live, otherHistory], target())).toEqual([]);
    const container = { dn: `ou=virtual machines,${VIRTUALIZATION_DN}`, attributes: [{ name: 'ou', values: ['virtual machines'] }] };
    expect(() => ldapChanges([container, ...live], target())).toThrow(/backup history lies below it/);
  });

  it('refuses a target that would drop an entry’s naming value', () => {
    const t = target();
    t[1].attributes = t[1].attributes.filter((a) => a.name !== 'ou');
    expect(() => ldapChanges(live, t)).toThrow(/naming value ou: devices/);
  });
});
