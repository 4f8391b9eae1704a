import { AppError } from '@/lib/errors';

/**
 * The one way a value becomes part of a command line on a node. sshd hands the command string
 * to the node user's login shell (`$SHELL -c <string>`), and the command runner (runner.ts) to
 * its /bin/sh (`eval "set -- <string>"`), so every argument is wrapped in POSIX
 * single quotes, inside which no character is special; a single quote itself is written as
 * '\'' (close, escaped quote, reopen). This holds for sh, dash, bash, ksh and zsh; the node
 * user's login shell must be one of them (README, "Nodes").
 */
export function shellQuote(value: string): string {
  assertNoNul(value);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Builds a command line from an argument vector; the only constructor of command strings.
 * Every element is quoted, including the program name, so nothing in argv is ever parsed by
 * the shell as syntax (no globbing, no expansion, no redirection, no second command).
 */
export function buildCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new AppError('invalid-input', 'A node command needs at least a program name.');
  return argv.map(shellQuote).join(' ');
}

/**
 * A NUL byte cannot be passed through exec(2) at all; a shell would silently truncate the
 * argument there, so a value with NUL is refused instead of being shortened.
 */
function assertNoNul(value: string): void {
  if (typeof value !== 'string') throw new AppError('invalid-input', 'A node command argument is not text.');
  if (value.includes('\0')) throw new AppError('invalid-input', 'A node command argument contains a NUL character; it was not sent.');
}
