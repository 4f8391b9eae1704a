import 'server-only';
import type { IterationFile } from '@/lib/backup/iteration-files';
import { isAppError } from '@/lib/errors';
import { joinPath, listDirectory, statPaths } from '@/lib/ssh';
import type { IterationView } from './iteration';

/** One expected file of an iteration and what the node has under that name. */
export interface ExpectedFileOnNode extends IterationFile {
  path: string;
  onNode: { exists: true; sizeBytes: number; modifiedAt: string; type: string } | { exists: false };
}

export type IterationFilesOnNode =
  | {
      ok: true;
      node: string;
      folder: string;
      folderExists: boolean;
      files: ExpectedFileOnNode[];
      /** Files in the folder that the console does not expect (left-overs, partial copies). */
      others: { name: string; type: string; sizeBytes: number }[];
    }
  | { ok: false; node: string | null; reason: string };

/**
 * What the node actually holds for an iteration, next to what it should hold. Node problems
 * are part of the answer (the page shows them and renders the rest), not exceptions.
 */
export async function readIterationFilesOnNode(view: Pick<IterationView, 'machine' | 'files'>): Promise<IterationFilesOnNode> {
  const node = view.machine.node;
  if (!node)
    return { ok: false, node: null, reason: 'The machine names no node (sstNode) in the directory, so its files cannot be looked up.' };
  if (!view.files.ok) return { ok: false, node, reason: view.files.reason };
  const { folder, files } = view.files;
  try {
    const paths = files.map((f) => joinPath(folder, f.name));
    const [stats, listing] = await Promise.all([statPaths(node, paths), listDirectory(node, folder)]);
    const expected = new Set(files.map((f) => f.name));
    return {
      ok: true,
      node,
      folder,
      folderExists: listing.exists,
      files: files.map((f, i) => {
        const s = stats[i];
        return {
          ...f,
          path: paths[i],
          onNode: s.exists ? { exists: true, sizeBytes: s.sizeBytes, modifiedAt: s.mtime.toISOString(), type: s.type } : { exists: false },
        };
      }),
      others: listing.exists
        ? listing.entries.filter((e) => !expected.has(e.name)).map((e) => ({ name: e.name, type: e.type, sizeBytes: e.sizeBytes }))
        : [],
    };
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.detail) console.error(`[iteration files] ${node}: ${error.code}: ${error.detail}`);
    return { ok: false, node, reason: error.message };
  }
}
