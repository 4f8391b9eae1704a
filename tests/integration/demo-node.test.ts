import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { DEMO, buildDemoDirectory } from '../../scripts/directory/demo-directory';
import { NOT_RUNNING_TEXT, nodeTreePaths } from '../../scripts/node/node-tree';
import { readDomain } from '../../scripts/node/virsh-state';
import { readIterationView } from '@/lib/inventory/iteration';
import { readIterationFilesOnNode } from '@/lib/inventory/iteration-node-files';
import { readNodes } from '@/lib/inventory/nodes';
import { readMachine } from '@/lib/ldap/machines';
import { qemuImgCheck, qemuImgInfo, readTextFile, virsh } from '@/lib/ssh';

/**
 * The demo node the demo and all suites share: the directory and the node's files agree (the
 * console finds every file where the directory says), and the backups differ from the live
 * machine exactly where the demo says they do, for the restore's conflict tests.
 */
const tree = inject('nodeTree');
const testNode = inject('testNode');
const machine = (name: string) => {
  const m = tree.machines.find((x) => x.name === name);
  if (!m) throw new Error(`no ${name} in the node tree`);
  return m;
};
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** LDIF blocks by DN (the generator writes no wrapped lines). */
function blocks(ldif: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const block of ldif.split(/\n\n+/)) {
    const lines = block.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const dn = lines[0]?.replace(/^dn: /, '');
    if (dn) out.set(dn, lines.slice(1));
  }
  return out;
}

describe('the demo node tree', () => {
  it('lays out the tree under the test node root as the directory points to it', () => {
    expect(nodeTreePaths(testNode.root)).toEqual({
      virtualizationRoot: tree.virtualizationRoot,
      backupRoot: `file://${tree.backupRoot}`,
      retainRoot: `file://${tree.retainRoot}`,
    });
    expect(tree.machines.map((m) => m.name).sort()).toEqual(DEMO.machines.map((m) => m.name).sort());
  });

  it('has every completed iteration where the console looks for it, with the sizes the node reports', { timeout: 120_000 }, async () => {
    let checked = 0;
    for (const m of tree.machines) {
      for (const it of m.iterations) {
        const view = await readIterationView(m.uuid, it.name);
        const onNode = await readIterationFilesOnNode(view);
        if (m.name === 'Legacy ERP, Müller & Söhne') {
          // Its own ou=backup only excludes it, so no backup root applies any more: the console
          // looks in the documented default, where this node has nothing.
          expect(onNode).toMatchObject({ ok: true, folderExists: false });
          continue;
        }
        expect(onNode.ok, `${m.name} ${it.name}`).toBe(true);
        if (!onNode.ok) continue;
        if (it.folder === null) {
          // The backup never reached the retain step (mail-01's failed merge, app-01 snapshotting).
          expect(onNode.folderExists).toBe(false);
          expect(onNode.files.every((f) => !f.onNode.exists)).toBe(true);
          continue;
        }
        expect(onNode.folder).toBe(it.folder);
        expect(onNode.others).toEqual([]);
        expect(onNode.files.map((f) => [f.name, f.onNode.exists && f.onNode.sizeBytes])).toEqual(it.files.map((f) => [f.name, f.sizeBytes]));
        checked += 1;
      }
    }
    const completed = tree.machines.filter((m) => m.name !== 'Legacy ERP, Müller & Söhne').flatMap((m) => m.iterations.filter((i) => i.folder !== null));
    expect(checked).toBe(completed.length);
    expect(checked).toBeGreaterThan(10);
  });

  it('tells the machine chart how large each iteration folder is, in one command', async () => {
    const { readMachineView } = await import('@/lib/inventory/machine');
    const { readIterationSizes } = await import('@/lib/inventory/iteration-sizes');
    const web = machine('web-01');
    const sizes = await readIterationSizes(await readMachineView(web.uuid));
    expect(sizes.ok).toBe(true);
    if (!sizes.ok) return;
    const expected = Object.fromEntries(web.iterations.filter((i) => i.folder !== null).map((i) => [i.name, i.files.reduce((a, f) => a + f.sizeBytes, 0)]));
    expect(sizes.sizes).toEqual(expected);
    // A machine whose backups never reached the backup root has no folder yet: no sizes, no error.
    expect(await readIterationSizes(await readMachineView(machine('new-01').uuid))).toMatchObject({ ok: true, sizes: {} });
  });

  it('makes real qcow2 images the size of the disks, with backups unlike the live image', async () => {
    const web = machine('web-01');
    const [newest] = [...web.iterations].sort((a, b) => b.name.localeCompare(a.name));
    const backupVda = newest.files.find((f) => f.kind === 'disk' && f.disk === 'vda');
    const liveVda = web.liveImages.find((i) => i.disk === 'vda');
    if (!backupVda || !liveVda) throw new Error('web-01 vda missing');
    expect(await qemuImgCheck(DEMO.machines[0].node, backupVda.path)).toMatchObject({ ok: true, format: 'qcow2' });
    expect((await qemuImgInfo(DEMO.machines[0].node, liveVda.path)).virtualSizeBytes).toBe(20 * 1024 ** 3);
    const allImages = tree.machines.flatMap((m) => [...m.liveImages.map((i) => i.path), ...m.iterations.flatMap((i) => i.files.filter((f) => f.kind === 'disk').map((f) => f.path))]);
    expect(new Set(allImages.map(sha)).size).toBe(allImages.length);
  });

  it('gives web-01 a memory (LDIF + XML), description (LDIF only) and video (XML only) difference', async () => {
    const web = machine('web-01');
    const [newest] = [...web.iterations].sort((a, b) => b.name.localeCompare(a.name));
    const file = (kind: string) => newest.files.find((f) => f.kind === kind)?.path ?? '';
    const backupLdif = await readTextFile(web.node, file('ldif'), 1_000_000);
    const backupXml = await readTextFile(web.node, file('xml'), 1_000_000);
    const liveXml = await virsh.dumpXml(web.node, web.uuid);
    const live = await readMachine(web.uuid, []);

    expect(live?.memoryBytes).toBe(4 * 1024 ** 3);
    expect(backupLdif).toMatch(/^sstMemory: 2147483648$/m);
    expect(liveXml).toContain("<memory unit='KiB'>4194304</memory>");
    expect(backupXml).toContain("<memory unit='KiB'>2097152</memory>");

    expect(live?.description).toBe('Public web server, memory raised to 4 GiB for the spring sale');
    expect(backupLdif).toMatch(/^description: Public web server$/m);

    expect(liveXml).toMatch(/<model type='qxl' [^>]*vram='65536'/);
    expect(backupXml).toMatch(/<model type='qxl' [^>]*vram='16384'/);

    // Nothing else differs between the backup XML and the live domain.
    const differing = backupXml.split('\n').filter((line, i) => line !== liveXml.split('\n')[i]);
    expect(differing.map((l) => l.trim().slice(0, 18))).toEqual(["<memory unit='KiB'", "<currentMemory uni", "<model type='qxl' "]);
    expect(readFileSync(file('state')).subarray(0, 16).toString()).toBe('LibvirtQemudSave');
  });

  it('exports the same entries as the live directory, apart from history and the declared differences', () => {
    const live = blocks(buildDemoDirectory(new Date(inject('directoryBuiltAt')), nodeTreePaths(testNode.root)).ldif);
    for (const m of tree.machines) {
      for (const it of m.iterations.filter((i) => i.folder !== null)) {
        const exported = blocks(readFileSync(it.files.find((f) => f.kind === 'ldif')?.path ?? '', 'utf8'));
        const dns = [...exported.keys()];
        expect(dns[0]).toMatch(new RegExp(`^sstVirtualMachine=${m.uuid},`));
        expect(dns[dns.length - 1]).toMatch(new RegExp(`^cn=${m.uuid},ou=virtual machines,cn=`));
        for (const [dn, lines] of exported) {
          if (/^ou=\d{8}T\d{6}Z,ou=backup,/.test(dn)) continue; // iteration leaves are history
          const differs = lines.filter((l) => !(live.get(dn) ?? []).includes(l));
          if (m.name === 'web-01' && dn.startsWith('sstVirtualMachine=')) expect(differs).toEqual(['description: Public web server', 'sstMemory: 2147483648']);
          else expect(differs, `${m.name} ${dn}`).toEqual([]);
        }
        // The iteration being backed up is in the export, in snapshotting.
        expect(exported.get(`ou=${it.name},ou=backup,sstVirtualMachine=${m.uuid},ou=virtual machines,ou=virtualization,ou=services,${DEMO.baseDn}`)).toContain(
          'sstProvisioningMode: snapshotting',
        );
      }
    }
  });

  it('gives shut-off machines the "not running" text and the stand-in their live domains', async () => {
    const tpl = machine('tpl-windows-2022');
    expect(readFileSync(tpl.iterations[0].files.find((f) => f.kind === 'state')?.path ?? '', 'utf8')).toBe(NOT_RUNNING_TEXT);
    expect(NOT_RUNNING_TEXT).toHaveLength(37);
    expect(await virsh.domainState(tpl.node, tpl.uuid)).toBe('shut off');
    expect(await virsh.domainState(machine('web-01').node, machine('web-01').uuid)).toBe('running');
    for (const m of tree.machines) expect(readDomain(testNode.virshStateDir, m.uuid), m.name).toMatchObject({ persistent: true, state: m.running ? 'running' : 'shut off' });
  });

  it('leaves the restore that waits in phase 1 with its small files in the retain folder', () => {
    const tpl = machine('tpl-debian-12');
    const waiting = tpl.iterations.find((i) => i.mode === 'unretainedSmallFiles');
    expect(waiting?.retain?.folder).toBe(`${tree.retainRoot}/vm-templates/${DEMO.storagePools[1].uuid}/${tpl.uuid}/${waiting?.name}`);
    expect(waiting?.retain?.files).toEqual([`${tpl.uuid}.xml.${waiting?.name}`, `${tpl.uuid}.ldif.${waiting?.name}`]);
  });

  it('shows both demo nodes reachable with the usage of the backup and retain folders', async () => {
    const view = await readNodes();
    expect(view.configured).toBe(true);
    expect(view.directories.map((d) => [d.purpose, d.path])).toEqual([
      ['backup root', tree.backupRoot],
      ['retain directory', tree.retainRoot],
    ]);
    expect(view.nodes.map((n) => [n.name, n.reachable, n.endpoint?.source])).toEqual([
      ['node-01.stoney-cloud.org', true, 'NODE_ADDRESSES'],
      ['node-02.stoney-cloud.org', true, 'NODE_ADDRESSES'],
    ]);
    for (const node of view.nodes) expect(node.disks.map((d) => d.ok)).toEqual([true, true]);
  });

  it('supports both restore paths on the stand-in: saved state for web-01, define + start for tpl-windows-2022', async () => {
    const web = machine('web-01');
    const tpl = machine('tpl-windows-2022');
    const liveWeb = readDomain(testNode.virshStateDir, web.uuid);
    const liveTpl = readDomain(testNode.virshStateDir, tpl.uuid);
    if (!liveWeb || !liveTpl) throw new Error('live domains missing');
    const fileOf = (m: typeof web, kind: string) => [...m.iterations].sort((a, b) => b.name.localeCompare(a.name))[0].files.find((f) => f.kind === kind)?.path ?? '';
    const liveXmlFile = (m: typeof web) => `${testNode.root}/live-${m.uuid}.xml`;
    try {
      await virsh.destroy(web.node, web.uuid);
      await virsh.undefine(web.node, web.uuid);
      await virsh.restore(web.node, fileOf(web, 'state'), fileOf(web, 'xml'));
      expect(await virsh.domainState(web.node, web.uuid)).toBe('running');
      expect(await virsh.dumpXml(web.node, web.uuid)).toContain("<memory unit='KiB'>2097152</memory>");

      await virsh.undefine(tpl.node, tpl.uuid);
      await expect(virsh.restore(tpl.node, fileOf(tpl, 'state'), fileOf(tpl, 'xml'))).rejects.toMatchObject({ code: 'command-failed' });
      await virsh.define(tpl.node, fileOf(tpl, 'xml'));
      await virsh.start(tpl.node, tpl.uuid);
      expect(await virsh.domainState(tpl.node, tpl.uuid)).toBe('running');
    } finally {
      // Put the live domains back as they were, for the tests that run after this one.
      for (const [m, live] of [[web, liveWeb], [tpl, liveTpl]] as const) {
        writeFileSync(liveXmlFile(m), live.xml);
        if ((await virsh.domainState(m.node, m.uuid)) === 'running') await virsh.destroy(m.node, m.uuid);
        await virsh.define(m.node, liveXmlFile(m));
        if (live.state === 'running') await virsh.start(m.node, m.uuid);
        rmSync(liveXmlFile(m));
      }
    }
    expect(readDomain(testNode.virshStateDir, web.uuid)).toMatchObject({ xml: liveWeb.xml, state: 'running', persistent: true });
    expect(readDomain(testNode.virshStateDir, tpl.uuid)).toMatchObject({ xml: liveTpl.xml, state: 'shut off', persistent: true });
  });
});
