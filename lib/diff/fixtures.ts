/**
 * Test fixtures: a stoney cloud machine as the node daemon exports it (VM entry, ou=devices with
 * disks and interfaces, ou=settings, ou=people, ou=groups, ou=backup with iteration leaves, then
 * the DHCP reservation) and the libvirt XML of the running domain. Tests describe the backup and
 * the live machine as two variations of one fixture.
 */
import { parseLdif, serializeLdif, type LdifEntry } from './ldif';
import type { ConflictInput, Identities } from './types';

export const BASE_DN = 'dc=stoney-cloud,dc=org';
export const VIRTUALIZATION_DN = `ou=virtualization,ou=services,${BASE_DN}`;
export const MACHINE_UUID = 'bdd640fb-0667-4ad1-9c80-317fa3b1799d';
export const STORAGE_POOL_UUID = '0f83f084-8080-413e-b558-b678e504836e';
export const machineDnOf = (uuid: string) => `sstVirtualMachine=${uuid},ou=virtual machines,${VIRTUALIZATION_DN}`;
export const MACHINE_DN = machineDnOf(MACHINE_UUID);

export interface FixtureDisk {
  target: string;
  volume: string;
  capacityBytes: number;
}

export interface FixtureInterface {
  name: string;
  mac: string;
  bridge: string;
}

export interface MachineFixture {
  uuid: string;
  displayName: string;
  description: string | null;
  memoryBytes: number;
  vcpu: number;
  disks: FixtureDisk[];
  interfaces: FixtureInterface[];
  /** The reservation; its MAC is the first interface's unless `mac` is given. */
  dhcp: { subnet: string; ip: string; mac?: string } | null;
  people: string[];
  groups: string[];
  /** Iteration leaves under ou=backup (history). */
  iterations: string[];
  /** `<video><model vram>`, recorded in the XML only. */
  videoVram: number;
  /** libvirt's runtime domain id; differs between starts and must never be a difference. */
  domainId: number;
}

export function machine(overrides: Partial<MachineFixture> = {}): MachineFixture {
  return {
    uuid: MACHINE_UUID,
    displayName: 'web-01',
    description: null,
    memoryBytes: 2 * 1024 ** 3,
    vcpu: 2,
    disks: [
      { target: 'vda', volume: '5b1cbb2c-7d57-4f70-8ad1-0e4fd1b9bb4c', capacityBytes: 20 * 1024 ** 3 },
      { target: 'vdb', volume: 'b0f3a5a2-4a3f-4a4e-9c59-2f4f2f5d6c11', capacityBytes: 50 * 1024 ** 3 },
    ],
    interfaces: [{ name: 'net0', mac: '52:54:00:1a:2b:3c', bridge: 'vmbr0' }],
    dhcp: { subnet: '10.1.0.0', ip: '10.1.0.21' },
    people: ['4000002'],
    groups: ['4000014'],
    iterations: ['20261120T030000Z', '20261121T030000Z'],
    videoVram: 65536,
    domainId: 7,
    ...overrides,
  };
}

const imagePath = (volume: string) => `/var/virtualization/vm-persistent/${STORAGE_POOL_UUID}/${volume}.qcow2`;

function entry(dn: string, attributes: Record<string, string | string[]>): LdifEntry {
  return { dn, attributes: Object.entries(attributes).map(([name, v]) => ({ name, values: Array.isArray(v) ? v : [v] })) };
}

const owner = { sstBelongsToResellerUID: '4000000', sstBelongsToCustomerUID: '4000001' };

export function dhcpDnOf(m: MachineFixture): string {
  return `cn=${m.uuid},ou=virtual machines,cn=${m.dhcp?.subnet ?? '10.1.0.0'},cn=config-01,ou=dhcp,ou=networks,${VIRTUALIZATION_DN}`;
}

/** The entries in the order of the export: subtree (with history) first, then the DHCP entry. */
export function machineEntries(m: MachineFixture, options: { history?: boolean } = {}): LdifEntry[] {
  const vm = machineDnOf(m.uuid);
  const out: LdifEntry[] = [
    entry(vm, {
      objectClass: ['top', 'sstVirtualizationVirtualMachine', 'sstRelationship', 'sstSpice', 'labeledURIObject'],
      sstVirtualMachine: m.uuid,
      sstDisplayName: m.displayName,
      sstVirtualMachineType: 'persistent',
      sstVirtualMachineSubType: 'Server',
      sstVirtualMachinePool: 'd9c3cc0c-6a59-4d39-b4b5-5d6b4bfb0e2a',
      sstNode: 'node-01.stoney-cloud.org',
      sstMemory: String(m.memoryBytes),
      sstVCPU: String(m.vcpu),
      sstType: 'kvm',
      sstOSArchitecture: 'x86_64',
      sstOSMachine: 'pc',
      sstOSType: 'hvm',
      sstOSBootDevice: 'hd',
      sstFeature: ['acpi', 'apic', 'pae'],
      sstClockOffset: 'utc',
      sstOnPowerOff: 'destroy',
      sstOnReboot: 'restart',
      sstOnCrash: 'destroy',
      sstSpicePort: '5901',
      sstSpicePassword: 'a1b2c3d4e5f60718',
      labeledURI: `ldap:///sstVirtualMachine=default,ou=default,ou=default,ou=default,ou=linux,ou=virtual machine profiles,${VIRTUALIZATION_DN}`,
      ...(m.description === null ? {} : { description: m.description }),
      ...owner,
    }),
    entry(`ou=devices,${vm}`, { objectClass: ['top', 'organizationalUnit', 'sstVirtualizationVirtualMachineDevices'], ou: 'devices', sstEmulator: '/usr/bin/qemu-kvm', sstMemBalloon: 'virtio' }),
  ];
  for (const d of m.disks) {
    out.push(
      entry(`sstDisk=${d.target},ou=devices,${vm}`, {
        objectClass: ['top', 'sstVirtualizationVirtualMachineDisk'],
        sstDisk: d.target,
        sstDevice: 'disk',
        sstType: 'file',
        sstTargetBus: 'virtio',
        sstSourceFile: imagePath(d.volume),
        sstVolumeName: d.volume,
        sstVolumeCapacity: String(d.capacityBytes),
        sstVolumeAllocation: '0',
        sstDriverName: 'qemu',
        sstDriverType: 'qcow2',
        sstDriverCache: 'writeback',
        sstReadonly: 'FALSE',
      }),
    );
  }
  for (const i of m.interfaces) {
    out.push(
      entry(`sstInterface=${i.name},ou=devices,${vm}`, {
        objectClass: ['top', 'sstVirtualizationVirtualMachineInterface'],
        sstInterface: i.name,
        sstType: 'bridge',
        sstSourceBridge: i.bridge,
        sstModelType: 'virtio',
        sstMacAddress: i.mac,
      }),
    );
  }
  out.push(entry(`ou=settings,${vm}`, { objectClass: ['top', 'organizationalUnit'], ou: 'settings' }));
  out.push(entry(`ou=people,${vm}`, { objectClass: ['top', 'organizationalUnit', 'sstRelationship'], ou: 'people', ...owner }));
  for (const p of m.people) {
    out.push(entry(`ou=${p},ou=people,${vm}`, { objectClass: ['top', 'organizationalUnit', 'labeledURIObject', 'sstRelationship'], ou: p, labeledURI: `ldap:///uid=${p},ou=people,${BASE_DN}`, ...owner }));
  }
  out.push(entry(`ou=groups,${vm}`, { objectClass: ['top', 'organizationalUnit', 'sstRelationship'], ou: 'groups', ...owner }));
  for (const g of m.groups) {
    out.push(entry(`ou=${g},ou=groups,${vm}`, { objectClass: ['top', 'organizationalUnit', 'labeledURIObject', 'sstRelationship'], ou: g, labeledURI: `ldap:///uid=${g},ou=groups,${BASE_DN}`, ...owner }));
  }
  if (options.history ?? true) {
    out.push(entry(`ou=backup,${vm}`, { objectClass: ['top', 'organizationalUnit'], ou: 'backup' }));
    m.iterations.forEach((it, index) => {
      const running = index === m.iterations.length - 1;
      out.push(
        entry(`ou=${it},ou=backup,${vm}`, {
          objectClass: ['top', 'organizationalUnit', 'sstProvisioning'],
          ou: it,
          sstProvisioningMode: running ? 'snapshotting' : 'finished',
          sstProvisioningState: running ? '0' : it,
          sstProvisioningExecutionDate: '0',
          sstProvisioningReturnValue: '0',
          sstProvisioningExecutionTime: ['snapshot: 0', 'merge: 0', 'retain: 0'],
        }),
      );
    });
  }
  if (m.dhcp) {
    out.push(
      entry(dhcpDnOf(m), {
        objectClass: ['top', 'dhcpHost', 'sstVirtualizationNetwork'],
        cn: m.uuid,
        dhcpHWAddress: `ethernet ${m.dhcp.mac ?? m.interfaces[0]?.mac ?? '52:54:00:00:00:00'}`,
        dhcpStatements: `fixed-address ${m.dhcp.ip}`,
        ...owner,
      }),
    );
  }
  return out;
}

/** The .ldif file as the node daemon writes it (unwrapped, base64 where needed). */
export function exportLdif(m: MachineFixture): string {
  return serializeLdif(machineEntries(m));
}

export function domainXml(m: MachineFixture): string {
  const disks = m.disks
    .map(
      (d, i) => `    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='writeback'/>
      <source file='${imagePath(d.volume)}'/>
      <backingStore/>
      <target dev='${d.target}' bus='virtio'/>
      <alias name='virtio-disk${i}'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x0${5 + i}' function='0x0'/>
    </disk>
`,
    )
    .join('');
  const interfaces = m.interfaces
    .map(
      (n, i) => `    <interface type='bridge'>
      <mac address='${n.mac}'/>
      <source bridge='${n.bridge}'/>
      <target dev='vnet${m.domainId + i}'/>
      <model type='virtio'/>
      <alias name='${n.name}'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x0${3 + i}' function='0x0'/>
    </interface>
`,
    )
    .join('');
  return `<domain type='kvm' id='${m.domainId}'>
  <name>${m.uuid}</name>
  <uuid>${m.uuid}</uuid>
  <title>${m.displayName}</title>
  <memory unit='KiB'>${m.memoryBytes / 1024}</memory>
  <currentMemory unit='KiB'>${m.memoryBytes / 1024}</currentMemory>
  <vcpu placement='static'>${m.vcpu}</vcpu>
  <resource>
    <partition>/machine</partition>
  </resource>
  <os>
    <type arch='x86_64' machine='pc-i440fx-2.1'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
    <pae/>
  </features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-kvm</emulator>
${disks}    <controller type='usb' index='0'>
      <alias name='usb0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/>
    </controller>
    <controller type='pci' index='0' model='pci-root'>
      <alias name='pci.0'/>
    </controller>
${interfaces}    <input type='tablet' bus='usb'>
      <alias name='input0'/>
    </input>
    <input type='mouse' bus='ps2'/>
    <graphics type='spice' port='5901' autoport='no' listen='0.0.0.0' passwd='a1b2c3d4e5f60718'>
      <listen type='address' address='0.0.0.0'/>
    </graphics>
    <video>
      <model type='qxl' ram='65536' vram='${m.videoVram}' vgamem='16384' heads='1'/>
      <alias name='video0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>
    </video>
    <memballoon model='virtio'>
      <alias name='balloon0'/>
    </memballoon>
  </devices>
  <seclabel type='dynamic' model='dac' relabel='yes'>
    <label>+107:+107</label>
    <imagelabel>+107:+107</imagelabel>
  </seclabel>
</domain>
`;
}

export const OTHER_MACHINE = { machineUuid: '6b0f8f1e-3c3a-4d8e-9a55-0b6f5e0c2d71', machineName: 'db-02' };

export function noIdentities(): Identities {
  return { macs: [], addresses: [] };
}

/**
 * The input of a comparison between a backup and the live machine. The live entries include
 * their own ou=backup history (a newer iteration), as a subtree search of the VM returns it.
 */
export function conflictInput(backup: MachineFixture, live: MachineFixture, options: { liveXml?: string | null; identities?: Identities } = {}): ConflictInput {
  return {
    machineUuid: backup.uuid,
    backupLdif: parseLdif(exportLdif(backup)),
    liveEntries: machineEntries({ ...live, iterations: [...live.iterations, '20261122T030000Z'] }),
    backupXml: domainXml(backup),
    liveXml: options.liveXml === undefined ? domainXml(live) : options.liveXml,
    identities: options.identities ?? noIdentities(),
  };
}
