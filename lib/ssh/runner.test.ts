import { describe, expect, it } from 'vitest';
import { MarkerScanner } from './runner';

/** Feeds `chunks` to a scanner; returns what it passed on and what followed the marker. */
function scan(marker: string, chunks: string[]): { passed: string[]; rest: string | null } {
  const scanner = new MarkerScanner(Buffer.from(marker));
  const passed: string[] = [];
  for (const chunk of chunks) {
    const { data, rest } = scanner.push(Buffer.from(chunk));
    passed.push(data.toString());
    if (rest !== null) return { passed, rest: rest.toString() };
  }
  return { passed, rest: null };
}

describe('finding the end marker in a command output', () => {
  it('passes on output at once and stops at the marker', () => {
    expect(scan('abc123 exit ', ['size 10\n', 'size 20\n', 'last lineabc123 exit 0\n'])).toEqual({
      passed: ['size 10\n', 'size 20\n', 'last line'],
      rest: '0\n',
    });
  });

  it('holds back only what could be the start of the marker, also across chunks', () => {
    expect(scan('abc123 exit ', ['xa', 'bc1', '23 ex', 'it 7\n'])).toEqual({ passed: ['x', '', '', ''], rest: '7\n' });
    // "ab" turned out not to be the marker: it is passed on with the next chunk.
    expect(scan('abc123 exit ', ['data ab', 'X more', 'abc123 exit 1\n'])).toEqual({ passed: ['data ', 'abX more', ''], rest: '1\n' });
    expect(scan('abc123 exit ', ['abc12', '3 exit '])).toEqual({ passed: ['', ''], rest: '' });
  });

  it('finds nothing in output that merely resembles the marker', () => {
    expect(scan('abc123 exit ', ['abc124 exit 0\n', 'abc123 exi', 't'])).toEqual({ passed: ['abc124 exit 0\n', '', ''], rest: null });
  });
});
