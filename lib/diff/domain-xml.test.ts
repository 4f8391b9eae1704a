import { describe, expect, it } from 'vitest';
import { DomainXmlError, readDomain, setDomainSettings } from './domain-xml';
import { domainXml, machine, MACHINE_UUID, STORAGE_POOL_UUID } from '../../tests/fixtures/diff-machine';
import { parseXml, serializeXml } from './xml';

describe('readDomain', () => {
  it('reads the settings the directory also keeps', () => {
    const settings = readDomain(parseXml(domainXml(machine())));
    expect(settings).toEqual({
      name: MACHINE_UUID,
      uuid: MACHINE_UUID,
      title: 'web-01',
      memoryBytes: 2 * 1024 ** 3,
      currentMemoryBytes: 2 * 1024 ** 3,
      vcpu: 2,
      disks: [
        {
          target: 'vda',
          device: 'disk',
          type: 'file',
          bus: 'virtio',
          sourceAttribute: 'file',
          source: `/var/virtualization/vm-persistent/${STORAGE_POOL_UUID}/5b1cbb2c-7d57-4f70-8ad1-0e4fd1b9bb4c.qcow2`,
          sourceProtocol: null,
          driverType: 'qcow2',
        },
        expect.objectContaining({ target: 'vdb', device: 'disk' }),
      ],
      interfaces: [{ position: 0, type: 'bridge', mac: '52:54:00:1a:2b:3c', bridge: 'vmbr0', model: 'virtio' }],
    });
  });

  it('converts every memory unit libvirt knows, with KiB as the default', () => {
    const memory = (unit: string | null, amount: string) => {
      const attr = unit === null ? '' : ` unit='${unit}'`;
      return readDomain(parseXml(`<domain><memory${attr}>${amount}</memory></domain>`)).memoryBytes;
    };
    expect(memory(null, '1024')).toBe(1024 ** 2);
    expect(memory('KiB', '1024')).toBe(1024 ** 2);
    expect(memory('k', '1024')).toBe(1024 ** 2);
    expect(memory('KB', '1000')).toBe(1000 ** 2);
    expect(memory('b', '4096')).toBe(4096);
    expect(memory('bytes', '4096')).toBe(4096);
    expect(memory('MiB', '2048')).toBe(2 * 1024 ** 3);
    expect(memory('M', '2048')).toBe(2 * 1024 ** 3);
    expect(memory('MB', '2')).toBe(2_000_000);
    expect(memory('GiB', '4')).toBe(4 * 1024 ** 3);
    expect(memory('gb', '4')).toBe(4_000_000_000);
    expect(memory('TiB', '1')).toBe(1024 ** 4);
    expect(() => memory('parsecs', '1')).toThrow(DomainXmlError);
    expect(() => memory('KiB', '1.5')).toThrow(/not a size libvirt accepts/);
  });

  it('reads network disks by name and cdroms without a source', () => {
    const xml = `<domain><devices>
      <disk type='network' device='disk'><source protocol='gluster' name='virtualization/vm-persistent/p/v.qcow2'><host name='s1' port='24007'/></source><target dev='vda' bus='virtio'/></disk>
      <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
    </devices></domain>`;
    const { disks } = readDomain(parseXml(xml));
    expect(disks[0]).toMatchObject({
      target: 'vda',
      sourceAttribute: 'name',
      source: 'virtualization/vm-persistent/p/v.qcow2',
      sourceProtocol: 'gluster',
    });
    expect(disks[1]).toMatchObject({ target: 'hdc', device: 'cdrom', source: null });
  });

  it('refuses what is not a domain or not readable', () => {
    expect(() => readDomain(parseXml('<network/>'))).toThrow(/not a libvirt <domain>/);
    expect(() => readDomain(parseXml('<domain><vcpu>two</vcpu></domain>'))).toThrow(/whole number/);
    expect(() => readDomain(parseXml('<domain><devices><disk/></devices></domain>'))).toThrow(/target/);
  });
});

describe('setDomainSettings', () => {
  it('returns a changed copy and leaves the input alone', () => {
    const original = domainXml(machine());
    const doc = parseXml(original);
    const changed = setDomainSettings(doc, {
      title: 'web-02',
      memoryBytes: 4 * 1024 ** 3,
      currentMemoryBytes: 3 * 1024 ** 3 + 512,
      vcpu: 4,
      diskSources: { vdb: '/var/virtualization/vm-persistent/x/new.qcow2' },
      interfaceMacs: { 0: '52:54:00:ff:ee:dd' },
    });
    expect(serializeXml(doc)).toBe(original);
    const out = serializeXml(changed);
    expect(out).toContain("<memory unit='KiB'>4194304</memory>");
    expect(out).toContain(`<currentMemory unit='b'>${3 * 1024 ** 3 + 512}</currentMemory>`);
    expect(out).toContain("<vcpu placement='static'>4</vcpu>");
    expect(out).toContain("<source file='/var/virtualization/vm-persistent/x/new.qcow2'/>");
    expect(out).toContain("<mac address='52:54:00:ff:ee:dd'/>");
    expect(out).toContain('<title>web-02</title>');
    const settings = readDomain(changed);
    expect(settings.memoryBytes).toBe(4 * 1024 ** 3);
    expect(settings.currentMemoryBytes).toBe(3 * 1024 ** 3 + 512);
    expect(out.split('\n').length).toBe(original.split('\n').length);
  });

  it('creates missing elements and refuses unknown disks and interfaces', () => {
    const doc = parseXml(`<domain>\n  <name>x</name>\n</domain>\n`);
    expect(serializeXml(setDomainSettings(doc, { memoryBytes: 1024 ** 3, vcpu: 1 }))).toBe(
      "<domain>\n  <name>x</name>\n  <memory unit='KiB'>1048576</memory>\n  <vcpu>1</vcpu>\n</domain>\n",
    );
    expect(() => setDomainSettings(doc, { diskSources: { vdz: '/x' } })).toThrow(/no disk with target vdz/);
    expect(() => setDomainSettings(doc, { interfaceMacs: { 3: '52:54:00:00:00:01' } })).toThrow(/no interface at position 3/);
  });
});
