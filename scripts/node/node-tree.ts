/**
 * Fills a test node's folder tree the way a real node looks after the backups described in a
 * CloudSpec (shared/spec/directory.md §4.4–4.5):
 *
 *   <root>/virtualization/<sp-dir>/<sp-uuid>/<volume>.qcow2          live images (real qcow2)
 *   <root>/virtualization/retain/                                    retain directory
 *   <root>/backup/<sp-dir>/<sp-uuid>/<vm>/<it>/                      one folder per completed iteration:
 *       <vm>.xml.<it>  <vm>.ldif.<it>  <vm>.state.<it>  <volume>.qcow2.<it>
 *
 * and gives the virsh stand-in each machine's live domain. Images are made with qemu-img from
 * distinct pseudo-random content and resized to the disk's capacity (sparse), so byte
 * comparisons and `qemu-img check` mean something. Iterations whose backup never reached the
 * retain step (a failed merge, a running snapshot) have no folder, as on a real node.
 */
import { execFile } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, open, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  backupCompleted,
  diskSourceFile,
  iterationName,
  virtualizationRootOf,
  type BackupPlanSpec,
  type CloudSpec,
  type IterationSpec,
  type MachineSpec,
} from '../directory/cloud-ldif';
import type { DemoPaths } from '../directory/demo-directory';
import { machineExportLdif } from '../directory/machine-export';
import { domainXml } from './domain-xml';
import { writeDomain } from './virsh-state';

const run = promisify(execFile);

/** What the node daemon writes instead of a state file when the machine was not running. */
export const NOT_RUNNING_TEXT = 'Machine is not runnung, no state file';
const MiB = 1024 * 1024;

/** The paths a node tree under `root` gives the directory (for buildDemoDirectory and VIRTUALIZATION_ROOT). */
export function nodeTreePaths(root: string): DemoPaths {
  const r = resolve(root);
  return {
    virtualizationRoot: join(r, 'virtualization'),
    backupRoot: `file://${join(r, 'backup')}`,
    retainRoot: `file://${join(r, 'virtualization', 'retain')}`,
  };
}

export interface NodeTreeOptions {
  root: string;
  spec: CloudSpec;
  now: Date;
  /** The virsh stand-in's VIRSH_STATE_DIR; when given, every machine's live domain is written there. */
  virshStateDir?: string;
  /** Size of the content of each image; default 2 MiB. */
  imageBytes?: number;
  /**
   * Size of the content of one image, overriding imageBytes where it returns a number: e.g. a
   * 2 GiB backup image of one machine for the restore benchmark. `iteration` is null for a
   * live image. Content is written in chunks, so a large image needs no large buffer.
   */
  imageBytesFor?: (image: { machineUuid: string; disk: string; iteration: string | null }) => number | undefined;
}

export interface NodeTreeFile {
  name: string;
  path: string;
  kind: 'xml' | 'ldif' | 'state' | 'disk';
  disk?: string;
  sizeBytes: number;
}

export interface NodeTreeIteration {
  name: string;
  mode: string;
  /** The backup folder, or null when the backup never got its files there. */
  folder: string | null;
  files: NodeTreeFile[];
  /** The retain folder of a restore that is under way, with what it already holds. */
  retain: { folder: string; files: string[] } | null;
}

export interface NodeTreeMachine {
  uuid: string;
  name: string;
  node: string;
  running: boolean;
  liveImages: { disk: string; path: string }[];
  iterations: NodeTreeIteration[];
}

export interface NodeTree {
  root: string;
  virtualizationRoot: string;
  backupRoot: string;
  retainRoot: string;
  machines: NodeTreeMachine[];
}

function urlPath(url: string | undefined, what: string): string {
  const match = /^file:\/\/(\/.*)$/.exec(url ?? '');
  if (!match) throw new Error(`${what} ${url} is not a file:/// URL`);
  return match[1].replace(/\/+$/, '');
}

/**
 * The plan whose directories the daemon used when it wrote the machine's backups: the
 * machine's or pool's own when it names a backup root, else the cloud-wide one. (A machine
 * plan without directories, like an exclusion, did not exist when its old backups were made.)
 */
function planFor(spec: CloudSpec, m: MachineSpec): BackupPlanSpec {
  if (typeof m.backup === 'object' && m.backup.rootDirectory) return m.backup;
  const pool = spec.pools.find((p) => p.uuid === m.poolUuid);
  if (pool?.backup?.rootDirectory) return pool.backup;
  return spec.globalBackup;
}

/** Deterministic, incompressible bytes for a label (AES-CTR key stream). */
function content(label: string, bytes: number): Buffer {
  return cipherFor(label).update(Buffer.alloc(bytes));
}

function cipherFor(label: string) {
  const key = createHash('sha256').update(label).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
}

const CHUNK = 64 * MiB;

/** The same bytes as content(label, bytes), written to a file one chunk at a time. */
async function writeContent(path: string, label: string, bytes: number): Promise<void> {
  if (bytes <= CHUNK) return writeFile(path, content(label, bytes));
  const cipher = cipherFor(label);
  const zeros = Buffer.alloc(CHUNK);
  const file = await open(path, 'w');
  try {
    for (let written = 0; written < bytes; written += CHUNK) {
      await file.write(cipher.update(zeros.subarray(0, Math.min(CHUNK, bytes - written))));
    }
  } finally {
    await file.close();
  }
}

export async function buildNodeTree(options: NodeTreeOptions): Promise<NodeTree> {
  const root = resolve(options.root);
  const spec = options.spec;
  const imageBytes = options.imageBytes ?? 2 * MiB;
  const virtualizationRoot = virtualizationRootOf(spec);
  const inside = (path: string): string => {
    const rel = relative(root, resolve(path));
    if (rel === '' || rel.startsWith('..') || resolve(path) !== path)
      throw new Error(`refusing to write ${path}: it is not inside the node tree ${root}`);
    return path;
  };
  inside(virtualizationRoot);
  const retainRoot = inside(urlPath(spec.globalBackup.retainDirectory, 'the retain directory'));
  const backupRoot = inside(urlPath(spec.globalBackup.rootDirectory, 'the backup root'));
  await mkdir(retainRoot, { recursive: true });
  await mkdir(backupRoot, { recursive: true });

  const images: Array<() => Promise<void>> = [];
  const bytesOf = (machineUuid: string, disk: string, iteration: string | null): number =>
    options.imageBytesFor?.({ machineUuid, disk, iteration }) ?? imageBytes;
  const image = (path: string, label: string, bytes: number, capacityBytes: number, mtime: Date): void => {
    images.push(async () => {
      await mkdir(dirname(path), { recursive: true });
      const raw = `${path}.raw`;
      await writeContent(raw, label, bytes);
      await run('qemu-img', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', raw, path]);
      await run('qemu-img', ['resize', '-q', '-f', 'qcow2', path, String(capacityBytes)]);
      await rm(raw);
      await chmod(path, 0o660);
      await utimes(path, mtime, mtime);
    });
  };

  const machines: NodeTreeMachine[] = [];
  for (const m of spec.machines) {
    const disks = m.disks.filter((d) => d.device === 'disk');
    const liveImages = disks.map((d) => ({ disk: d.target, path: inside(diskSourceFile(spec, m, d)) }));
    for (const [i, d] of disks.entries()) {
      const bytes = bytesOf(m.uuid, d.target, null);
      image(liveImages[i].path, `live:${m.uuid}:${d.target}`, bytes, Math.max(d.capacityBytes ?? bytes, bytes), options.now);
    }

    const plan = planFor(spec, m);
    const machineBackupRoot = inside(urlPath(plan.rootDirectory, `the backup root of ${m.name}`));
    const machineRetainRoot = inside(
      urlPath(plan.retainDirectory ?? spec.globalBackup.retainDirectory, `the retain directory of ${m.name}`),
    );
    const firstFolder = dirname(liveImages[0]?.path ?? '');
    const spPart = relative(virtualizationRoot, firstFolder);
    const iterations: NodeTreeIteration[] = [];
    for (const it of [...m.iterations].sort((a, b) => a.agoMs - b.agoMs)) {
      const name = iterationName(it, options.now);
      if (!backupCompleted(it) || liveImages.length === 0) {
        iterations.push({ name, mode: it.mode, folder: null, files: [], retain: null });
        continue;
      }
      const intermediate = join(spPart, m.uuid, name);
      const folder = inside(join(machineBackupRoot, intermediate));
      const written = new Date(options.now.getTime() - it.agoMs + 447_000);
      // Folders and files get the daemon's default modes (770 / 660); chmod, because umask would trim them.
      await mkdir(folder, { recursive: true });
      await chmod(folder, 0o770);
      const files: NodeTreeFile[] = [];
      const text = async (fileName: string, kind: NodeTreeFile['kind'], body: string | Buffer): Promise<void> => {
        const path = join(folder, fileName);
        await writeFile(path, body);
        await chmod(path, 0o660);
        await utimes(path, written, written);
        files.push({ name: fileName, path, kind, sizeBytes: Buffer.byteLength(body) });
      };
      const backupXml = domainXml(spec, m, { atBackup: true });
      await text(`${m.uuid}.xml.${name}`, 'xml', backupXml);
      await text(`${m.uuid}.ldif.${name}`, 'ldif', machineExportLdif(spec, m, it, options.now));
      // A running machine was saved (libvirt's header, the domain XML, then memory); a stopped one gets the daemon's note.
      const state =
        m.status === 'running'
          ? Buffer.concat([Buffer.from(`LibvirtQemudSave\n${backupXml}\n`), content(`state:${m.uuid}:${name}`, 256 * 1024)])
          : NOT_RUNNING_TEXT;
      await text(`${m.uuid}.state.${name}`, 'state', state);
      for (const [i, d] of disks.entries()) {
        const fileName = `${liveImages[i].path.slice(liveImages[i].path.lastIndexOf('/') + 1)}.${name}`;
        const path = join(folder, fileName);
        const bytes = bytesOf(m.uuid, d.target, name);
        image(path, `backup:${m.uuid}:${d.target}:${name}`, bytes, Math.max(d.capacityBytes ?? bytes, bytes), written);
        files.push({ name: fileName, path, kind: 'disk', disk: d.target, sizeBytes: -1 });
      }
      iterations.push({
        name,
        mode: it.mode,
        folder,
        files,
        retain: await retainFolder(it, join(machineRetainRoot, intermediate), files, inside),
      });
    }
    machines.push({ uuid: m.uuid, name: m.name, node: m.node, running: m.status === 'running', liveImages, iterations });
    if (options.virshStateDir) {
      writeDomain(options.virshStateDir, {
        uuid: m.uuid,
        name: m.uuid,
        xml: domainXml(spec, m),
        state: m.status === 'running' ? 'running' : 'shut off',
        persistent: true,
      });
    }
  }

  await runLimited(images, 3);
  for (const machine of machines) {
    for (const it of machine.iterations) {
      for (const file of it.files) if (file.kind === 'disk') file.sizeBytes = (await stat(file.path)).size;
    }
  }
  return { root, virtualizationRoot, backupRoot, retainRoot, machines };
}

const SMALL_FILES_STAGE = new Set(['unretainedSmallFiles', 'unretainLargeFiles', 'unretainingLargeFiles']);
const LARGE_FILES_STAGE = new Set(['unretainedLargeFiles', 'restore', 'restoring']);

/**
 * A restore under way has a retain folder: after step 2 it holds the small files (XML and
 * LDIF), after step 7 also the state file and the images. Copied after the images exist.
 */
async function retainFolder(
  it: IterationSpec,
  folder: string,
  files: NodeTreeFile[],
  inside: (p: string) => string,
): Promise<NodeTreeIteration['retain']> {
  const small = SMALL_FILES_STAGE.has(it.mode);
  const large = LARGE_FILES_STAGE.has(it.mode);
  if (!small && !large) return null;
  inside(folder);
  const wanted = files.filter((f) => f.kind === 'xml' || f.kind === 'ldif' || (large && f.kind === 'state'));
  await mkdir(folder, { recursive: true });
  await chmod(folder, 0o770);
  for (const f of wanted) await copyFile(f.path, join(folder, f.name));
  return { folder, files: wanted.map((f) => f.name) };
}

async function runLimited(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++];
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
