import 'server-only';
import { AppError } from '@/lib/errors';
import { CommandFailedError } from './errors';
import { assertSafePath, normalizePath } from './paths';
import { buildCommand } from './quote';
import { runOnNode, type RunOptions, type RunResult } from './run';

/**
 * Confinement on the node: a path the console writes, moves to, removes or reads from a backup
 * must lie below the root it belongs to (virtualization root, retain directory, backup root)
 * and reach it without following a symbolic link. The lexical check (assertSafePath) runs
 * first, in the console; the node then walks the path from the root down, one component at a
 * time, and refuses a symbolic link anywhere below the root (the root itself may be one: an
 * installation may put /var/backup on another disk that way). The walk runs inside the same
 * command as the operation, right before it, so what is checked is what is acted on.
 *
 * `confine PATH ROOT KIND` is a shell function for the constant scripts of this folder; values
 * reach it only as positional parameters. KIND says what may be at PATH:
 *   file           an existing regular file (something to read or move away)
 *   folder         an existing folder
 *   file-or-none   a regular file or nothing yet (a file to write; its folder must exist)
 *   folder-or-none a folder or nothing yet (a folder to create, with its parents)
 *   any            whatever is there, or nothing (something to remove), but never a link
 * It prints the reason on standard error and returns 77 when the path is refused.
 */
export const CONFINE_FUNCTION = [
  'confine() {',
  '  case $1 in "$2"/?*) ;; *) printf "%s is not inside %s\\n" "$1" "$2" >&2; return 77 ;; esac',
  '  if [ ! -d "$2" ]; then printf "the folder %s does not exist\\n" "$2" >&2; return 77; fi',
  '  c_rest=${1#"$2"/}',
  '  c_path=$2',
  '  while :; do',
  '    case $c_rest in',
  '      */*) c_path=$c_path/${c_rest%%/*}; c_rest=${c_rest#*/} ;;',
  '      *) c_path=$c_path/$c_rest; c_rest= ;;',
  '    esac',
  '    if [ -L "$c_path" ]; then printf "%s is a symbolic link; the console does not follow links below %s\\n" "$c_path" "$2" >&2; return 77; fi',
  '    [ -z "$c_rest" ] && break',
  '    if [ ! -e "$c_path" ]; then',
  '      [ "$3" = folder-or-none ] && return 0',
  '      printf "the folder %s does not exist\\n" "$c_path" >&2; return 77',
  '    fi',
  '    if [ ! -d "$c_path" ]; then printf "%s is not a folder\\n" "$c_path" >&2; return 77; fi',
  '  done',
  '  case $3 in',
  '    file | folder) if [ ! -e "$1" ]; then printf "%s does not exist\\n" "$1" >&2; return 77; fi ;;',
  '  esac',
  '  case $3 in',
  '    file | file-or-none) if [ -e "$1" ] && [ ! -f "$1" ]; then printf "%s is not a regular file\\n" "$1" >&2; return 77; fi ;;',
  '    folder | folder-or-none) if [ -e "$1" ] && [ ! -d "$1" ]; then printf "%s is not a folder\\n" "$1" >&2; return 77; fi ;;',
  '  esac',
  '  return 0',
  '}',
].join('\n');

export type ConfinedKind = 'file' | 'folder' | 'file-or-none' | 'folder-or-none' | 'any';

/** The exit status of a script whose `confine` refused a path. */
export const REFUSED = 77;

/** The lexical half, in the console: absolute, no `..`, strictly below the root. Returns both normalised. */
export function confinedPaths(path: string, root: string): { path: string; root: string } {
  assertSafePath(path, { under: root });
  return { path: normalizePath(path), root: normalizePath(root) };
}

/**
 * Runs a script that uses `confine`: exit 77 becomes an `unsafe-path` error with the node's
 * reason, any other non-zero exit a CommandFailedError naming `what`. Errors show `shownAs`,
 * the command the script stands for (`mv -T -- a b`), which an administrator can read and run.
 */
export async function runConfined(
  node: string,
  argv: readonly string[],
  what: string,
  shownAs: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await runOnNode(node, argv, options);
  if (result.code === REFUSED) throw refusal(node, what, result.stderr, shownAs);
  if (result.code !== 0) throw new CommandFailedError({ node, what, exitCode: result.code, stderr: result.stderr, argv: shownAs });
  return result;
}

/** A path refused on the node: an `unsafe-path` error that, like a failed command, names the command, its exit status and its words. */
export class PathRefusedError extends AppError {
  readonly node: string;
  readonly exitCode = REFUSED;
  readonly stderr: string;
  readonly command: string;

  constructor(node: string, what: string, stderr: string, argv: readonly string[]) {
    const reason = stderr.trim().split('\n').filter(Boolean).pop() ?? 'the path is not where it belongs';
    super('unsafe-path', `${what} on node ${node} was refused: ${reason}.`, `${JSON.stringify(argv)} exited ${REFUSED}: ${stderr.trim()}`);
    this.name = 'PathRefusedError';
    this.node = node;
    this.stderr = stderr;
    this.command = buildCommand(argv);
  }
}

export function refusal(node: string, what: string, stderr: string, argv: readonly string[]): PathRefusedError {
  return new PathRefusedError(node, what, stderr, argv);
}

export interface ConfinedCheck {
  path: string;
  root: string;
  kind: ConfinedKind;
}

const CHECK_SCRIPT = `${CONFINE_FUNCTION}
while [ $# -ge 3 ]; do
  if reason=$(confine "$1" "$2" "$3" 2>&1); then echo ok; else printf 'refused %s\\n' "$(printf '%s' "$reason" | tr '\\n' ' ')"; fi
  shift 3
done`;

/**
 * Checks many paths at once without acting on any, in one command (for pre-flight checks and
 * plans): the reason each one is refused, or null. A path that fails the lexical check is
 * refused here without asking the node.
 */
export async function checkConfined(node: string, checks: readonly ConfinedCheck[]): Promise<(string | null)[]> {
  const answers: (string | null | undefined)[] = checks.map(() => undefined);
  const args: string[] = [];
  const asked: number[] = [];
  checks.forEach((check, i) => {
    try {
      const { path, root } = confinedPaths(check.path, check.root);
      args.push(path, root, check.kind);
      asked.push(i);
    } catch (error) {
      answers[i] = error instanceof Error ? error.message : String(error);
    }
  });
  if (asked.length > 0) {
    const { stdout } = await runConfined(node, ['sh', '-c', CHECK_SCRIPT, 'sh', ...args], 'Checking paths', ['test', ...args]);
    const lines = stdout.split('\n');
    asked.forEach((index, n) => {
      const line = lines[n] ?? '';
      answers[index] =
        line === 'ok'
          ? null
          : line.startsWith('refused ')
            ? `${line.slice('refused '.length).trim()}.`
            : 'the node gave no answer for this path.';
    });
  }
  return answers.map((a) => a ?? null);
}
