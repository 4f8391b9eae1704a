import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ignoreShutdown, readVirshCalls } from '../../scripts/node/virsh-state';
import { virsh } from '@/lib/ssh';

/**
 * The console's virsh module against the test node's stand-in: the life cycle of a domain as
 * the restore drives it, with libvirt's refusals, and the call log the restore tests read.
 */
const NODE = 'node-01.stoney-cloud.org';
const testNode = inject('testNode');
const sandbox = join(testNode.root, 'sandbox', 'virsh');
const uuid = randomUUID();
const image = join(sandbox, 'disk.qcow2');
const xmlPath = join(sandbox, 'domain.xml');
const domainXml = (memoryKiB: number) =>
  [
    "<domain type='kvm'>",
    `  <name>${uuid}</name>`,
    `  <uuid>${uuid}</uuid>`,
    `  <memory unit='KiB'>${memoryKiB}</memory>`,
    '  <devices>',
    "    <disk type='file' device='disk'>",
    `      <source file='${image}'/>`,
    "      <target dev='vda' bus='virtio'/>",
    '    </disk>',
    "    <disk type='file' device='cdrom'>",
    "      <source file='/no/such/installer.iso'/>",
    '    </disk>',
    '  </devices>',
    '</domain>',
    '',
  ].join('\n');

beforeAll(() => {
  rmSync(sandbox, { recursive: true, force: true });
  mkdirSync(sandbox, { recursive: true });
  writeFileSync(image, 'image');
  writeFileSync(xmlPath, domainXml(1048576));
});

afterAll(() => {
  rmSync(join(testNode.virshStateDir, 'domains', uuid), { recursive: true, force: true });
  rmSync(sandbox, { recursive: true, force: true });
});

describe('the virsh stand-in, driven through lib/ssh', () => {
  it('defines, starts, shuts down, destroys and undefines like libvirt', async () => {
    const since = new Date();
    expect(await virsh.domainState(NODE, uuid)).toBe('undefined');
    await virsh.define(NODE, xmlPath);
    expect(await virsh.domainState(NODE, uuid)).toBe('shut off');
    expect(await virsh.dumpXml(NODE, uuid)).toBe(domainXml(1048576));
    await virsh.start(NODE, uuid);
    expect(await virsh.domainState(NODE, uuid)).toBe('running');
    expect(await virsh.listDomains(NODE)).toContainEqual({ id: expect.any(Number), name: uuid, state: 'running' });
    await expect(virsh.start(NODE, uuid)).rejects.toMatchObject({
      code: 'command-failed',
      message: expect.stringMatching(/domain is already running/),
    });
    await virsh.shutdown(NODE, uuid);
    expect(await virsh.waitForDomainState(NODE, uuid, ['shut off'], { timeoutMs: 2000, pollMs: 100 })).toBe('shut off');
    await expect(virsh.destroy(NODE, uuid)).rejects.toMatchObject({ message: expect.stringMatching(/domain is not running/) });
    await virsh.undefine(NODE, uuid);
    expect(await virsh.domainState(NODE, uuid)).toBe('undefined');

    const calls = readVirshCalls(testNode.virshStateDir, since).filter((c) => c.args.includes(uuid) || c.args.includes(xmlPath));
    expect(calls.map((c) => c.args.filter((a) => a !== '-c' && a !== 'qemu:///system')[0])).toEqual([
      'domstate',
      'define',
      'domstate',
      'dumpxml',
      'start',
      'domstate',
      'start',
      'shutdown',
      'domstate',
      'destroy',
      'undefine',
      'domstate',
    ]);
    expect(calls[1].args).toEqual(['-c', 'qemu:///system', 'define', xmlPath]);
  });

  it('lets a guest ignore shutdown, so a bounded wait ends in destroy', async () => {
    await virsh.define(NODE, xmlPath);
    await virsh.start(NODE, uuid);
    ignoreShutdown(testNode.virshStateDir, uuid);
    await virsh.shutdown(NODE, uuid);
    const started = Date.now();
    expect(await virsh.waitForDomainState(NODE, uuid, ['shut off'], { timeoutMs: 600, pollMs: 100 })).toBe('running');
    expect(Date.now() - started).toBeLessThan(3000);
    await virsh.destroy(NODE, uuid);
    expect(await virsh.domainState(NODE, uuid)).toBe('shut off');
    ignoreShutdown(testNode.virshStateDir, uuid, false);
  });

  it('refuses to start or restore without the disk images', async () => {
    rmSync(image);
    await expect(virsh.start(NODE, uuid)).rejects.toMatchObject({
      message: expect.stringMatching(/Cannot access storage file '.*disk\.qcow2'/),
    });
    writeFileSync(image, 'image');
  });

  it('restores from a save image with --xml, and refuses the "not running" text', async () => {
    await virsh.undefine(NODE, uuid);
    const notRunning = join(sandbox, 'vm.state.not-running');
    writeFileSync(notRunning, 'Machine is not runnung, no state file');
    await expect(virsh.restore(NODE, notRunning, xmlPath)).rejects.toMatchObject({
      code: 'command-failed',
      message: expect.stringMatching(/failed to read qemu header/),
    });
    await expect(virsh.restore(NODE, join(sandbox, 'missing.state'), xmlPath)).rejects.toMatchObject({
      message: expect.stringMatching(/No such file/),
    });

    const state = join(sandbox, 'vm.state');
    writeFileSync(state, Buffer.concat([Buffer.from(`LibvirtQemudSave\n${domainXml(1048576)}`), Buffer.alloc(64, 7)]));
    const resolvedXml = join(sandbox, 'resolved.xml');
    writeFileSync(resolvedXml, domainXml(2097152));
    await virsh.restore(NODE, state, resolvedXml);
    expect(await virsh.domainState(NODE, uuid)).toBe('running');
    expect(await virsh.dumpXml(NODE, uuid)).toContain("<memory unit='KiB'>2097152</memory>");
    // Restored without a definition, the domain is transient until defined, as with libvirt.
    await expect(virsh.undefine(NODE, uuid)).rejects.toMatchObject({ message: expect.stringMatching(/cannot undefine transient domain/) });
    await virsh.define(NODE, resolvedXml);
    await virsh.undefine(NODE, uuid);
    expect(await virsh.domainState(NODE, uuid)).toBe('running');
    await virsh.destroy(NODE, uuid);
    expect(await virsh.domainState(NODE, uuid)).toBe('undefined');

    const other = join(sandbox, 'other.xml');
    writeFileSync(other, domainXml(1).replaceAll(uuid, randomUUID()));
    await expect(virsh.restore(NODE, state, other)).rejects.toMatchObject({ message: expect.stringMatching(/belongs to domain/) });
    expect(existsSync(join(testNode.virshStateDir, 'domains', uuid))).toBe(false);
  });

  it('never deletes storage through libvirt', async () => {
    await virsh.define(NODE, xmlPath);
    const result = await import('@/lib/ssh').then((m) => m.runOnNode(NODE, ['virsh', 'undefine', uuid, '--remove-all-storage']));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refuses --remove-all-storage/);
    expect(readFileSync(image, 'utf8')).toBe('image');
    await virsh.undefine(NODE, uuid);
  });
});
