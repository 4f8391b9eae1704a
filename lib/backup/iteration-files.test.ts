import { describe, expect, it } from 'vitest';
import { fileUrlToPath, iterationFolder } from './iteration-files';

const vm = 'bdd640fb-0667-4ad1-9c80-317fa3b1799d';
const sp = '0f83f084-8080-413e-b558-b678e504836e';

describe('iterationFolder', () => {
  it('derives the folder from the first disk and lists every file', () => {
    const result = iterationFolder({
      backupRoot: 'file:///var/backup/virtualization',
      virtualizationRoot: '/var/virtualization',
      disks: [
        { target: 'vda', device: 'disk', sourceFile: `/var/virtualization/vm-persistent/${sp}/a.qcow2` },
        { target: 'hdc', device: 'cdrom', sourceFile: '/var/virtualization/iso/x.iso' },
        { target: 'vdb', device: 'disk', sourceFile: `/var/virtualization/vm-persistent/${sp}/b.qcow2` },
      ],
      machineUuid: vm,
      iteration: '20261121T030000Z',
    });
    expect(result).toEqual({
      ok: true,
      folder: `/var/backup/virtualization/vm-persistent/${sp}/${vm}/20261121T030000Z`,
      intermediate: `vm-persistent/${sp}/${vm}/20261121T030000Z`,
      files: [
        { name: `${vm}.xml.20261121T030000Z`, kind: 'xml' },
        { name: `${vm}.ldif.20261121T030000Z`, kind: 'ldif' },
        { name: `${vm}.state.20261121T030000Z`, kind: 'state' },
        { name: 'a.qcow2.20261121T030000Z', kind: 'disk', disk: 'vda' },
        { name: 'b.qcow2.20261121T030000Z', kind: 'disk', disk: 'vdb' },
      ],
    });
  });

  it('refuses what the daemon cannot handle', () => {
    const base = { virtualizationRoot: '/var/virtualization', machineUuid: vm, iteration: '20261121T030000Z' };
    const disks = [{ target: 'vda', device: 'disk', sourceFile: '/srv/images/a.qcow2' }];
    expect(iterationFolder({ ...base, backupRoot: 'file:///b', disks }).ok).toBe(false);
    expect(iterationFolder({ ...base, backupRoot: 'nfs://host/b', disks: [] }).ok).toBe(false);
    expect(iterationFolder({ ...base, backupRoot: undefined, disks: [] }).ok).toBe(false);
  });

  it('parses only absolute file URLs without ..', () => {
    expect(fileUrlToPath('file:///var/backup/')).toBe('/var/backup');
    expect(fileUrlToPath('file:///var/../etc')).toBeNull();
    expect(fileUrlToPath('/var/backup')).toBeNull();
  });
});
