/**
 * Where an iteration's files are on the node (spec/restore-protocol.md, "Files of an
 * iteration"): `<backupRoot>/<spDir>/<spUuid>/<vmUuid>/<iteration>/`, where `<spDir>/<spUuid>` is
 * the folder of the machine's first disk image relative to the virtualization root. The node
 * daemon derives it the same way, so a console that guessed differently would look in the
 * wrong place.
 */

export interface IterationFile {
  name: string;
  kind: 'xml' | 'ldif' | 'state' | 'disk';
  /** The disk target (vda, vdb, …) for disk images. */
  disk?: string;
}

export type IterationFolder = { ok: true; folder: string; intermediate: string; files: IterationFile[] } | { ok: false; reason: string };

export function fileUrlToPath(url: string): string | null {
  const match = /^file:\/\/(\/.*)$/i.exec(url.trim());
  if (!match) return null;
  const path = match[1].replace(/\/+$/, '') || '/';
  return path.split('/').includes('..') ? null : path;
}

function posixDirname(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

function posixBasename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function iterationFolder(input: {
  backupRoot: string | undefined;
  virtualizationRoot: string;
  disks: { target: string; device: string | null; sourceFile: string | null }[];
  machineUuid: string;
  iteration: string;
}): IterationFolder {
  if (!input.backupRoot) return { ok: false, reason: 'No backup root directory is configured for this machine.' };
  const root = fileUrlToPath(input.backupRoot);
  if (!root)
    return {
      ok: false,
      reason: `The backup root ${input.backupRoot} is not a file:/// URL of an absolute path; the node daemon only supports file://.`,
    };
  const disks = input.disks.filter((d) => (d.device ?? 'disk').toLowerCase() === 'disk');
  const first = disks[0];
  if (!first?.sourceFile)
    return { ok: false, reason: 'The machine has no disk image (a device of type disk with a source file) in the directory.' };
  const prefix = `${input.virtualizationRoot.replace(/\/+$/, '')}/`;
  const folderOfFirst = posixDirname(first.sourceFile);
  if (!`${folderOfFirst}/`.startsWith(prefix) || folderOfFirst.split('/').includes('..')) {
    return {
      ok: false,
      reason: `The first disk image ${first.sourceFile} is not below ${prefix}, so the backup folder cannot be derived.`,
    };
  }
  const intermediate = `${folderOfFirst.slice(prefix.length)}/${input.machineUuid}/${input.iteration}`;
  const it = input.iteration;
  const files: IterationFile[] = [
    { name: `${input.machineUuid}.xml.${it}`, kind: 'xml' },
    { name: `${input.machineUuid}.ldif.${it}`, kind: 'ldif' },
    { name: `${input.machineUuid}.state.${it}`, kind: 'state' },
    ...disks
      .filter((d) => d.sourceFile)
      .map((d) => ({ name: `${posixBasename(d.sourceFile ?? '')}.${it}`, kind: 'disk' as const, disk: d.target })),
  ];
  return { ok: true, folder: `${root}/${intermediate}`, intermediate, files };
}
