import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  checkConfined,
  copyFile,
  diskUsage,
  listDirectory,
  makeDirectory,
  moveFile,
  nodeStatus,
  observeNodeCommands,
  qemuImgCheck,
  qemuImgInfo,
  readTextFile,
  removeTree,
  statPaths,
  writeTextFile,
} from '@/lib/ssh';

/**
 * The node operations the restore needs, for real: a real sshd, real coreutils and qemu-img on
 * the "node" (this machine), in a sandbox folder of the shared test node's tree. The node's
 * files are also this machine's files, so the tests check results with node:fs.
 */
const NODE = 'node-01.stoney-cloud.org';
const testNode = inject('testNode');
const sandbox = join(testNode.root, 'sandbox', 'operations');
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const roots = { sourceRoot: sandbox, destinationRoot: sandbox };

beforeAll(() => {
  rmSync(sandbox, { recursive: true, force: true });
  mkdirSync(sandbox, { recursive: true });
});

afterAll(() => {
  rmSync(sandbox, { recursive: true, force: true });
});

describe('reading what is on a node', () => {
  it('stats files, folders and links in order, flagging missing ones instead of failing', async () => {
    const file = join(sandbox, 'state.20240312T030000Z');
    writeFileSync(file, 'x'.repeat(1234));
    utimesSync(file, new Date('2024-03-12T03:04:05Z'), new Date('2024-03-12T03:04:05Z'));
    symlinkSync('/etc/hostname', join(sandbox, 'link'));
    const stats = await statPaths(NODE, [file, sandbox, join(sandbox, 'missing'), join(sandbox, 'link'), join(sandbox, 'empty')]);
    expect(stats).toEqual([
      { path: file, exists: true, type: 'file', sizeBytes: 1234, mtime: new Date('2024-03-12T03:04:05Z') },
      expect.objectContaining({ path: sandbox, exists: true, type: 'directory' }),
      { path: join(sandbox, 'missing'), exists: false },
      expect.objectContaining({ exists: true, type: 'symlink' }),
      { path: join(sandbox, 'empty'), exists: false },
    ]);
    expect(await statPaths(NODE, [])).toEqual([]);
  });

  it('lists a folder with any file names, and says when it does not exist', async () => {
    const folder = join(sandbox, 'listing');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(folder, 'b.qcow2'), 'bb');
    writeFileSync(join(folder, 'a name\nwith newline'), 'a');
    const listing = await listDirectory(NODE, folder);
    expect(listing).toMatchObject({
      exists: true,
      entries: [
        { name: 'a name\nwith newline', type: 'file', sizeBytes: 1 },
        { name: 'b.qcow2', type: 'file', sizeBytes: 2 },
        { name: 'sub', type: 'directory' },
      ],
    });
    expect(await listDirectory(NODE, join(sandbox, 'nowhere'))).toEqual({ exists: false });
  });

  it('reads disk usage with df, and a node status with the address used', async () => {
    const [usage, missing] = await diskUsage(NODE, [sandbox, join(sandbox, 'nowhere')]);
    expect(usage).toMatchObject({ ok: true, path: sandbox });
    if (usage.ok) {
      expect(usage.sizeBytes).toBeGreaterThan(0);
      expect(usage.usedBytes + usage.availableBytes).toBeLessThanOrEqual(usage.sizeBytes);
      expect(usage.mountPoint).toMatch(/^\//);
    }
    expect(missing).toEqual({ path: join(sandbox, 'nowhere'), ok: false, reason: 'does not exist on this node' });

    const status = await nodeStatus(NODE, [sandbox]);
    expect(status).toMatchObject({
      reachable: true,
      endpoint: { host: '127.0.0.1', port: testNode.port, source: 'NODE_ADDRESSES' },
      filesystems: [{ ok: true }],
    });
    // A node the console cannot reach is an answer, not an exception.
    expect(await nodeStatus('node-99.stoney-cloud.org')).toMatchObject({
      reachable: false,
      endpoint: null,
      error: { code: 'node-address-unknown' },
    });
  });

  it('reads text files up to a limit', async () => {
    const file = join(sandbox, 'vm.xml.20240312T030000Z');
    writeFileSync(file, "<domain type='kvm'>\n  <name>ü</name>\n</domain>\n");
    expect(await readTextFile(NODE, file, 1000)).toBe("<domain type='kvm'>\n  <name>ü</name>\n</domain>\n");
    await expect(readTextFile(NODE, file, 10)).rejects.toMatchObject({
      code: 'command-failed',
      message: expect.stringMatching(/larger than 10 bytes/),
    });
    await expect(readTextFile(NODE, join(sandbox, 'nope.xml'), 10)).rejects.toMatchObject({ code: 'not-found' });
    await expect(readTextFile(NODE, sandbox, 10)).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('changing files on a node', () => {
  it('writes files through standard input, whole or not at all', async () => {
    const file = join(sandbox, 'resolved.ldif');
    const content = 'dn: sstVirtualMachine=x\ndescription: it\'s "quoted" $(touch nope) `id`; rm -rf /\n';
    await writeTextFile(NODE, file, content, { under: sandbox });
    expect(readFileSync(file, 'utf8')).toBe(content);
    await writeTextFile(NODE, file, Buffer.from([0, 1, 2, 255]), { under: sandbox });
    expect([...readFileSync(file)]).toEqual([0, 1, 2, 255]);
    expect(readdirSync(sandbox).filter((n) => n.includes('partial'))).toEqual([]);
    await expect(writeTextFile(NODE, join(sandbox, 'no-such-folder', 'f'), 'x', { under: sandbox })).rejects.toMatchObject({
      code: 'unsafe-path',
      message: expect.stringMatching(/no-such-folder does not exist/),
    });
  });

  it('creates folders with a mode', async () => {
    const folder = join(sandbox, 'retain', 'vm-persistent', 'sp', 'vm', '20240312T030000Z');
    await makeDirectory(NODE, folder, { under: sandbox, mode: '770' });
    expect(statSync(folder).mode & 0o777).toBe(0o770);
    await makeDirectory(NODE, folder, { under: sandbox });
    await expect(makeDirectory(NODE, folder, { under: sandbox, mode: '7777; id' })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('copies with cp -p, reporting bytes copied of total, and checks the size', async () => {
    const src = join(sandbox, 'big.qcow2.20240312T030000Z');
    writeFileSync(src, randomBytes(64 * 1024 * 1024));
    utimesSync(src, new Date('2024-03-12T03:00:00Z'), new Date('2024-03-12T03:00:00Z'));
    const dst = join(sandbox, 'copy.qcow2');
    const progress: Array<[number, number]> = [];
    const result = await copyFile(NODE, src, dst, { ...roots, pollMs: 10, onProgress: (done, total) => progress.push([done, total]) });
    const total = 64 * 1024 * 1024;
    expect(result.bytes).toBe(total);
    expect(sha(dst)).toBe(sha(src));
    expect(statSync(dst).mtime.toISOString()).toBe('2024-03-12T03:00:00.000Z');
    expect(progress[0]).toEqual([0, total]);
    expect(progress[progress.length - 1]).toEqual([total, total]);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i][0]).toBeGreaterThanOrEqual(progress[i - 1][0]);
      expect(progress[i][1]).toBe(total);
    }
  });

  it('refuses to copy what is missing, into a folder, or after an abort', async () => {
    await expect(copyFile(NODE, join(sandbox, 'missing'), join(sandbox, 'x'), roots)).rejects.toMatchObject({ code: 'not-found' });
    writeFileSync(join(sandbox, 'small'), 'small');
    mkdirSync(join(sandbox, 'a-folder'), { recursive: true });
    await expect(copyFile(NODE, join(sandbox, 'small'), join(sandbox, 'a-folder'), roots)).rejects.toMatchObject({
      code: 'command-failed',
      message: expect.stringMatching(/cannot overwrite directory/),
    });
    expect(existsSync(join(sandbox, 'a-folder', 'small'))).toBe(false);
    const aborted = new AbortController();
    aborted.abort();
    await expect(
      copyFile(NODE, join(sandbox, 'small'), join(sandbox, 'small-copy'), { ...roots, signal: aborted.signal }),
    ).rejects.toMatchObject({ code: 'command-aborted' });
  });

  it('copies in one SSH command and refuses a link or a folder as the source', async () => {
    const src = join(sandbox, 'one-command.src');
    writeFileSync(src, randomBytes(100_000));
    const argvs: string[][] = [];
    const stop = observeNodeCommands((c) => argvs.push([...c.argv]));
    try {
      expect((await copyFile(NODE, src, join(sandbox, 'one-command.dst'), roots)).bytes).toBe(100_000);
    } finally {
      stop();
    }
    expect(argvs).toHaveLength(1);
    expect(sha(join(sandbox, 'one-command.dst'))).toBe(sha(src));
    symlinkSync(src, join(sandbox, 'a-link'));
    await expect(copyFile(NODE, join(sandbox, 'a-link'), join(sandbox, 'from-link'), roots)).rejects.toMatchObject({
      code: 'unsafe-path',
      message: expect.stringMatching(/symbolic link; it was not read/),
    });
    mkdirSync(join(sandbox, 'source-folder'), { recursive: true });
    await expect(copyFile(NODE, join(sandbox, 'source-folder'), join(sandbox, 'from-folder'), roots)).rejects.toMatchObject({
      code: 'invalid-input',
    });
    expect(existsSync(join(sandbox, 'from-link'))).toBe(false);
    expect(existsSync(join(sandbox, 'from-folder'))).toBe(false);
  });

  it('stops cp and its progress reports when the copy is aborted', async () => {
    const src = join(sandbox, 'abort.src');
    const dst = join(sandbox, 'abort.dst-a7f3');
    writeFileSync(src, randomBytes(256 * 1024 * 1024));
    const controller = new AbortController();
    await expect(
      copyFile(NODE, src, dst, { ...roots, pollMs: 10, signal: controller.signal, onProgress: () => controller.abort() }),
    ).rejects.toMatchObject({ code: 'command-aborted' });
    // Nothing on the node still runs for this copy (cp, the script, its progress loop).
    const running = () =>
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes('abort.dst-a7f3'));
    for (let i = 0; i < 100 && running().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(running()).toEqual([]);
    rmSync(src);
    rmSync(dst, { force: true });
  });

  it('moves within a file system and refuses to move across file systems', async () => {
    const src = join(sandbox, 'image.qcow2.20240312T030000Z');
    const dst = join(sandbox, 'live.qcow2');
    writeFileSync(src, 'backup image');
    writeFileSync(dst, 'live image');
    await moveFile(NODE, src, dst, { sourceRoot: sandbox, destinationRoot: sandbox });
    expect(readFileSync(dst, 'utf8')).toBe('backup image');
    expect(existsSync(src)).toBe(false);
    mkdirSync(join(sandbox, 'a-move-folder'), { recursive: true });
    await expect(
      moveFile(NODE, dst, join(sandbox, 'a-move-folder'), { sourceRoot: sandbox, destinationRoot: sandbox }),
    ).rejects.toMatchObject({ code: 'unsafe-path', message: expect.stringMatching(/is not a regular file/) });
    if (existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(sandbox).dev) {
      const shm = `/dev/shm/console-move-test-${process.pid}`;
      await expect(moveFile(NODE, dst, shm, { sourceRoot: sandbox, destinationRoot: '/dev/shm' })).rejects.toMatchObject({
        code: 'command-failed',
        message: expect.stringMatching(/different file systems/),
      });
      expect(existsSync(shm)).toBe(false);
      expect(existsSync(dst)).toBe(true);
    }
  });

  it('removes a tree only strictly inside the given root, and never through a link', async () => {
    const retain = join(sandbox, 'retain-root');
    const victim = join(sandbox, 'must-survive');
    mkdirSync(join(retain, 'vm-persistent', 'sp', 'vm', 'it'), { recursive: true });
    writeFileSync(join(retain, 'vm-persistent', 'sp', 'vm', 'it', 'f'), 'f');
    mkdirSync(victim, { recursive: true });
    writeFileSync(join(victim, 'precious'), 'keep me');
    symlinkSync(victim, join(retain, 'sneaky'));

    expect(await removeTree(NODE, join(retain, 'vm-persistent', 'sp', 'vm', 'it'), { under: retain })).toEqual({ removed: true });
    expect(existsSync(join(retain, 'vm-persistent', 'sp', 'vm', 'it'))).toBe(false);
    expect(await removeTree(NODE, join(retain, 'gone'), { under: retain })).toEqual({ removed: false });
    await expect(removeTree(NODE, retain, { under: retain })).rejects.toMatchObject({ code: 'unsafe-path' });
    await expect(removeTree(NODE, victim, { under: retain })).rejects.toMatchObject({ code: 'unsafe-path' });
    await expect(removeTree(NODE, `${retain}/../must-survive`, { under: retain })).rejects.toMatchObject({ code: 'unsafe-path' });
    // Lexically inside, but the link leads out: the node-side walk refuses it, as it refuses the link itself.
    for (const path of [join(retain, 'sneaky', 'precious'), join(retain, 'sneaky')]) {
      await expect(removeTree(NODE, path, { under: retain })).rejects.toMatchObject({
        code: 'unsafe-path',
        message: expect.stringMatching(/sneaky is a symbolic link/),
      });
    }
    expect(readFileSync(join(victim, 'precious'), 'utf8')).toBe('keep me');
    expect(existsSync(join(retain, 'sneaky'))).toBe(true);
  });
});

describe('confinement on a node', () => {
  it('writes, copies, moves, creates and removes nothing through a symbolic link below the root', async () => {
    const root = join(sandbox, 'confined-root');
    const outside = join(sandbox, 'outside');
    mkdirSync(join(root, 'real'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'precious'), 'keep me');
    writeFileSync(join(root, 'real', 'image'), 'image');
    symlinkSync(outside, join(root, 'linked-folder'));
    symlinkSync(join(outside, 'precious'), join(root, 'real', 'linked-file'));
    const outsideBefore = readdirSync(outside).map((n) => [n, readFileSync(join(outside, n), 'utf8')]);
    const refusedAt = (where: string) => ({ code: 'unsafe-path', message: expect.stringContaining(`${where} is a symbolic link`) });

    await expect(writeTextFile(NODE, join(root, 'linked-folder', 'precious'), 'x', { under: root })).rejects.toMatchObject(
      refusedAt(join(root, 'linked-folder')),
    );
    await expect(writeTextFile(NODE, join(root, 'real', 'linked-file'), 'x', { under: root })).rejects.toMatchObject(
      refusedAt(join(root, 'real', 'linked-file')),
    );
    await expect(makeDirectory(NODE, join(root, 'linked-folder', 'a', 'b'), { under: root })).rejects.toMatchObject(
      refusedAt(join(root, 'linked-folder')),
    );
    await expect(
      copyFile(NODE, join(root, 'real', 'image'), join(root, 'linked-folder', 'copy'), { sourceRoot: root, destinationRoot: root }),
    ).rejects.toMatchObject(refusedAt(join(root, 'linked-folder')));
    await expect(
      copyFile(NODE, join(root, 'real', 'image'), join(root, 'real', 'linked-file'), { sourceRoot: root, destinationRoot: root }),
    ).rejects.toMatchObject(refusedAt(join(root, 'real', 'linked-file')));
    await expect(
      copyFile(NODE, join(root, 'linked-folder', 'precious'), join(root, 'real', 'read'), { sourceRoot: root, destinationRoot: root }),
    ).rejects.toMatchObject(refusedAt(join(root, 'linked-folder')));
    await expect(
      moveFile(NODE, join(root, 'real', 'image'), join(root, 'linked-folder', 'precious'), { sourceRoot: root, destinationRoot: root }),
    ).rejects.toMatchObject(refusedAt(join(root, 'linked-folder')));
    await expect(readTextFile(NODE, join(root, 'linked-folder', 'precious'), 100, { under: root })).rejects.toMatchObject(
      refusedAt(join(root, 'linked-folder')),
    );
    await expect(readTextFile(NODE, join(root, 'real', 'linked-file'), 100)).rejects.toMatchObject({
      code: 'unsafe-path',
      message: expect.stringMatching(/symbolic link; it was not read/),
    });
    // Outside its root, lexically: refused before anything runs.
    await expect(writeTextFile(NODE, join(outside, 'precious'), 'x', { under: root })).rejects.toMatchObject({
      code: 'unsafe-path',
      message: expect.stringMatching(/not inside/),
    });

    expect(readdirSync(outside).map((n) => [n, readFileSync(join(outside, n), 'utf8')])).toEqual(outsideBefore);
    expect(readFileSync(join(root, 'real', 'image'), 'utf8')).toBe('image');
    expect(readdirSync(root).sort()).toEqual(['linked-folder', 'real']);

    expect(
      await checkConfined(NODE, [
        { path: join(root, 'real', 'image'), root, kind: 'file' },
        { path: join(root, 'real', 'new'), root, kind: 'file-or-none' },
        { path: join(root, 'new', 'deeper', 'folder'), root, kind: 'folder-or-none' },
        { path: join(root, 'new', 'file'), root, kind: 'file-or-none' },
        { path: join(root, 'linked-folder', 'x'), root, kind: 'file-or-none' },
        { path: join(root, 'real'), root, kind: 'file' },
        { path: join(root, 'real', 'missing'), root, kind: 'file' },
        { path: `${root}/../outside/precious`, root, kind: 'file' },
      ]),
    ).toEqual([
      null,
      null,
      null,
      `the folder ${join(root, 'new')} does not exist.`,
      expect.stringContaining(`${join(root, 'linked-folder')} is a symbolic link`),
      `${join(root, 'real')} is not a regular file.`,
      `${join(root, 'real', 'missing')} does not exist.`,
      expect.stringMatching(/"\.\." segment/),
    ]);
  });
});

describe('qemu-img on a node', () => {
  it('checks a good image, a corrupt one and something that is not qcow2', async () => {
    const raw = join(sandbox, 'disk.raw');
    const good = join(sandbox, 'good.qcow2.20240312T030000Z');
    writeFileSync(raw, randomBytes(2 * 1024 * 1024));
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, good]);
    expect(await qemuImgCheck(NODE, good)).toMatchObject({ ok: true, exitCode: 0, format: 'qcow2', corruptions: 0 });
    expect(await qemuImgInfo(NODE, good)).toMatchObject({ format: 'qcow2', virtualSizeBytes: 2 * 1024 * 1024, backingFile: null });

    const truncated = join(sandbox, 'truncated.qcow2');
    execFileSync('cp', [good, truncated]);
    truncateSync(truncated, 300 * 1024);
    const bad = await qemuImgCheck(NODE, truncated);
    expect(bad.ok).toBe(false);

    const notQcow2 = await qemuImgCheck(NODE, raw);
    expect(notQcow2).toMatchObject({
      ok: false,
      exitCode: 1,
      message: expect.stringMatching(/could not be checked: .*not in qcow2 format/),
    });
    await expect(qemuImgCheck(NODE, good, { format: 'qcow2 -o x' })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
