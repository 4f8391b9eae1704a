import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * OpenSSH known_hosts, read the way `ssh -o StrictHostKeyChecking=yes` reads it: the console
 * only talks to a node whose host key is pinned there. Supported: comma-separated host
 * patterns with `*`/`?` wildcards and `!` negation, `[host]:port` for ports other than 22,
 * hashed names (`|1|salt|hash`, as `ssh-keyscan -H` writes them) and the `@revoked` marker.
 * `@cert-authority` lines are recognised and ignored (host certificates are not supported).
 */

export interface KnownHostEntry {
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  patterns: string[];
  type: string;
  blob: Buffer;
}

export interface ParsedKnownHosts {
  entries: KnownHostEntry[];
  /** Lines that could not be read, with their number; they never match anything. */
  problems: string[];
}

export function parseKnownHosts(text: string): ParsedKnownHosts {
  const entries: KnownHostEntry[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0].startsWith('@')) {
      const word = fields.shift();
      if (word === '@revoked') marker = 'revoked';
      else if (word === '@cert-authority') marker = 'cert-authority';
      else {
        problems.push(`line ${index + 1}: unknown marker ${word}`);
        return;
      }
    }
    const [hosts, type, key] = fields;
    if (!hosts || !type || !key) {
      problems.push(`line ${index + 1}: expected "host key-type base64-key"`);
      return;
    }
    const blob = Buffer.from(key, 'base64');
    if (blob.length === 0 || blob.toString('base64').replace(/=+$/, '') !== key.replace(/=+$/, '')) {
      problems.push(`line ${index + 1}: the key is not base64`);
      return;
    }
    if (keyTypeOf(blob) !== type) {
      problems.push(`line ${index + 1}: the key is not a ${type} key`);
      return;
    }
    entries.push({ line: index + 1, marker, patterns: hosts.split(','), type, blob });
  });
  return { entries, problems };
}

/** The name OpenSSH looks up: the bare host on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return port === 22 ? bare : `[${bare}]:${port}`;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** OpenSSH semantics: some positive pattern matches and no negated one does. */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  let matched = false;
  for (const pattern of entry.patterns) {
    if (pattern.startsWith('|')) {
      if (hashedMatch(pattern, name)) matched = true;
    } else if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOf(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return null;
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** The fingerprint `ssh-keygen -lf` and sshd's log print: SHA256:<base64 without padding>. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export type HostKeyVerdict =
  | { verdict: 'trusted'; line: number }
  | { verdict: 'unknown'; presented: { type: string; fingerprint: string } }
  | { verdict: 'changed'; presented: { type: string; fingerprint: string }; pinned: { type: string; fingerprint: string; line: number }[] }
  | { verdict: 'revoked'; presented: { type: string; fingerprint: string }; line: number };

/** Entries that pin keys for any of the names (node name and/or address as looked up). */
export function pinnedEntries(known: ParsedKnownHosts, names: string[]): KnownHostEntry[] {
  return known.entries.filter((e) => e.marker === null && names.some((n) => entryMatches(e, n)));
}

export function verifyHostKey(known: ParsedKnownHosts, names: string[], presented: Buffer): HostKeyVerdict {
  const shown = { type: keyTypeOf(presented) ?? 'unknown', fingerprint: fingerprint(presented) };
  const revoked = known.entries.find((e) => e.marker === 'revoked' && e.blob.equals(presented));
  if (revoked) return { verdict: 'revoked', presented: shown, line: revoked.line };
  const pinned = pinnedEntries(known, names);
  const match = pinned.find((e) => e.blob.equals(presented));
  if (match) return { verdict: 'trusted', line: match.line };
  if (pinned.length === 0) return { verdict: 'unknown', presented: shown };
  return {
    verdict: 'changed',
    presented: shown,
    pinned: pinned.map((e) => ({ type: e.type, fingerprint: fingerprint(e.blob), line: e.line })),
  };
}

/**
 * The host key algorithms to offer so that the node presents a key of a pinned type (a node
 * with an ed25519 and an RSA key would otherwise present ed25519 even if only RSA is pinned,
 * which would look like a changed key). Empty when nothing is pinned: then any key is
 * accepted for the handshake only to be refused, with its fingerprint, as unknown.
 */
export function hostKeyAlgorithms(entries: KnownHostEntry[]): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    const algorithms =
      entry.type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : SUPPORTED.has(entry.type) ? [entry.type] : [];
    for (const a of algorithms) if (!out.includes(a)) out.push(a);
  }
  return out;
}

const SUPPORTED = new Set(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa']);
