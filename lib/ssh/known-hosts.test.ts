import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, hostKeyAlgorithms, knownHostName, parseKnownHosts, pinnedEntries, verifyHostKey } from './known-hosts';

let dir: string;
const key = (name: string) => {
  const [type, base64] = readFileSync(join(dir, `${name}.pub`), 'utf8')
    .trim()
    .split(/\s+/);
  return { type, base64, blob: Buffer.from(base64, 'base64') };
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'known-hosts-'));
  for (const [name, type] of [
    ['a', 'ed25519'],
    ['b', 'ed25519'],
    ['r', 'rsa'],
  ] as const) {
    execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', name, '-f', join(dir, name)]);
  }
});

describe('known_hosts', () => {
  it('looks up [host]:port for ports other than 22, as OpenSSH does', () => {
    expect(knownHostName('10.1.120.11', 22)).toBe('10.1.120.11');
    expect(knownHostName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(knownHostName('Node-01.Example.ORG', 22)).toBe('node-01.example.org');
  });

  it('trusts a pinned key, calls another key for the same host changed and an unlisted host unknown', () => {
    const a = key('a');
    const b = key('b');
    const known = parseKnownHosts(
      `# pinned after checking on the console of the node\n[127.0.0.1]:2222,node-01.example.org ${a.type} ${a.base64} root@node-01\n`,
    );
    expect(known.problems).toEqual([]);
    expect(verifyHostKey(known, ['[127.0.0.1]:2222'], a.blob)).toEqual({ verdict: 'trusted', line: 2 });
    expect(verifyHostKey(known, ['node-01.example.org'], a.blob)).toMatchObject({ verdict: 'trusted' });
    expect(verifyHostKey(known, ['[127.0.0.1]:2222'], b.blob)).toEqual({
      verdict: 'changed',
      presented: { type: 'ssh-ed25519', fingerprint: fingerprint(b.blob) },
      pinned: [{ type: 'ssh-ed25519', fingerprint: fingerprint(a.blob), line: 2 }],
    });
    // The same address on port 22 is a different host for OpenSSH.
    expect(verifyHostKey(known, ['127.0.0.1'], a.blob)).toMatchObject({ verdict: 'unknown' });
  });

  it('prints fingerprints as ssh-keygen -l does', () => {
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'a.pub')], { encoding: 'utf8' });
    expect(out).toContain(fingerprint(key('a').blob));
  });

  it('reads hashed names, wildcards, negations and @revoked', () => {
    const a = key('a');
    const b = key('b');
    const plain = join(dir, 'hashed');
    writeFileSync(plain, `[10.0.0.5]:2222 ${a.type} ${a.base64}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', plain], { stdio: 'ignore' });
    const hashed = parseKnownHosts(readFileSync(plain, 'utf8'));
    expect(hashed.entries[0].patterns[0]).toMatch(/^\|1\|/);
    expect(verifyHostKey(hashed, ['[10.0.0.5]:2222'], a.blob)).toMatchObject({ verdict: 'trusted' });
    expect(verifyHostKey(hashed, ['10.0.0.5'], a.blob)).toMatchObject({ verdict: 'unknown' });

    const patterns = parseKnownHosts(`*.example.org,!evil.example.org ${a.type} ${a.base64}\n@revoked * ${b.type} ${b.base64}\n`);
    expect(verifyHostKey(patterns, ['node-07.example.org'], a.blob)).toMatchObject({ verdict: 'trusted' });
    expect(verifyHostKey(patterns, ['evil.example.org'], a.blob)).toMatchObject({ verdict: 'unknown' });
    expect(verifyHostKey(patterns, ['node-07.example.org'], b.blob)).toMatchObject({ verdict: 'revoked', line: 2 });
  });

  it('reports unreadable lines instead of guessing', () => {
    const a = key('a');
    const known = parseKnownHosts(`host-only\n@weird h ${a.type} ${a.base64}\nh ssh-rsa ${a.base64}\nh ssh-ed25519 not*base64\n`);
    expect(known.entries).toEqual([]);
    expect(known.problems).toHaveLength(4);
    expect(known.problems[2]).toMatch(/line 3: the key is not a ssh-rsa key/);
  });

  it('offers only the pinned key types, mapping ssh-rsa to its SHA-2 signatures', () => {
    const a = key('a');
    const r = key('r');
    const known = parseKnownHosts(`n ${a.type} ${a.base64}\nn ${r.type} ${r.base64}\nother ${a.type} ${a.base64}\n`);
    const pinned = pinnedEntries(known, ['n']);
    expect(pinned).toHaveLength(2);
    expect(hostKeyAlgorithms(pinned)).toEqual(['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithms([])).toEqual([]);
  });
});
