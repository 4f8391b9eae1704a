import type { NodeIterationFolder } from '@/lib/backup/node-iterations';

/** The directory's leaves and the node's folders as one list, newest first (plain data for the page). */
export function nodeIterationRows(leaves: { name: string; mode: string }[], folders: NodeIterationFolder[]) {
  const names = [...new Set([...leaves.map((l) => l.name), ...folders.map((f) => f.name)])].sort().reverse();
  return names.map((name) => {
    const leaf = leaves.find((l) => l.name === name) ?? null;
    const folder = folders.find((f) => f.name === name) ?? null;
    return {
      name,
      inDirectory: leaf !== null,
      leafMode: leaf?.mode ?? null,
      /** Only on the node, under an iteration's name: restored from its folder, the machine's leaf holding the restore. */
      onlyOnNode: leaf === null && (folder?.isIteration ?? false),
      folder: folder ? { path: folder.path, files: folder.files.map((f) => ({ name: f.name, sizeBytes: f.sizeBytes, type: f.type })), totalBytes: folder.totalBytes } : null,
    };
  });
}
