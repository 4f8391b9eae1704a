import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { iterationFolder } from '@/lib/backup/iteration-files';
import {
  copyFile,
  listDirectory,
  makeDirectory,
  moveFile,
  qemuImgCheck,
  readTextFile,
  removeTree,
  runOnNode,
  statPaths,
  virsh,
  writeTextFile,
} from '@/lib/ssh';

/**
 * Values from the directory or a form that are hostile to a shell never reach it unquoted.
 * Every value below would, if a shell interpreted it, create a marker file or delete the
 * canary in the node user's home folder (the folder node commands start in; this machine is
 * the node). The values contain no slash, so each is also a valid single file name. After
 * every operation on files named that way, nothing happened, and the files were handled by
 * their literal names.
 */
const NODE = 'node-02.stoney-cloud.org';
const testNode = inject('testNode');
const id = `${process.pid}-${Date.now()}`;
const names = { markers: ['a', 'b', 'c', 'd'].map((x) => `pwned-${id}-${x}`), canary: `canary-${id}` };

const HOSTILE = [
  `disk $(touch ${names.markers[0]}).qcow2`,
  `vm\`touch ${names.markers[1]}\`;rm -rf ${names.canary};x`,
  `it's "quoted" & | > < * ? [a] {b,c} ~ #`,
  `line1\nline2; touch ${names.markers[2]}`,
  `${'$'}{IFS}touch${'$'}{IFS}${names.markers[3]}`,
  '-rf',
  ' leading space and trailing ',
];

const sandbox = join(testNode.root, 'sandbox', 'hostile');
let home: string;
let markers: string[];
let canary: string;

function noSideEffects(): void {
  for (const m of markers) expect(existsSync(m), m).toBe(false);
  expect(readFileSync(canary, 'utf8')).toBe('still here');
}

beforeAll(async () => {
  home = (await runOnNode(NODE, ['pwd'])).stdout.trim();
  markers = names.markers.map((m) => join(home, m));
  canary = join(home, names.canary);
  rmSync(sandbox, { recursive: true, force: true });
  mkdirSync(sandbox, { recursive: true });
  writeFileSync(canary, 'still here');
});

afterAll(() => {
  for (const m of markers ?? []) rmSync(m, { force: true });
  if (canary) rmSync(canary, { force: true });
  rmSync(sandbox, { recursive: true, force: true });
});

describe('hostile values', () => {
  it('pass through a command unchanged, one argument each', async () => {
    const result = await runOnNode(NODE, ['printf', '%s\\0', ...HOSTILE]);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE);
    noSideEffects();
  });

  it('are literal file and folder names for every file operation', async () => {
    // Nested folders named with every hostile value, one file per value in the deepest.
    const folder = join(sandbox, ...HOSTILE);
    const files = HOSTILE.map((name) => join(folder, name));
    await makeDirectory(NODE, folder, { under: sandbox, mode: '750' });
    for (const [i, file] of files.entries()) {
      await writeTextFile(NODE, file, `content of ${HOSTILE[i]}`, { under: sandbox });
      expect(readFileSync(file, 'utf8')).toBe(`content of ${HOSTILE[i]}`);
    }
    expect(await readTextFile(NODE, files[1], 10_000)).toBe(`content of ${HOSTILE[1]}`);
    expect(await readTextFile(NODE, files[1], 10_000, { under: sandbox })).toBe(`content of ${HOSTILE[1]}`);
    const stats = await statPaths(NODE, files);
    expect(stats.map((s) => s.exists && s.sizeBytes)).toEqual(HOSTILE.map((name) => Buffer.byteLength(`content of ${name}`)));
    for (const file of files.slice(0, 3)) {
      await copyFile(NODE, file, `${file}.copy`, { sourceRoot: sandbox, destinationRoot: sandbox, pollMs: 50 });
      await moveFile(NODE, `${file}.copy`, `${file}.moved`, { sourceRoot: sandbox, destinationRoot: sandbox });
      expect(readFileSync(`${file}.moved`, 'utf8')).toBe(readFileSync(file, 'utf8'));
    }
    const listing = await listDirectory(NODE, folder);
    expect(listing.exists && listing.entries.map((e) => e.name).sort()).toEqual(
      [...HOSTILE, ...HOSTILE.slice(0, 3).map((n) => `${n}.moved`)].sort(),
    );
    expect((await qemuImgCheck(NODE, files[0])).ok).toBe(false);
    expect(await removeTree(NODE, join(sandbox, HOSTILE[0]), { under: sandbox })).toEqual({ removed: true });
    expect(readdirSync(sandbox)).toEqual([]);
    noSideEffects();
  });

  it('are literal paths when they come from the directory (backup root, disk source file)', async () => {
    const backupRoot = join(sandbox, HOSTILE[0]);
    const virtualizationRoot = join(sandbox, HOSTILE[1]);
    const files = iterationFolder({
      backupRoot: `file://${backupRoot}`,
      virtualizationRoot,
      disks: [{ target: 'vda', device: 'disk', sourceFile: `${virtualizationRoot}/vm-persistent/${HOSTILE[3]}/${HOSTILE[4]}.qcow2` }],
      machineUuid: 'dba52a0a-45ce-4371-9b8f-f49652b9d1f1',
      iteration: '20240312T030000Z',
    });
    expect(files.ok).toBe(true);
    if (!files.ok) return;
    const paths = files.files.map((f) => join(files.folder, f.name));
    expect((await statPaths(NODE, paths)).every((s) => !s.exists)).toBe(true);
    await makeDirectory(NODE, files.folder, { under: sandbox });
    await writeTextFile(NODE, paths[0], '<domain/>', { under: backupRoot });
    expect((await statPaths(NODE, paths)).map((s) => s.exists)).toEqual([true, false, false, false]);
    expect(existsSync(paths[0])).toBe(true);
    await removeTree(NODE, backupRoot, { under: sandbox });
    noSideEffects();
  });

  it('reach virsh as single arguments', async () => {
    const xml = join(sandbox, `domain ${HOSTILE[0]} ${HOSTILE[1]}.xml`);
    writeFileSync(
      xml,
      "<domain type='kvm'>\n  <name>hostile-test</name>\n  <uuid>7d1f0c2e-0000-4000-8000-00000000beef</uuid>\n</domain>\n",
    );
    await virsh.define(NODE, xml);
    expect(await virsh.domainState(NODE, '7d1f0c2e-0000-4000-8000-00000000beef')).toBe('shut off');
    await virsh.undefine(NODE, '7d1f0c2e-0000-4000-8000-00000000beef');
    const calls = readFileSync(join(testNode.virshStateDir, 'calls.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { args: string[] });
    expect(calls.some((c) => c.args.includes(xml))).toBe(true);
    await expect(virsh.start(NODE, '7d1f0c2e-0000-4000-8000-00000000beef; id')).rejects.toMatchObject({ code: 'invalid-input' });
    noSideEffects();
  });

  it('refuses .. paths and NUL before anything runs', async () => {
    writeFileSync(join(sandbox, 'kept'), 'x');
    const before = readdirSync(sandbox);
    const escape = `${sandbox}/../../etc/passwd`;
    await expect(statPaths(NODE, [escape])).rejects.toMatchObject({ code: 'unsafe-path' });
    await expect(readTextFile(NODE, escape, 100)).rejects.toMatchObject({ code: 'unsafe-path' });
    await expect(copyFile(NODE, canary, `${sandbox}/../canary-copy`, { sourceRoot: home, destinationRoot: sandbox })).rejects.toMatchObject(
      { code: 'unsafe-path' },
    );
    await expect(moveFile(NODE, canary, `${sandbox}/x/../../moved`, { sourceRoot: home, destinationRoot: sandbox })).rejects.toMatchObject({
      code: 'unsafe-path',
    });
    await expect(writeTextFile(NODE, `${sandbox}/../written`, 'x', { under: sandbox })).rejects.toMatchObject({ code: 'unsafe-path' });
    await expect(makeDirectory(NODE, 'relative/folder', { under: sandbox })).rejects.toMatchObject({ code: 'unsafe-path' });
    await expect(removeTree(NODE, `${sandbox}/../..`, { under: sandbox })).rejects.toMatchObject({ code: 'unsafe-path' });
    await expect(virsh.define(NODE, `${sandbox}/../domain.xml`)).rejects.toMatchObject({ code: 'unsafe-path' });
    await expect(runOnNode(NODE, ['echo', 'a\0b'])).rejects.toMatchObject({ code: 'invalid-input' });
    expect(readdirSync(sandbox)).toEqual(before);
    expect(existsSync(join(testNode.root, 'sandbox', 'canary-copy'))).toBe(false);
    noSideEffects();
  });

  it('prove the markers would have worked if a shell had interpreted them', () => {
    // Guards the test itself: the same strings, given to a shell as code, do create the marker.
    execFileSync('sh', ['-c', `echo ${HOSTILE[0]}`], { stdio: 'ignore', cwd: home });
    expect(existsSync(markers[0])).toBe(true);
    rmSync(markers[0]);
  });
});
