import 'server-only';
import { AppError } from '@/lib/errors';
import { CONFINE_FUNCTION, REFUSED, confinedPaths, refusal, runConfined } from './confine';
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
    if (!match)
      throw new AppError('command-failed', `Checking ${path} on node ${node} failed: ${line.replace(/^error /, '') || 'no answer'}`);
    return { path, exists: true, type: fileType(match[3]), sizeBytes: Number(match[1]), mtime: new Date(Number(match[2]) * 1000) };
  });
}

const MKDIR_SCRIPT = `${CONFINE_FUNCTION}
confine "$1" "$2" folder-or-none || exit 77
if [ -n "$3" ]; then exec mkdir -p -m "$3" -- "$1"; fi
exec mkdir -p -- "$1"`;

/**
 * `mkdir -p`, only strictly below `under` and without following a link on the way (checked on
 * the node first), optionally with an octal mode for the last folder (e.g. '770').
 */
export async function makeDirectory(node: string, path: string, options: { under: string; mode?: string }): Promise<void> {
  const confined = confinedPaths(path, options.under);
  const { mode } = options;
  if (mode !== undefined && !/^[0-7]{3,4}$/.test(mode))
    throw new AppError('invalid-input', `${JSON.stringify(mode)} is not an octal file mode such as 770.`);
  await runConfined(node, ['sh', '-c', MKDIR_SCRIPT, 'sh', confined.path, confined.root, mode ?? ''], `Creating the folder ${path}`, [
    'mkdir',
    '-p',
    ...(mode ? ['-m', mode] : []),
    '--',
    confined.path,
  ]);
}

// A move across file systems would silently become a slow, non-atomic copy of a whole image.
const MOVE_SCRIPT = `${CONFINE_FUNCTION}
export LC_ALL=C
confine "$1" "$3" file || exit 77
confine "$2" "$4" file-or-none || exit 77
s=$(stat -c %d -- "$1") || exit 1
d=$(stat -c %d -- "$5") || exit 1
if [ "$s" != "$d" ]; then echo "$1 and the folder $5 are on different file systems; refusing to move" >&2; exit 75; fi
exec mv -T -- "$1" "$2"`;

export interface MoveRoots {
  /** The source must be a regular file below this folder, reached without a link. */
  sourceRoot: string;
  /** The destination must be below this folder, reached without a link, and not be a link itself. */
  destinationRoot: string;
}

/**
 * `mv -T -- src dst` within one file system (refused otherwise), each side confined below its
 * root on the node. `-T` makes an existing folder at `dst` an error instead of a place to move into.
 */
export async function moveFile(node: string, src: string, dst: string, roots: MoveRoots): Promise<void> {
  const source = confinedPaths(src, roots.sourceRoot);
  const destination = confinedPaths(dst, roots.destinationRoot);
  await runConfined(
    node,
    ['sh', '-c', MOVE_SCRIPT, 'sh', source.path, destination.path, source.root, destination.root, parentDirectory(destination.path)],
    `Moving ${src} to ${dst}`,
    ['mv', '-T', '--', source.path, destination.path],
  );
}

// Nothing on the way from the root to the path, nor the path itself, may be a link: the node
// walks it (confine) right before removing. Links inside the removed tree are removed, not followed.
const REMOVE_SCRIPT = `${CONFINE_FUNCTION}
if [ ! -e "$1" ] && [ ! -L "$1" ]; then exit 0; fi
confine "$1" "$2" any || exit 77
echo removing
exec rm -rf -- "$1"`;

/**
 * `rm -rf -- path`, only when `path` is strictly inside `under` (checked here and, walking the
 * path without following links, on the node). Returns whether something was there to remove.
 */
export async function removeTree(node: string, path: string, options: { under: string }): Promise<{ removed: boolean }> {
  const confined = confinedPaths(path, options.under);
  const { stdout } = await runConfined(node, ['sh', '-c', REMOVE_SCRIPT, 'sh', confined.path, confined.root], `Removing ${path}`, [
    'rm',
    '-rf',
    '--',
    confined.path,
  ]);
  return { removed: stdout.startsWith('removing') };
}

// rmdir removes only empty folders; every one is walked first, so no link on the way is followed.
const RMDIR_SCRIPT = `${CONFINE_FUNCTION}
root=$1
shift
for p do
  if [ ! -e "$p" ] && [ ! -L "$p" ]; then continue; fi
  confine "$p" "$root" folder || exit 77
done
for p do rmdir -- "$p" 2>/dev/null || true; done`;

/** Removes each of `folders` (strictly below `under`) that is empty, innermost first; folders that hold anything stay. */
export async function removeEmptyFolders(node: string, folders: readonly string[], options: { under: string }): Promise<void> {
  const confined = folders.map((f) => confinedPaths(f, options.under));
  if (confined.length === 0) return;
  const innermostFirst = confined.map((c) => c.path).sort((a, b) => b.length - a.length);
  await runConfined(node, ['sh', '-c', RMDIR_SCRIPT, 'sh', confined[0].root, ...innermostFirst], 'Removing empty folders', [
    'rmdir',
    '--',
    ...innermostFirst,
  ]);
}

const READ_SCRIPT = `${CONFINE_FUNCTION}
if [ -L "$1" ]; then echo "$1 is a symbolic link; it was not read" >&2; exit 77; fi
[ -f "$1" ] || { echo "$1 is not a file" >&2; exit 66; }
if [ -n "$3" ]; then confine "$1" "$3" file || exit 77; fi
exec head -c "$2" -- "$1"`;

/**
 * A file's bytes, as they are on the node. Refuses files larger than `maxBytes` (with `head`,
 * returns their first `maxBytes` instead) and symbolic links; with `under`, the file must be below
 * that folder, reached without a link. A missing file is `not-found`. For files whose encoding the
 * reader handles itself (an LDIF may fold a line inside a UTF-8 character).
 */
export async function readFileBytes(
  node: string,
  path: string,
  maxBytes: number,
  options: { under?: string; head?: boolean } = {},
): Promise<Buffer> {
  const confined = options.under === undefined ? { path: assertSafePath(path), root: '' } : confinedPaths(path, options.under);
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new AppError('invalid-input', 'maxBytes must be a whole number of bytes.');
  const chunks: Buffer[] = [];
  let bytes = 0;
  const result = await runOnNode(
    node,
    ['sh', '-c', READ_SCRIPT, 'sh', confined.path, String(options.head ? maxBytes : maxBytes + 1), confined.root],
    {
      onStdout: (chunk) => {
        bytes += chunk.length;
        chunks.push(chunk);
      },
      maxOutputBytes: Math.max(maxBytes + 1, 1024 * 1024),
    },
  );
  if (result.code === 66) throw new AppError('not-found', `${path} does not exist on node ${node}.`);
  if (result.code === REFUSED) throw refusal(node, `Reading ${path}`, result.stderr, ['head', '-c', String(maxBytes), '--', confined.path]);
  if (result.code !== 0)
    throw new CommandFailedError({ node, what: `Reading ${path}`, exitCode: result.code, stderr: result.stderr, argv: ['head', path] });
  if (bytes > maxBytes) throw new AppError('command-failed', `${path} on node ${node} is larger than ${maxBytes} bytes; it was not read.`);
  return Buffer.concat(chunks, bytes);
}

/** A text file's content, decoded as UTF-8; otherwise as readFileBytes. */
export async function readTextFile(
  node: string,
  path: string,
  maxBytes: number,
  options: { under?: string; head?: boolean } = {},
): Promise<string> {
  return (await readFileBytes(node, path, maxBytes, options)).toString('utf8');
}

// Written next to the target and renamed, so a reader never sees half a file. noclobber (set -C)
// makes the redirection refuse an existing name, so a link planted at the temporary name is not followed.
const WRITE_SCRIPT = `${CONFINE_FUNCTION}
confine "$1" "$2" file-or-none || exit 77
tmp="$1.partial-$$"
rm -f -- "$tmp"
set -C
if cat > "$tmp" && mv -f -T -- "$tmp" "$1"; then exit 0; fi
rm -f -- "$tmp"
exit 1`;

/**
 * Writes a file strictly below `under`, reached without a link and not replacing anything but a
 * regular file; the content travels on standard input, never on the command line.
 */
export async function writeTextFile(node: string, path: string, content: string | Buffer, options: { under: string }): Promise<void> {
  const confined = confinedPaths(path, options.under);
  await runConfined(node, ['sh', '-c', WRITE_SCRIPT, 'sh', confined.path, confined.root], `Writing ${path}`, ['tee', '--', confined.path], {
    stdin: content,
  });
}
