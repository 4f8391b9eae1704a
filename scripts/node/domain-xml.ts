/**
 * libvirt domain XML for a demo machine, built from the same description as its directory
 * entries (as the VM-Manager builds it from LDAP), so that the live domain, the backup's .xml
 * and the directory agree except where MachineSpec.atBackup says they differ. The domain name
 * is the machine UUID, as in every stoney cloud.
 */
import { diskSourceFile, machineAtBackup, type CloudSpec, type MachineSpec } from '../directory/cloud-ldif';

function xml(value: string | number): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

export function domainXml(spec: CloudSpec, machine: MachineSpec, options: { atBackup?: boolean } = {}): string {
  const m = options.atBackup ? machineAtBackup(machine) : machine;
  const node = spec.nodes.find((n) => n.fqdn === m.node);
  const windows = m.os === 'windows';
  const memoryKiB = Math.round(m.memoryBytes / 1024);
  const lines = [
    "<domain type='kvm'>",
    `  <name>${xml(m.uuid)}</name>`,
    `  <uuid>${xml(m.uuid)}</uuid>`,
    `  <memory unit='KiB'>${memoryKiB}</memory>`,
    `  <currentMemory unit='KiB'>${memoryKiB}</currentMemory>`,
    `  <vcpu placement='static'>${m.vcpu}</vcpu>`,
    '  <os>',
    "    <type arch='x86_64' machine='pc'>hvm</type>",
    "    <boot dev='hd'/>",
    '  </os>',
    '  <features>',
    '    <acpi/>',
    '    <apic/>',
    '    <pae/>',
    ...(windows
      ? [
          '    <hyperv>',
          "      <relaxed state='on'/>",
          "      <vapic state='on'/>",
          "      <spinlocks state='on' retries='8191'/>",
          '    </hyperv>',
        ]
      : []),
    '  </features>',
    `  <clock offset='${windows ? 'localtime' : 'utc'}'/>`,
    '  <on_poweroff>destroy</on_poweroff>',
    '  <on_reboot>restart</on_reboot>',
    '  <on_crash>destroy</on_crash>',
    '  <devices>',
    '    <emulator>/usr/bin/qemu-kvm</emulator>',
  ];
  for (const d of m.disks) {
    if (d.device === 'disk') {
      lines.push(
        "    <disk type='file' device='disk'>",
        "      <driver name='qemu' type='qcow2' cache='writeback'/>",
        `      <source file='${xml(diskSourceFile(spec, m, d))}'/>`,
        `      <target dev='${xml(d.target)}' bus='virtio'/>`,
        '    </disk>',
      );
    } else {
      lines.push(
        "    <disk type='file' device='cdrom'>",
        "      <driver name='qemu' type='raw'/>",
        `      <source file='${xml(d.isoFile ?? '')}'/>`,
        `      <target dev='${xml(d.target)}' bus='ide'/>`,
        '      <readonly/>',
        '    </disk>',
      );
    }
  }
  lines.push(
    "    <interface type='bridge'>",
    `      <mac address='${xml(m.mac)}'/>`,
    `      <source bridge='${xml(spec.network.bridge)}'/>`,
    "      <model type='virtio'/>",
    '    </interface>',
    `    <graphics type='spice' port='${m.spicePort}' autoport='no' listen='${xml(node?.ip.pub ?? '0.0.0.0')}'>`,
    `      <listen type='address' address='${xml(node?.ip.pub ?? '0.0.0.0')}'/>`,
    '    </graphics>',
    '    <video>',
    `      <model type='qxl' ram='65536' vram='${m.videoVramKiB ?? 65536}' vgamem='16384' heads='1' primary='yes'/>`,
    '    </video>',
    "    <memballoon model='virtio'/>",
    '  </devices>',
    '</domain>',
    '',
  );
  return lines.join('\n');
}
