import { AppError } from '@/lib/errors';

/**
 * Path checks for every path that reaches a node command. Paths come from the directory
 * (sstSourceFile, sstBackupRootDirectory, …) and from user choices, so they are validated
 * before use, not trusted: absolute, no `..` segment (which could climb out of a root), no
 * NUL. `under` additionally confines a path strictly below a root, e.g. destructive
 * operations to the retain directory.
 *
 * The check is lexical; every operation that writes, moves or removes repeats it on the node
 * without following symbolic links (confine.ts).
 */
export interface SafePathOptions {
  /** The path must be strictly inside this absolute directory (not equal to it). */
  under?: string;
}

export function assertSafePath(path: string, options: SafePathOptions = {}): string {
  const problem = pathProblem(path);
  if (problem) throw new AppError('unsafe-path', `Refused the path ${describe(path)}: ${problem}.`);
  if (options.under !== undefined) {
    const rootProblem = pathProblem(options.under);
    if (rootProblem) throw new AppError('unsafe-path', `Refused the root ${describe(options.under)}: ${rootProblem}.`);
    if (!isStrictlyInside(path, options.under)) {
      throw new AppError('unsafe-path', `Refused the path ${describe(path)}: it is not inside ${describe(normalizePath(options.under))}.`);
    }
  }
  return path;
}

/** Whether `path` lies strictly below `root` (both already safe), comparing whole segments. */
export function isStrictlyInside(path: string, root: string): boolean {
  const p = segments(path);
  const r = segments(root);
  return p.length > r.length && r.every((segment, i) => p[i] === segment);
}

/** Collapses repeated and trailing slashes; `.` segments are dropped. Does not resolve `..` (refused instead). */
export function normalizePath(path: string): string {
  return `/${segments(path).join('/')}`;
}

/** Joins a safe directory and plain file names (no slash, not `.`/`..`). */
export function joinPath(directory: string, ...names: string[]): string {
  for (const name of names) {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
      throw new AppError('unsafe-path', `Refused the file name ${describe(name)}: it must be a single path segment.`);
    }
  }
  return [normalizePath(directory), ...names].join('/').replace(/^\/\//, '/');
}

export function parentDirectory(path: string): string {
  const parts = segments(path);
  return `/${parts.slice(0, -1).join('/')}`;
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

function pathProblem(path: unknown): string | null {
  if (typeof path !== 'string' || path === '') return 'it is empty';
  if (path.includes('\0')) return 'it contains a NUL character';
  if (!path.startsWith('/')) return 'it is not absolute';
  if (path.split('/').includes('..')) return 'it contains a ".." segment';
  return null;
}

/** JSON quoting shows hostile characters (newlines, quotes) in a message without acting on them. */
function describe(path: unknown): string {
  return typeof path === 'string' ? JSON.stringify(path.length > 300 ? `${path.slice(0, 300)}…` : path) : String(path);
}
