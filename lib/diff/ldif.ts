/**
 * LDIF content records (RFC 2849) as the node daemon writes them: Net::LDAP::LDIF without line
 * wrapping, one record per entry, user attributes only. Change records and URL values are refused
 * rather than half-understood: a restore must never act on a file it did not read completely.
 */

export interface LdifAttribute {
  /** As written in the file (first spelling wins when the same attribute appears twice). */
  name: string;
  values: string[];
}

export interface LdifEntry {
  dn: string;
  /** In file order; an attribute split over non-adjacent lines is merged at its first position. */
  attributes: LdifAttribute[];
}

export class LdifSyntaxError extends Error {
  readonly line: number;

  constructor(line: number, message: string) {
    super(`LDIF line ${line}: ${message}`);
    this.name = 'LdifSyntaxError';
    this.line = line;
  }
}

interface LogicalLine {
  text: string;
  line: number;
  kind: 'content' | 'comment' | 'blank';
}

const ATTRIBUTE_DESCRIPTION = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// ignoreBOM: a value may start with U+FEFF, and it is part of the value, not a mark to drop.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const HASH = 0x23;

/**
 * Unfolds at the byte level, as RFC 2849 defines folding and as the node daemon's reader does:
 * a writer that folds at a byte count may split a UTF-8 character over two lines, so each
 * logical line is decoded only after its pieces are joined.
 */
function logicalLines(bytes: Uint8Array): LogicalLine[] {
  const out: LogicalLine[] = [];
  let pieces: Uint8Array[] = [];
  let current: { line: number; kind: LogicalLine['kind'] } | null = null;
  const flush = () => {
    if (!current) return;
    let text = '';
    if (current.kind === 'content') {
      try {
        text = utf8.decode(pieces.length === 1 ? pieces[0] : Buffer.concat(pieces));
      } catch {
        throw new LdifSyntaxError(current.line, 'the line is not UTF-8 text');
      }
    }
    out.push({ text, line: current.line, kind: current.kind });
    current = null;
    pieces = [];
  };
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    const lf = bytes.indexOf(LF, start);
    const next = lf < 0 ? bytes.length : lf + 1;
    let end = lf < 0 ? bytes.length : lf;
    if (end > start && bytes[end - 1] === CR) end -= 1;
    line += 1;
    if (bytes[start] === SPACE) {
      if (!current || current.kind === 'blank')
        throw new LdifSyntaxError(line, 'a continuation line (starting with a space) follows no line it could continue');
      pieces.push(bytes.subarray(start + 1, end));
    } else {
      flush();
      const kind = end === start ? 'blank' : bytes[start] === HASH ? 'comment' : 'content';
      current = { line, kind };
      pieces = [bytes.subarray(start, end)];
    }
    start = next;
  }
  flush();
  return out;
}

function decodeBase64(encoded: string, line: number): string {
  const compact = encoded.trim();
  if (!BASE64.test(compact)) throw new LdifSyntaxError(line, 'the value after "::" is not valid base64');
  try {
    return utf8.decode(Buffer.from(compact, 'base64'));
  } catch {
    // Binary values (photos, certificates) have no place in a VM subtree, and decoding them as
    // text would corrupt them on the way back.
    throw new LdifSyntaxError(line, 'a base64 value is not UTF-8 text; binary values are not supported');
  }
}

function splitLine(l: LogicalLine): { name: string; value: string } {
  const colon = l.text.indexOf(':');
  if (colon <= 0) throw new LdifSyntaxError(l.line, `expected "attribute: value", found "${l.text.slice(0, 40)}"`);
  const name = l.text.slice(0, colon);
  if (!ATTRIBUTE_DESCRIPTION.test(name)) throw new LdifSyntaxError(l.line, `"${name}" is not an attribute name`);
  const rest = l.text.slice(colon + 1);
  if (rest.startsWith(':')) return { name, value: decodeBase64(rest.slice(1), l.line) };
  if (rest.startsWith('<')) throw new LdifSyntaxError(l.line, `"${name}:<" takes its value from a URL; URL values are not supported`);
  return { name, value: rest.replace(/^ +/, '') };
}

function parseRecord(lines: LogicalLine[]): LdifEntry {
  const [first, ...rest] = lines;
  const head = splitLine(first);
  if (head.name.toLowerCase() !== 'dn') throw new LdifSyntaxError(first.line, `a record must start with "dn:", found "${head.name}:"`);
  const entry: LdifEntry = { dn: head.value, attributes: [] };
  const byName = new Map<string, LdifAttribute>();
  for (const l of rest) {
    const { name, value } = splitLine(l);
    const lower = name.toLowerCase();
    if (lower === 'changetype') throw new LdifSyntaxError(l.line, 'change records (changetype) are not supported, only content records');
    if (lower === 'control') throw new LdifSyntaxError(l.line, 'LDAP controls are not supported in content records');
    if (lower === 'dn') throw new LdifSyntaxError(l.line, 'a second "dn:" inside one record; records are separated by a blank line');
    const existing = byName.get(lower);
    if (existing) {
      existing.values.push(value);
    } else {
      const attribute = { name, values: [value] };
      byName.set(lower, attribute);
      entry.attributes.push(attribute);
    }
  }
  return entry;
}

/**
 * Parses LDIF content records. Throws LdifSyntaxError naming the line of the first problem.
 * Give the file's bytes where possible: text decoded before unfolding has already lost a
 * character that a fold split.
 */
export function parseLdif(input: string | Uint8Array): LdifEntry[] {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const records: LogicalLine[][] = [];
  let current: LogicalLine[] = [];
  let sawContent = false;
  for (const l of logicalLines(bytes)) {
    if (l.kind === 'comment') continue;
    if (l.kind === 'blank') {
      if (current.length > 0) records.push(current);
      current = [];
      continue;
    }
    if (!sawContent) {
      sawContent = true;
      const version = /^version:\s*(.*)$/i.exec(l.text);
      if (version) {
        if (version[1].trim() !== '1') throw new LdifSyntaxError(l.line, `unsupported LDIF version "${version[1].trim()}"`);
        continue;
      }
    }
    current.push(l);
  }
  if (current.length > 0) records.push(current);
  return records.map(parseRecord);
}

/**
 * RFC 2849 SAFE-STRING, narrowed: anything outside printable ASCII is base64-encoded, because
 * readers disagree about raw UTF-8 and control characters but all agree on base64.
 */
function needsBase64(value: string): boolean {
  if (value === '') return false;
  return value.startsWith(' ') || value.startsWith(':') || value.startsWith('<') || value.endsWith(' ') || /[^\x20-\x7e]/.test(value);
}

function valueLine(name: string, value: string): string {
  if (value === '') return `${name}:`;
  return needsBase64(value) ? `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}` : `${name}: ${value}`;
}

/** Writes content records without line wrapping, as the node daemon does; ends with a newline. */
export function serializeLdif(entries: LdifEntry[]): string {
  return entries
    .map((entry) => {
      const lines = [valueLine('dn', entry.dn)];
      for (const attribute of entry.attributes) for (const value of attribute.values) lines.push(valueLine(attribute.name, value));
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}
