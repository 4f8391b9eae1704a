import 'server-only';
import { AppError } from '@/lib/errors';
import { CommandFailedError } from './errors';
import { assertSafePath, parentDirectory } from './paths';
import { runChecked, runOnNode } from './run';

/**
 * File operations on a node, each one program with quoted arguments. Where several steps
 * must happen together, the program is `sh -c` with a constant script from this file and the
 * values as positional parameters ("$1", "$2"), so values are never part of any script text.
 * Scripts run with LC_ALL=C so that tool messages can be recognised.
 */

export type PathStat =
  | { path: string; exists: true; type: 'file' | 'directory' | 'symlink' | 'other'; sizeBytes: number; mtime: Date }
  | { path: string; exists: false };

const STAT_SCRIPT = String.raw`export LC_ALL=C
for p do
  if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo missing
  elif out=$(stat -c '%s %Y %F' -- "$p" 2>&1); then printf 'ok %s\n' "$out"
  else printf 'error %s\n' "$(printf '%s' "$out" | tr '\n' ' ')"; fi
done`;

function fileType(words: string): Extract<PathStat, { exists: true }>['type'] {
  if (/regular/.test(words)) return 'file';
  if (words === 'directory') return 'directory';
  if (words === 'symbolic link') return 'symlink';
  return 'other';
}

/**
 * Size, type and modification time of each path, in the order given. A missing path is
 * reported (`exists: false`), never thrown; symbolic links are reported, not followed.
 */
export async function statPaths(node: string, paths: readonly string[]): Promise<PathStat[]> {
  if (paths.length === 0) return [];
  for (const p of paths) assertSafePath(p);
  const { stdout } = await runChecked(node, ['sh', '-c', STAT_SCRIPT, 'sh', ...paths], 'Checking files');
  const lines = stdout.split('\n').slice(0, paths.length);
  return paths.map((path, i): PathStat => {
    const line = lines[i] ?? '';
    if (line === 'missing') return { path, exists: false };
    const match = /^ok (\d+) (\d+) (.+)$/.exec(line);
    if (!match) throw new AppError('command-failed', `Checking ${path} on node ${node} failed: ${line.replace(/^error /, '') || 'no answer'}`);
    return { path, exists: true, type: fileType(match[3]), sizeBytes: Number(match[1]), mtime: new Date(Number(match[2]) * 1000) };
  });
}

export interface DirectoryEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  sizeBytes: number;
  mtime: Date;
}

// NUL-separated records, so any file name (spaces, newlines) comes back intact.
const LIST_SCRIPT = String.raw`[ -d "$1" ] || exit 66
cd -- "$1" && LC_ALL=C exec find . -mindepth 1 -maxdepth 1 -printf '%y %s %T@ %P\0'`;

/** The entries of a folder (not recursive), sorted by name; `exists: false` when there is no such folder. */
export async function listDirectory(node: string, path: string): Promise<{ exists: false } | { exists: true; entries: DirectoryEntry[] }> {
  assertSafePath(path);
  const result = await runOnNode(node, ['sh', '-c', LIST_SCRIPT, 'sh', path]);
  if (result.code === 66) return { exists: false };
  if (result.code !== 0) throw new CommandFailedError({ node, what: `Listing ${path}`, exitCode: result.code, stderr: result.stderr, argv: ['find', path] });
  const types: Record<string, DirectoryEntry['type']> = { f: 'file', d: 'directory', l: 'symlink' };
  const entries = result.stdout
    .split('\0')
    .filter((r) => r !== '')
    .map((record) => {
      const match = /^(\S) (\d+) ([\d.]+) ([\s\S]*)$/.exec(record);
      if (!match) throw new AppError('command-failed', `Listing ${path} on node ${node} gave an unreadable answer.`);
      return { name: match[4], type: types[match[1]] ?? 'other', sizeBytes: Number(match[2]), mtime: new Date(Math.floor(Number(match[3]) * 1000)) };
    });
  return { exists: true, entries: entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

// The size of every regular file one level below each subfolder, one line each; the sums are
// made here. Apparent sizes, so a sparse image counts as large as it reads back.
const SIZES_SCRIPT = String.raw`[ -d "$1" ] || exit 66
cd -- "$1" && LC_ALL=C exec find . -mindepth 2 -maxdepth 2 -type f -printf '%h\t%s\n'`;

/**
 * Per subfolder of `path`, the total size in bytes of the files in it (not recursive below
 * them); `exists: false` when there is no such folder. One command for all of them.
 */
export async function folderSizes(node: string, path: string): Promise<{ exists: false } | { exists: true; sizes: Map<string, number> }> {
  assertSafePath(path);
  const result = await runOnNode(node, ['sh', '-c', SIZES_SCRIPT, 'sh', path]);
  if (result.code === 66) return { exists: false };
  if (result.code !== 0) throw new CommandFailedError({ node, what: `Measuring the folders in ${path}`, exitCode: result.code, stderr: result.stderr, argv: ['find', path] });
  const sizes = new Map<string, number>();
  for (const line of result.stdout.split('\n')) {
    const match = /^\.\/([^/\t]+)\t(\d+)$/.exec(line);
    if (match) sizes.set(match[1], (sizes.get(match[1]) ?? 0) + Number(match[2]));
  }
  return { exists: true, sizes };
}

/** `mkdir -p`, optionally with an octal mode for the last folder (e.g. '770'). */
export async function makeDirectory(node: string, path: string, mode?: string): Promise<void> {
  assertSafePath(path);
  if (mode !== undefined && !/^[0-7]{3,4}$/.test(mode)) throw new AppError('invalid-input', `${JSON.stringify(mode)} is not an octal file mode such as 770.`);
  await runChecked(node, ['mkdir', '-p', ...(mode ? ['-m', mode] : []), '--', path], `Creating the folder ${path}`);
}

// A move across file systems would silently become a slow, non-atomic copy of a whole image.
const MOVE_SCRIPT = String.raw`export LC_ALL=C
s=$(stat -c %d -- "$1") || exit 1
d=$(stat -c %d -- "$3") || exit 1
if [ "$s" != "$d" ]; then echo "$1 and the folder $3 are on different file systems; refusing to move" >&2; exit 75; fi
exec mv -T -- "$1" "$2"`;

/**
 * `mv -T -- src dst` within one file system (refused otherwise). `-T` makes an existing
 * folder at `dst` an error instead of a place to move into.
 */
export async function moveFile(node: string, src: string, dst: string): Promise<void> {
  assertSafePath(src);
  assertSafePath(dst);
  await runChecked(node, ['sh', '-c', MOVE_SCRIPT, 'sh', src, dst, parentDirectory(dst)], `Moving ${src} to ${dst}`);
}

// Repeats the lexical check after resolving symbolic links on the node, so a link inside the
// root that points elsewhere cannot redirect the removal.
const REMOVE_SCRIPT = String.raw`if [ ! -e "$1" ] && [ ! -L "$1" ]; then exit 0; fi
p=$(readlink -f -- "$1") && r=$(readlink -f -- "$2") || { echo "cannot resolve $1" >&2; exit 1; }
case $p in
  "$r"/?*) ;;
  *) echo "refusing to remove $1: it resolves to $p, which is not inside $r" >&2; exit 77 ;;
esac
echo removing
exec rm -rf -- "$1"`;

/**
 * `rm -rf -- path`, only when `path` is strictly inside `under` (checked here and, after
 * resolving links, on the node). Returns whether something was there to remove.
 */
export async function removeTree(node: string, path: string, options: { under: string }): Promise<{ removed: boolean }> {
  assertSafePath(path, { under: options.under });
  const { stdout } = await runChecked(node, ['sh', '-c', REMOVE_SCRIPT, 'sh', path, options.under], `Removing ${path}`);
  return { removed: stdout.startsWith('removing') };
}

const READ_SCRIPT = String.raw`[ -f "$1" ] || { echo "$1 is not a file" >&2; exit 66; }
exec head -c "$2" -- "$1"`;

/** A text file's content (UTF-8). Refuses files larger than `maxBytes`; a missing file is `not-found`. */
export async function readTextFile(node: string, path: string, maxBytes: number): Promise<string> {
  assertSafePath(path);
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new AppError('invalid-input', 'maxBytes must be a whole number of bytes.');
  let bytes = 0;
  const result = await runOnNode(node, ['sh', '-c', READ_SCRIPT, 'sh', path, String(maxBytes + 1)], {
    onStdout: (chunk) => {
      bytes += chunk.length;
    },
    maxOutputBytes: Math.max(maxBytes + 1, 1024 * 1024),
  });
  if (result.code === 66) throw new AppError('not-found', `${path} does not exist on node ${node}.`);
  if (result.code !== 0) throw new CommandFailedError({ node, what: `Reading ${path}`, exitCode: result.code, stderr: result.stderr, argv: ['head', path] });
  if (bytes > maxBytes) throw new AppError('command-failed', `${path} on node ${node} is larger than ${maxBytes} bytes; it was not read.`);
  return result.stdout;
}

// Written next to the target and renamed, so a reader never sees half a file.
const WRITE_SCRIPT = String.raw`tmp="$1.partial-$$"
if cat > "$tmp" && mv -f -- "$tmp" "$1"; then exit 0; fi
rm -f -- "$tmp"
exit 1`;

/** Writes a file; the content travels on standard input, never on the command line. */
export async function writeTextFile(node: string, path: string, content: string | Buffer): Promise<void> {
  assertSafePath(path);
  await runChecked(node, ['sh', '-c', WRITE_SCRIPT, 'sh', path], `Writing ${path}`, { stdin: content });
}
