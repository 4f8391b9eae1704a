import 'server-only';
import { isAppError } from '@/lib/errors';
import { joinPath } from '@/lib/ssh';
import { listFolderTree } from '@/lib/ssh/tree';
import { nodeDaemonPath } from './daemon-values';
import { iterationFolder } from './iteration-files';

/**
 * A machine's iteration folders on its node: `<backup root>/<spDir>/<spUuid>/<vm>/<iteration>/`.
 * On stoney cloud the directory holds only the last run; every older iteration exists only as
 * such a folder. Reusable: the machine page lists them, and a restore of an iteration that
 * exists only on the node starts from here.
 */

export type NodeIterationFile = { name: string; sizeBytes: number; type: string; modifiedAt: Date };

export type NodeIterationFolder = {
  /** The folder name: the iteration's name when it looks like one. */
  name: string;
  path: string;
  /** Whether the name is an iteration name (YYYYMMDDThhmmssZ). */
  isIteration: boolean;
  files: NodeIterationFile[];
  totalBytes: number;
  modifiedAt: Date;
};

export type NodeIterationListing =
  | { ok: true; node: string; machineFolder: string; exists: boolean; folders: NodeIterationFolder[]; others: NodeIterationFile[] }
  | { ok: false; node: string | null; reason: string };

const ITERATION = /^\d{8}T\d{6}Z$/;

export type MachineFolderInput = {
  node: string | null;
  /** The backup root as configured (file:// URL); read the way the node daemon reads it. */
  backupRoot: string | null;
  virtualizationRoot: string;
  disks: { target: string; device: string | null; sourceFile: string | null }[];
  machineUuid: string;
};

/** Where the machine's iteration folders are: the backup root as the node daemon reads it (fact 6). */
export function machineBackupFolder(input: MachineFolderInput): { ok: true; folder: string } | { ok: false; reason: string } {
  if (!input.backupRoot) return { ok: false, reason: 'No backup root directory is configured for this machine.' };
  const read = nodeDaemonPath(input.backupRoot);
  if (!read) return { ok: false, reason: `The backup root ${input.backupRoot} is not a URL the node daemon can read.` };
  const probe = iterationFolder({ ...input, backupRoot: `file://${read}`, iteration: 'x' });
  if (!probe.ok) return probe;
  return { ok: true, folder: probe.folder.slice(0, -'/x'.length) };
}

/** Lists the machine's iteration folders with their files and sizes, in one command on its node. */
export async function listMachineIterationFolders(input: MachineFolderInput): Promise<NodeIterationListing> {
  const node = input.node;
  if (!node) return { ok: false, node: null, reason: 'The machine names no node (sstNode), so its folders cannot be looked up.' };
  const where = machineBackupFolder(input);
  if (!where.ok) return { ok: false, node, reason: where.reason };
  try {
    const tree = await listFolderTree(node, where.folder, 2);
    if (!tree.exists) return { ok: true, node, machineFolder: where.folder, exists: false, folders: [], others: [] };
    const folders = new Map<string, NodeIterationFolder>();
    const others: NodeIterationFile[] = [];
    for (const entry of tree.entries) {
      const slash = entry.path.indexOf('/');
      const file = { name: entry.name, sizeBytes: entry.sizeBytes, type: entry.type, modifiedAt: entry.mtime };
      if (slash < 0) {
        if (entry.type === 'directory') {
          folders.set(entry.name, {
            name: entry.name,
            path: joinPath(where.folder, entry.name),
            isIteration: ITERATION.test(entry.name),
            files: [],
            totalBytes: 0,
            modifiedAt: entry.mtime,
          });
        } else {
          others.push(file);
        }
        continue;
      }
      const folder = folders.get(entry.path.slice(0, slash));
      if (!folder) continue;
      folder.files.push(file);
      if (entry.type === 'file') folder.totalBytes += entry.sizeBytes;
    }
    const sorted = [...folders.values()].sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    return { ok: true, node, machineFolder: where.folder, exists: true, folders: sorted, others };
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { ok: false, node, reason: error.message };
  }
}
