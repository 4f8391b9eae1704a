import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCommand, shellQuote } from './quote';

/** Values an attacker (or an unlucky administrator) could put into the directory or a form. */
const HOSTILE = [
  'plain',
  '',
  'with space',
  '  leading and trailing  ',
  "it's",
  "''",
  "'; rm -rf / #",
  '"double" quotes',
  'semi;colon',
  'a && b || c',
  '$(touch /tmp/pwned-quote)',
  '`touch /tmp/pwned-quote`',
  '${HOME} $HOME $0 $@ $*',
  'new\nline',
  '\nleading newline',
  'carriage\rreturn',
  'tab\there',
  'back\\slash\\',
  '*?[a-z]{1,2}~',
  '> /tmp/pwned-quote < /etc/passwd | cat &',
  '-n',
  '--',
  '!event',
  '#comment',
  'ünïcödé ✓ 名前',
  'mixed \'"$(`;\n',
];

/** Runs the built command line in a real shell and returns the arguments the program received. */
function argumentsSeenBy(shell: string, values: string[]): string[] {
  // printf prints each argument followed by NUL, so any byte sequence comes back exactly.
  const out = execFileSync(shell, ['-c', buildCommand(['printf', '%s\\0', ...values])], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it('wraps in single quotes and escapes single quotes only', () => {
    expect(shellQuote('abc')).toBe("'abc'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('$(x) `y` "z" ;\n')).toBe(`'$(x) \`y\` "z" ;\n'`);
  });

  it('refuses NUL instead of letting a shell truncate the argument', () => {
    expect(() => shellQuote('a\0b')).toThrow(expect.objectContaining({ code: 'invalid-input' }));
    expect(() => buildCommand(['cat', '/etc/\0passwd'])).toThrow(/NUL/);
  });

  it('refuses an empty command', () => {
    expect(() => buildCommand([])).toThrow(expect.objectContaining({ code: 'invalid-input' }));
  });

  for (const shell of ['/bin/sh', '/bin/dash', '/bin/bash'].filter((s) => existsSync(s))) {
    it(`passes every hostile value through ${shell} unchanged, as one argument each`, () => {
      const marker = mkdtempSync(join(tmpdir(), 'quote-'));
      const values = HOSTILE.map((v) => v.replace('/tmp/pwned-quote', join(marker, 'pwned')));
      expect(argumentsSeenBy(shell, values)).toEqual(values);
      expect(argumentsSeenBy(shell, [values.join('')])).toEqual([values.join('')]);
      // Nothing was executed, redirected or created.
      expect(readdirSync(marker)).toEqual([]);
    });
  }

  it('quotes the program name too, so a value can never become a second command', () => {
    expect(buildCommand(['echo; id', 'x'])).toBe(`'echo; id' 'x'`);
    expect(() => execFileSync('/bin/sh', ['-c', buildCommand(['echo; id'])], { stdio: 'pipe' })).toThrow();
  });
});
