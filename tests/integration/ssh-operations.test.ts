import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyFile, diskUsage, listDirectory, makeDirectory, moveFile, nodeStatus, observeNodeCommands, qemuImgCheck, qemuImgInfo, readTextFile, removeTree, statPaths, writeTextFile } from '@/lib/ssh';

/**
 * The node operations the restore needs, for real: a real sshd, real coreutils and qemu-img on
 * the "node" (this machine), in a sandbox folder of the shared test node's tree. The node's
 * files are also this machine's files, so the tests check results with node:fs.
 */
const NODE = 'node-01.stoney-cloud.org';
const testNode = inject('testNode');
const sandbox = join(testNode.root, 'sandbox', 'operations');
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

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
    expect(status).toMatchObject({ reachable: true, endpoint: { host: '127.0.0.1', port: testNode.port, source: 'NODE_ADDRESSES' }, filesystems: [{ ok: true }] });
    // A node the console cannot reach is an answer, not an exception.
    expect(await nodeStatus('node-99.stoney-cloud.org')).toMatchObject({ reachable: false, endpoint: null, error: { code: 'node-address-unknown' } });
  });

  it('reads text files up to a limit', async () => {
    const file = join(sandbox, 'vm.xml.20240312T030000Z');
    writeFileSync(file, "<domain type='kvm'>\n  <name>ü</name>\n</domain>\n");
    expect(await readTextFile(NODE, file, 1000)).toBe("<domain type='kvm'>\n  <name>ü</name>\n</domain>\n");
    await expect(readTextFile(NODE, file, 10)).rejects.toMatchObject({ code: 'command-failed', message: expect.stringMatching(/larger than 10 bytes/) });
    await expect(readTextFile(NODE, join(sandbox, 'nope.xml'), 10)).rejects.toMatchObject({ code: 'not-found' });
    await expect(readTextFile(NODE, sandbox, 10)).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('changing files on a node', () => {
  it('writes files through standard input, whole or not at all', async () => {
    const file = join(sandbox, 'resolved.ldif');
    const content = "dn: sstVirtualMachine=x\ndescription: it's \"quoted\" $(touch nope) `id`; rm -rf /\n";
    await writeTextFile(NODE, file, content);
    expect(readFileSync(file, 'utf8')).toBe(content);
    await writeTextFile(NODE, file, Buffer.from([0, 1, 2, 255]));
    expect([...readFileSync(file)]).toEqual([0, 1, 2, 255]);
    expect(readdirSync(sandbox).filter((n) => n.includes('partial'))).toEqual([]);
    await expect(writeTextFile(NODE, join(sandbox, 'no-such-folder', 'f'), 'x')).rejects.toMatchObject({ code: 'command-failed' });
  });

  it('creates folders with a mode', async () => {
    const folder = join(sandbox, 'retain', 'vm-persistent', 'sp', 'vm', '20240312T030000Z');
    await makeDirectory(NODE, folder, '770');
    expect(statSync(folder).mode & 0o777).toBe(0o770);
    await makeDirectory(NODE, folder);
    await expect(makeDirectory(NODE, folder, '7777; id')).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('copies with cp -p, reporting bytes copied of total, and checks the size', async () => {
    const src = join(sandbox, 'big.qcow2.20240312T030000Z');
    writeFileSync(src, randomBytes(64 * 1024 * 1024));
    utimesSync(src, new Date('2024-03-12T03:00:00Z'), new Date('2024-03-12T03:00:00Z'));
    const dst = join(sandbox, 'copy.qcow2');
    const progress: Array<[number, number]> = [];
    const result = await copyFile(NODE, src, dst, { pollMs: 10, onProgress: (done, total) => progress.push([done, total]) });
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
    await expect(copyFile(NODE, join(sandbox, 'missing'), join(sandbox, 'x'))).rejects.toMatchObject({ code: 'not-found' });
    writeFileSync(join(sandbox, 'small'), 'small');
    mkdirSync(join(sandbox, 'a-folder'), { recursive: true });
    await expect(copyFile(NODE, join(sandbox, 'small'), join(sandbox, 'a-folder'))).rejects.toMatchObject({ code: 'command-failed' });
    expect(existsSync(join(sandbox, 'a-folder', 'small'))).toBe(false);
    const aborted = new AbortController();
    aborted.abort();
    await expect(copyFile(NODE, join(sandbox, 'small'), join(sandbox, 'small-copy'), { signal: aborted.signal })).rejects.toMatchObject({ code: 'command-aborted' });
  });

  it('copies in one SSH command and refuses a link or a folder as the source', async () => {
    const src = join(sandbox, 'one-command.src');
    writeFileSync(src, randomBytes(100_000));
    const argvs: string[][] = [];
    const stop = observeNodeCommands((c) => argvs.push([...c.argv]));
    try {
      expect((await copyFile(NODE, src, join(sandbox, 'one-command.dst'))).bytes).toBe(100_000);
    } finally {
      stop();
    }
    expect(argvs).toHaveLength(1);
    expect(sha(join(sandbox, 'one-command.dst'))).toBe(sha(src));
    symlinkSync(src, join(sandbox, 'a-link'));
    await expect(copyFile(NODE, join(sandbox, 'a-link'), join(sandbox, 'from-link'))).rejects.toMatchObject({ code: 'invalid-input' });
    mkdirSync(join(sandbox, 'source-folder'), { recursive: true });
    await expect(copyFile(NODE, join(sandbox, 'source-folder'), join(sandbox, 'from-folder'))).rejects.toMatchObject({ code: 'invalid-input' });
    expect(existsSync(join(sandbox, 'from-link'))).toBe(false);
    expect(existsSync(join(sandbox, 'from-folder'))).toBe(false);
  });

  it('stops cp and its progress reports when the copy is aborted', async () => {
    const src = join(sandbox, 'abort.src');
    const dst = join(sandbox, 'abort.dst-a7f3');
    writeFileSync(src, randomBytes(256 * 1024 * 1024));
    const controller = new AbortController();
    await expect(
      copyFile(NODE, src, dst, { pollMs: 10, signal: controller.signal, onProgress: () => controller.abort() }),
    ).rejects.toMatchObject({ code: 'command-aborted' });
    // Nothing on the node still runs for this copy (cp, the script, its progress loop).
    const running = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes('abort.dst-a7f3'));
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
    await moveFile(NODE, src, dst);
    expect(readFileSync(dst, 'utf8')).toBe('backup image');
    expect(existsSync(src)).toBe(false);
    await expect(moveFile(NODE, dst, sandbox)).rejects.toMatchObject({ code: 'command-failed' });
    if (existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(sandbox).dev) {
      const shm = `/dev/shm/console-move-test-${process.pid}`;
      await expect(moveFile(NODE, dst, shm)).rejects.toMatchObject({ code: 'command-failed', message: expect.stringMatching(/different file systems/) });
      expect(existsSync(shm)).toBe(false);
      expect(existsSync(dst)).toBe(true);
    }
  });

  it('removes a tree only strictly inside the given root, also after resolving links', async () => {
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
    // Lexically inside, but the link leads out: the node-side check refuses.
    await expect(removeTree(NODE, join(retain, 'sneaky', 'precious'), { under: retain })).rejects.toMatchObject({
      code: 'command-failed',
      message: expect.stringMatching(/not inside/),
    });
    expect(readFileSync(join(victim, 'precious'), 'utf8')).toBe('keep me');
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
    expect(notQcow2).toMatchObject({ ok: false, exitCode: 1, message: expect.stringMatching(/could not be checked: .*not in qcow2 format/) });
    await expect(qemuImgCheck(NODE, good, { format: 'qcow2 -o x' })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
