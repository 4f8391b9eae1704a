import 'server-only';
import { AppError } from '@/lib/errors';
import { CONFINE_FUNCTION, confinedPaths, runConfined } from './confine';
import { CommandFailedError } from './errors';
import { assertSafePath, parentDirectory } from './paths';
import { runChecked, runOnNode } from './run';
import { STOP_WRITERS_FUNCTION } from './writers';

/**
 * Disk images replaced by rename: the node operations that let a restore (and its undo) change
 * a machine's disks while it is stopped without writing any image data then. A copy is made
 * beside the live image while the machine runs, checked against its source and made durable
 * (`sealCopies`); while the machine is stopped, `placeByRename` renames the live image to the
 * name it is kept under and the copy to the live name (rename(2) within one folder: no data is
 * written, whatever the size); `removeFiles` discards what is no longer needed. A file is told
 * by its identity, device and inode number (`stat -c %d:%i`): a rename keeps it, anything that
 * writes a new file changes it, so a repeated or resumed step can see exactly what happened.
 */

/** `<device>:<inode>`, as `stat -c %d:%i` prints it. */
export type FileId = string;

export type FileIdentity =
  | { path: string; exists: true; id: FileId; sizeBytes: number; allocatedBytes: number; mtime: Date }
  | { path: string; exists: false; reason: 'missing' | 'symbolic link' | 'not a regular file' };

const IDENTIFY_SCRIPT = String.raw`export LC_ALL=C
for p do
  if [ -L "$p" ]; then echo link
  elif [ ! -e "$p" ]; then echo missing
  elif [ ! -f "$p" ]; then echo other
  elif out=$(stat -c '%d:%i %s %b %B %Y' -- "$p" 2>&1); then printf 'file %s\n' "$out"
  else printf 'error %s\n' "$(printf '%s' "$out" | tr '\n' ' ')"; fi
done`;

/**
 * Identity, size, space taken and modification time of each path, in order. Symbolic links are
 * reported, never followed; only a regular file "exists" here.
 */
export async function identifyFiles(node: string, paths: readonly string[]): Promise<FileIdentity[]> {
  if (paths.length === 0) return [];
  for (const p of paths) assertSafePath(p);
  const { stdout } = await runChecked(node, ['sh', '-c', IDENTIFY_SCRIPT, 'sh', ...paths], 'Looking at disk images');
  const lines = stdout.split('\n');
  return paths.map((path, i): FileIdentity => {
    const line = lines[i] ?? '';
    if (line === 'missing') return { path, exists: false, reason: 'missing' };
    if (line === 'link') return { path, exists: false, reason: 'symbolic link' };
    if (line === 'other') return { path, exists: false, reason: 'not a regular file' };
    const match = /^file (\d+:\d+) (\d+) (\d+) (\d+) (\d+)$/.exec(line);
    if (!match)
      throw new AppError('command-failed', `Looking at ${path} on node ${node} failed: ${line.replace(/^error /, '') || 'no answer'}`);
    return {
      path,
      exists: true,
      id: match[1],
      sizeBytes: Number(match[2]),
      allocatedBytes: Number(match[3]) * Number(match[4]),
      mtime: new Date(Number(match[5]) * 1000),
    };
  });
}

const CHECKSUM_SCRIPT = `${CONFINE_FUNCTION}
export LC_ALL=C
while [ $# -ge 2 ]; do
  confine "$1" "$2" file || exit 77
  sum=$(cksum < "$1") || { printf 'cksum could not read %s\\n' "$1" >&2; exit 1; }
  printf 'sum %s\\n' "$sum"
  shift 2
done`;

export interface Checksum {
  checksum: string;
  sizeBytes: number;
}

/**
 * `cksum` of each file (below its root, reached without a link), in one command. Run beside the
 * copy of a file, it reads the source as the copy does, so the source is read from disk once.
 */
export async function checksumFiles(
  node: string,
  files: readonly { path: string; root: string }[],
  options: { signal?: AbortSignal } = {},
): Promise<Checksum[]> {
  if (files.length === 0) return [];
  const args = files.flatMap((f) => {
    const c = confinedPaths(f.path, f.root);
    return [c.path, c.root];
  });
  const { stdout } = await runConfined(
    node,
    ['sh', '-c', CHECKSUM_SCRIPT, 'sh', ...args],
    'Checksumming files',
    ['cksum', ...files.map((f) => f.path)],
    { timeoutMs: 0, signal: options.signal },
  );
  const sums = stdout
    .split('\n')
    .map((l) => /^sum (\d+) (\d+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  if (sums.length !== files.length)
    throw new AppError('command-failed', `Checksumming files on node ${node} gave ${sums.length} of ${files.length} answers.`);
  return sums.map((m) => ({ checksum: m[1], sizeBytes: Number(m[2]) }));
}

export interface SealItem {
  /** What was copied (read only), below `sourceRoot`. */
  source: string;
  sourceRoot: string;
  /** The copy, below `copyRoot`. */
  copy: string;
  copyRoot: string;
  /** Write the copy and its folder out to disk (fsync) before answering. */
  durable: boolean;
  /** `copy`: only the copy is checksummed here (the source's sum was taken while it was copied). */
  checksums: 'both' | 'copy';
}

export interface SealResult {
  /** null where only the copy was checksummed. */
  source: Checksum | null;
  copy: Checksum & { id: FileId };
}

// Sextuples: source, its root, copy, its root, the copy's folder when it must be made durable
// (empty otherwise), and `both` or `copy`: which of the two are checksummed here. The checksums of the sources and of the copies are computed side by
// side while the copies are written out (sync FILE fsyncs a file, sync FOLDER its entries):
// reading is CPU and page cache, writing out is the disk, so the three overlap. cksum is POSIX's
// CRC: what it looks for is a copy that differs by accident, and it reads as fast as the page
// cache delivers (GNU coreutils 9), where a cryptographic sum would take longer than the copy.
const SEAL_SCRIPT = `${CONFINE_FUNCTION}
export LC_ALL=C
check() {
  while [ $# -ge 6 ]; do
    confine "$1" "$2" file || return 77
    confine "$3" "$4" file || return 77
    shift 6
  done
}
check "$@" || exit 77
sums() {
  side=$1; shift
  while [ $# -ge 6 ]; do
    if [ "$side" = source ]; then f=$1; else f=$3; fi
    if [ "$side" = source ] && [ "$6" != both ]; then
      echo '- -'
    else
      sum=$(cksum < "$f") || { printf 'cksum could not read %s\\n' "$f" >&2; return 1; }
      printf '%s\\n' "$sum"
    fi
    shift 6
  done
}
durable() {
  while [ $# -ge 6 ]; do
    if [ -n "$5" ]; then sync -- "$3" "$5" || { printf 'sync of %s failed\\n' "$3" >&2; return 1; }; fi
    shift 6
  done
}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf -- "$tmp"' EXIT
sums source "$@" > "$tmp/source" &
a=$!
sums copy "$@" > "$tmp/copy" &
b=$!
durable "$@"
d=$?
wait "$a"; sa=$?
wait "$b"; sb=$?
[ "$d" -eq 0 ] && [ "$sa" -eq 0 ] && [ "$sb" -eq 0 ] || exit 1
sed 's/^/source /' "$tmp/source"
sed 's/^/copy /' "$tmp/copy"
while [ $# -ge 6 ]; do
  printf 'id %s\\n' "$(stat -c %d:%i -- "$3")" || exit 1
  shift 6
done`;

/**
 * Checks each copy against what it was copied from (size and checksum, both read on the node)
 * and, where asked, writes the copy and its folder out to disk, in one command. Returns the
 * checksums, sizes and the copies' identities; comparing them is the caller's decision.
 */
export async function sealCopies(node: string, items: readonly SealItem[]): Promise<SealResult[]> {
  if (items.length === 0) return [];
  const args: string[] = [];
  for (const item of items) {
    const source = confinedPaths(item.source, item.sourceRoot);
    const copy = confinedPaths(item.copy, item.copyRoot);
    args.push(source.path, source.root, copy.path, copy.root, item.durable ? parentDirectory(copy.path) : '', item.checksums);
  }
  // Reading both sides of a large image takes a while on a slow disk; a hung disk is still caught.
  const { stdout } = await runConfined(
    node,
    ['sh', '-c', SEAL_SCRIPT, 'sh', ...args],
    'Checking and writing out the copies',
    ['cksum', ...items.flatMap((i) => [i.source, i.copy])],
    { timeoutMs: 6 * 3600_000 },
  );
  const lines = stdout.split('\n');
  const side = (prefix: string) => lines.filter((l) => l.startsWith(`${prefix} `)).map((l) => l.slice(prefix.length + 1));
  const sources = side('source');
  const copies = side('copy');
  const ids = side('id');
  return items.map((item, i) => {
    const s = /^(\d+) (\d+)$/.exec(sources[i] ?? '');
    const c = /^(\d+) (\d+)$/.exec(copies[i] ?? '');
    if ((item.checksums === 'both' && !s) || !c || !/^\d+:\d+$/.test(ids[i] ?? ''))
      throw new AppError('command-failed', `Checking the copy ${item.copy} on node ${node} gave no readable answer.`);
    return {
      source: s && item.checksums === 'both' ? { checksum: s[1], sizeBytes: Number(s[2]) } : null,
      copy: { checksum: c[1], sizeBytes: Number(c[2]), id: ids[i] },
    };
  });
}

/**
 * One live image replaced by rename. The file now at `live` (identity `currentId`, or none when
 * nothing is expected there) is renamed to `outgoing`; then `incoming` (identity `incomingId`)
 * is renamed to `live`. Without `incoming`, the live image is only moved aside; without
 * `currentId`, nothing may be at `live`. All names are in one folder, so each rename is
 * rename(2) and writes no data.
 */
export interface PlaceByRename {
  live: string;
  outgoing: string | null;
  currentId: FileId | null;
  incoming: string | null;
  incomingId: FileId | null;
}

export type PlacedAs = 'placed' | 'already placed';

// Arguments: the root, then quintuples live, outgoing, current id, incoming, incoming id (empty
// when none). Every path is confined first (in a function, whose own positional parameters it
// shifts), then each disk in turn; a state the console did not expect refuses (exit 76) before
// that disk's first rename, and the answer says how far it got.
const PLACE_SCRIPT = `${CONFINE_FUNCTION}
export LC_ALL=C
id() { stat -c %d:%i -- "$1"; }
here() { [ -e "$1" ] || [ -L "$1" ]; }
refuse() { printf '%s\\n' "$1" >&2; exit 76; }
check() {
  while [ $# -ge 5 ]; do
    confine "$1" "$root" file-or-none || return 77
    if [ -n "$2" ]; then confine "$2" "$root" file-or-none || return 77; fi
    if [ -n "$4" ]; then confine "$4" "$root" file-or-none || return 77; fi
    shift 5
  done
}
root=$1
shift
check "$@" || exit 77
i=0
while [ $# -ge 5 ]; do
  live=$1 outgoing=$2 current=$3 incoming=$4 incoming_id=$5
  shift 5
  if [ -n "$incoming" ] && [ -e "$live" ] && [ ! -L "$live" ] && [ "$(id "$live")" = "$incoming_id" ]; then
    echo "already $i"; i=$((i + 1)); continue
  fi
  if [ -z "$incoming" ] && [ -n "$current" ] && ! here "$live" && [ -e "$outgoing" ] && [ "$(id "$outgoing")" = "$current" ]; then
    echo "already $i"; i=$((i + 1)); continue
  fi
  if here "$live"; then
    [ -L "$live" ] && refuse "$live is a symbolic link; nothing was renamed"
    now=$(id "$live") || exit 1
    [ -n "$current" ] || refuse "$live exists ($now), but the plan expects no file there; nothing was renamed"
    [ "$now" = "$current" ] || refuse "$live is not the image the plan expects there (found $now, expected $current); nothing was renamed"
    here "$outgoing" && refuse "$outgoing exists already and is not overwritten; nothing was renamed"
    mv -T -- "$live" "$outgoing" || exit 1
  elif [ -n "$current" ]; then
    { [ -e "$outgoing" ] && [ "$(id "$outgoing")" = "$current" ]; } || refuse "$live is missing, and $outgoing is not the image that was there ($current); nothing was renamed"
  fi
  if [ -n "$incoming" ]; then
    { [ -e "$incoming" ] && [ ! -L "$incoming" ] && [ "$(id "$incoming")" = "$incoming_id" ]; } || refuse "$incoming is not the checked copy ($incoming_id); $live was not replaced"
    [ "$(stat -c %d -- "$incoming")" = "$(stat -c %d -- "\${live%/*}/")" ] || refuse "$incoming is on another file system than \${live%/*}; refusing to move"
    here "$live" && refuse "$live appeared meanwhile; it is not overwritten"
    mv -T -- "$incoming" "$live" || exit 1
    [ "$(id "$live")" = "$incoming_id" ] || refuse "$live is not the copy after the rename"
  fi
  echo "placed $i"
  i=$((i + 1))
done`;

/** The exit status of PLACE_SCRIPT (and REMOVE_FILES_SCRIPT) when a file is not what the console expects. */
const STATE_REFUSED = 76;

/**
 * Replaces live images by rename, all of them in one command (see PlaceByRename), below `root`
 * and without following a link. Safe to repeat: a disk whose copy is already live, or whose
 * image is already aside, is reported as `already placed`; a file the plan does not expect is
 * refused with the reason and nothing of that disk is renamed.
 */
export async function placeByRename(node: string, root: string, items: readonly PlaceByRename[]): Promise<PlacedAs[]> {
  if (items.length === 0) return [];
  const args: string[] = [];
  const shown: string[] = [];
  let confinedRoot = root;
  for (const item of items) {
    const live = confinedPaths(item.live, root);
    confinedRoot = live.root;
    const folder = parentDirectory(live.path);
    for (const other of [item.outgoing, item.incoming]) {
      if (other !== null && parentDirectory(confinedPaths(other, root).path) !== folder) {
        throw new AppError('unsafe-path', `${other} is not in the folder of ${item.live}; images are only renamed within their folder.`);
      }
    }
    if ((item.incoming === null) !== (item.incomingId === null) || (item.outgoing === null && item.currentId !== null)) {
      throw new AppError('invalid-input', `Replacing ${item.live}: a name without its identity, or an image with nowhere to go.`);
    }
    for (const id of [item.currentId, item.incomingId])
      if (id !== null && !/^\d+:\d+$/.test(id)) throw new AppError('invalid-input', `${JSON.stringify(id)} is not a file identity.`);
    args.push(live.path, item.outgoing ?? '', item.currentId ?? '', item.incoming ?? '', item.incomingId ?? '');
    if (item.outgoing && item.currentId) shown.push(`mv -T -- ${live.path} ${item.outgoing}`);
    if (item.incoming) shown.push(`mv -T -- ${item.incoming} ${live.path}`);
  }
  const result = await runOnNode(node, ['sh', '-c', PLACE_SCRIPT, 'sh', confinedRoot, ...args]);
  const reason = result.stderr.trim().split('\n').filter(Boolean).pop();
  if (result.code === STATE_REFUSED)
    throw new AppError(
      'conflict',
      `Replacing the disk images on node ${node} was refused: ${reason ?? 'a file is not what the plan expects'}.`,
      result.stderr,
    );
  if (result.code === 77)
    throw new AppError(
      'unsafe-path',
      `Replacing the disk images on node ${node} was refused: ${reason ?? 'a path is not where it belongs'}.`,
      result.stderr,
    );
  if (result.code !== 0)
    throw new CommandFailedError({
      node,
      what: 'Replacing the disk images',
      exitCode: result.code,
      stderr: result.stderr,
      argv: ['sh', '-c', shown.join(' && ') || 'true'],
    });
  const out: PlacedAs[] = [];
  for (const line of result.stdout.split('\n')) {
    const m = /^(already|placed) (\d+)$/.exec(line);
    if (m) out[Number(m[2])] = m[1] === 'already' ? 'already placed' : 'placed';
  }
  if (out.length !== items.length || out.some((x) => x === undefined))
    throw new AppError('command-failed', `Replacing the disk images on node ${node} gave no complete answer.`);
  return out;
}

// Arguments: the root, whether to stop writers first (1 or 0), then pairs path, expected
// identity (empty: whatever regular file is there). A file that is not the expected one is
// refused (76) before anything is removed; a missing one counts as removed.
const REMOVE_FILES_SCRIPT = `${CONFINE_FUNCTION}
${STOP_WRITERS_FUNCTION}
export LC_ALL=C
root=$1 stop=$2
shift 2
check() {
  while [ $# -ge 2 ]; do
    confine "$1" "$root" file-or-none || return 77
    if [ -e "$1" ] && [ -n "$2" ] && [ "$(stat -c %d:%i -- "$1")" != "$2" ]; then
      printf '%s is not the file the console expects there (%s); nothing was removed\\n' "$1" "$2" >&2; return 76
    fi
    shift 2
  done
}
check "$@" || exit $?
while [ $# -ge 2 ]; do
  if [ -e "$1" ]; then
    if [ "$stop" = 1 ]; then stop_writers "$1" || exit 1; fi
    rm -f -- "$1" || exit 1
    echo "removed $1"
  fi
  shift 2
done`;

/**
 * Removes single regular files strictly below `root`, each only when it is the file expected
 * (its identity, when given), never a link or a folder. `stopWriters`: whatever still writes a
 * file (a copy a cut connection left running) is stopped first. Returns the paths removed.
 */
export async function removeFiles(
  node: string,
  root: string,
  files: readonly { path: string; id: FileId | null }[],
  options: { stopWriters?: boolean } = {},
): Promise<string[]> {
  if (files.length === 0) return [];
  const args: string[] = [];
  let confinedRoot = root;
  for (const file of files) {
    const confined = confinedPaths(file.path, root);
    confinedRoot = confined.root;
    if (file.id !== null && !/^\d+:\d+$/.test(file.id))
      throw new AppError('invalid-input', `${JSON.stringify(file.id)} is not a file identity.`);
    args.push(confined.path, file.id ?? '');
  }
  const shown = ['rm', '-f', '--', ...files.map((f) => f.path)];
  const result = await runConfined(
    node,
    ['sh', '-c', REMOVE_FILES_SCRIPT, 'sh', confinedRoot, options.stopWriters ? '1' : '0', ...args],
    'Removing files',
    shown,
  ).catch((error: unknown) => {
    if (error instanceof CommandFailedError && error.exitCode === STATE_REFUSED) {
      throw new AppError(
        'conflict',
        `Removing files on node ${node} was refused: ${error.stderr.trim().split('\n').pop() ?? 'a file is not the expected one'}.`,
      );
    }
    throw error;
  });
  return result.stdout
    .split('\n')
    .filter((l) => l.startsWith('removed '))
    .map((l) => l.slice('removed '.length));
}
