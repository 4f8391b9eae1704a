import 'server-only';
import { AppError } from '@/lib/errors';
import { CommandFailedError } from './errors';
import { assertSafePath } from './paths';
import { runOnNode } from './run';

export interface DirectoryEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  sizeBytes: number;
  mtime: Date;
}

export interface TreeEntry extends DirectoryEntry {
  /** Relative to the folder listed, e.g. `20260503T010203Z/vm.xml.20260503T010203Z`. */
  path: string;
}

// NUL-separated records, so any file name (spaces, newlines) comes back intact.
const TREE_SCRIPT = String.raw`[ -d "$1" ] || exit 66
cd -- "$1" && LC_ALL=C exec find . -mindepth 1 -maxdepth "$2" -printf '%y %s %T@ %P\0'`;

/**
 * A folder's entries down to `depth` levels (1 = the folder's own entries), in one command,
 * sorted by path; `exists: false` when there is no such folder. Symbolic links are listed, not
 * followed.
 */
export async function listFolderTree(
  node: string,
  path: string,
  depth: number,
): Promise<{ exists: false } | { exists: true; entries: TreeEntry[] }> {
  assertSafePath(path);
  if (!Number.isInteger(depth) || depth < 1 || depth > 6) throw new AppError('invalid-input', 'A folder listing goes 1 to 6 levels deep.');
  const result = await runOnNode(node, ['sh', '-c', TREE_SCRIPT, 'sh', path, String(depth)]);
  if (result.code === 66) return { exists: false };
  if (result.code !== 0)
    throw new CommandFailedError({ node, what: `Listing ${path}`, exitCode: result.code, stderr: result.stderr, argv: ['find', path] });
  const types: Record<string, DirectoryEntry['type']> = { f: 'file', d: 'directory', l: 'symlink' };
  const entries = result.stdout
    .split('\0')
    .filter((r) => r !== '')
    .map((record) => {
      const match = /^(\S) (\d+) ([\d.]+) ([\s\S]*)$/.exec(record);
      if (!match) throw new AppError('command-failed', `Listing ${path} on node ${node} gave an unreadable answer.`);
      const relative = match[4];
      return {
        path: relative,
        name: relative.slice(relative.lastIndexOf('/') + 1),
        type: types[match[1]] ?? 'other',
        sizeBytes: Number(match[2]),
        mtime: new Date(Math.floor(Number(match[3]) * 1000)),
      };
    });
  return { exists: true, entries: entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

/** The entries of a folder (not recursive), sorted by name; `exists: false` when there is no such folder. */
export async function listDirectory(node: string, path: string): Promise<{ exists: false } | { exists: true; entries: DirectoryEntry[] }> {
  const tree = await listFolderTree(node, path, 1);
  if (!tree.exists) return tree;
  return { exists: true, entries: tree.entries.map(({ path: _relative, ...entry }) => entry) };
}
