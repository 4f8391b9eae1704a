import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { directoryEntry, domainOf, replaceAttribute, restoreWorldForFile, treeMachine, withDirectoryClient } from './restore-world';
import { sha256 } from '../support/file-snapshot';
import { DEMO } from '../../scripts/directory/demo-directory';

// The actions run exactly as in the console, signed in as the demo administrator; only the browser and Next's cache are stand-ins.
vi.mock('next/headers', () => import('../support/next-headers'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined }));
// A restore runs dozens of commands on the node, each a round trip that a busy machine makes slow.
vi.setConfig({ testTimeout: 120_000 });

/**
 * A whole restore of a machine whose disk images have hostile file names and whose display
 * name is hostile, as the directory and the domain XML hold them, against the real sshd: a
 * shell that interpreted any of them would create a marker file.
 */
const world = restoreWorldForFile({ signedInAs: DEMO.logins.admin });
let markers: string;
const hostileName = () => `web-01 "prod"; $(touch ${markers}/display) \`touch ${markers}/display2\` | x & y *`;
// A file name cannot hold "/", so these markers would land in the node user's home folder.
const token = `pwned-${process.pid}`;
const hostileFile = (volume: string) => `${volume} it's "odd"; $(cd;touch ${token}-disk) \`cd;touch ${token}-disk2\` | x & y *.qcow2`;

const xmlAttribute = (v: string) =>
  v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');

beforeAll(() => {
  markers = mkdtempSync(join(tmpdir(), 'restore-markers-'));
});

afterAll(() => {
  rmSync(markers, { recursive: true, force: true });
});

async function diskEntries(uuid: string): Promise<{ dn: string; source: string }[]> {
  return withDirectoryClient(world, async (client) => {
    const { searchEntries } = await client.search(world.dn.machine(uuid), {
      scope: 'sub',
      filter: '(objectClass=sstVirtualizationVirtualMachineDisk)',
      attributes: ['sstSourceFile'],
    });
    return searchEntries.filter((e) => e.sstSourceFile).map((e) => ({ dn: e.dn, source: String(e.sstSourceFile) }));
  });
}

/** Moves web-01's images to hostile names everywhere the machine's files and entries name them, as if it had always lived there. */
async function makeWebHostile() {
  const machine = treeMachine(world, 'web-01');
  const uuid = machine.uuid;
  const moves = (await diskEntries(uuid)).map((d) => {
    const volume = d.source.slice(d.source.lastIndexOf('/') + 1).replace(/\.qcow2$/, '');
    return { ...d, to: join(dirname(d.source), hostileFile(volume)) };
  });
  const rewrite = (path: string, escape: (v: string) => string) => {
    let text = readFileSync(path, 'utf8');
    for (const m of new Map(moves.map((x) => [x.source, x])).values()) text = text.split(m.source).join(escape(m.to));
    writeFileSync(path, text);
  };
  for (const m of moves) {
    if (existsSync(m.source)) renameSync(m.source, m.to);
    await replaceAttribute(world, m.dn, 'sstSourceFile', [m.to]);
  }
  rewrite(join(world.node.node.virshStateDir, 'domains', uuid, 'domain.xml'), xmlAttribute);
  const iterations = machine.iterations;
  for (const iteration of iterations) {
    for (const file of iteration.files) {
      if (file.kind === 'xml') rewrite(file.path, xmlAttribute);
      if (file.kind === 'ldif') rewrite(file.path, (v) => v);
      if (file.kind === 'disk') {
        const move = moves.find((m) => m.source.endsWith(`/${file.name.slice(0, -(iteration.name.length + 1))}`));
        if (!move) throw new Error(`no move for ${file.name}`);
        const to = join(dirname(file.path), `${move.to.slice(move.to.lastIndexOf('/') + 1)}.${iteration.name}`);
        renameSync(file.path, to);
        file.path = to;
      }
    }
  }
  await replaceAttribute(world, world.dn.machine(uuid), 'sstDisplayName', [hostileName()]);
  return { uuid, moves, iterations };
}

describe('hostile values from the directory in a whole restore', () => {
  it('are literal file names and values all the way, and nothing a shell would run ever runs', async () => {
    const { startRestoreAction, resolveConflictsAction, confirmRestoreAction } =
      await import('@/app/(console)/machines/[uuid]/restore/[iteration]/actions');
    const { loadPreflight, loadConflicts, readRestoreStatus, iterationRef } = await import('@/lib/restore/service');
    const { settle } = await import('@/lib/restore/runner');
    const web = await makeWebHostile();
    const chosen = web.iterations[0];
    const ref = iterationRef(web.uuid, chosen.name);

    expect((await loadPreflight(ref)).checks.filter((c) => !c.ok)).toEqual([]);
    expect(await startRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    const conflicts = await loadConflicts(ref);
    const displayName = conflicts.conflicts.find((c) => c.label.toLowerCase().includes('name'));
    expect(displayName?.live).toContain('$(touch');
    const decisions = Object.fromEntries(
      conflicts.conflicts.map((c) => [c.id, { choice: c === displayName ? ('live' as const) : ('backup' as const) }]),
    );
    // A typed value with a newline cannot be written to the directory or the XML: refused, in words.
    const typed = await resolveConflictsAction({
      uuid: web.uuid,
      iteration: chosen.name,
      decisions: { ...decisions, 'ldap:vm:description': { choice: 'value', value: 'first line\n$(touch x)' } },
    });
    expect(typed).toMatchObject({ ok: false, fieldErrors: { 'ldap:vm:description': expect.stringMatching(/one line/) } });
    expect(await resolveConflictsAction({ uuid: web.uuid, iteration: chosen.name, decisions })).toEqual({ ok: true, data: null });
    expect(await confirmRestoreAction({ uuid: web.uuid, iteration: chosen.name })).toEqual({ ok: true, data: null });
    await settle();

    const status = await readRestoreStatus(ref);
    expect(status.view.failure).toBeNull();
    expect(status.view.stage).toBe('finished');
    for (const move of web.moves) {
      const backup = chosen.files.find((f) => f.kind === 'disk' && f.path.includes(move.to.slice(move.to.lastIndexOf('/') + 1)));
      expect(backup).toBeDefined();
      expect(sha256(move.to)).toBe(sha256(backup!.path));
    }
    expect((await diskEntries(web.uuid)).map((d) => d.source).sort()).toEqual(web.moves.map((m) => m.to).sort());
    expect((await directoryEntry(world, world.dn.machine(web.uuid)))?.sstDisplayName).toEqual([hostileName()]);
    expect(domainOf(world, web.uuid)).toMatchObject({ state: 'running' });
    expect(domainOf(world, web.uuid)?.xml).toContain(xmlAttribute(web.moves[0].to));
    for (const marker of ['display', 'display2']) expect(existsSync(join(markers, marker)), marker).toBe(false);
    for (const marker of ['disk', 'disk2']) expect(existsSync(join(homedir(), `${token}-${marker}`)), marker).toBe(false);
  });

  it('refuses a disk path with .. before anything runs on the node', async () => {
    const { startRestoreAction } = await import('@/app/(console)/machines/[uuid]/restore/[iteration]/actions');
    const db = treeMachine(world, 'db-01');
    const iteration = db.iterations[0];
    const [disk] = await diskEntries(db.uuid);
    const sneaky = `${dirname(disk.source)}/../../../../etc/${disk.source.slice(disk.source.lastIndexOf('/') + 1)}`;
    await replaceAttribute(world, disk.dn, 'sstSourceFile', [sneaky]);
    try {
      const result = await startRestoreAction({ uuid: db.uuid, iteration: iteration.name });
      expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/\.\./) });
      const entry = await directoryEntry(world, world.dn.iteration(db.uuid, iteration.name));
      expect(entry?.sstProvisioningMode).toEqual(['finished']);
    } finally {
      await replaceAttribute(world, disk.dn, 'sstSourceFile', [disk.source]);
    }
  });
});
