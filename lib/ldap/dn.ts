/**
 * DN parsing. Directory DNs may carry escaped characters (`\,`, `\2C`, UTF-8 hex pairs) in any
 * component, so splitting on ',' is wrong; this walks the string once and unescapes values.
 */

export interface Rdn {
  attribute: string;
  value: string;
}

function unescapeValue(raw: string): string {
  // Nearly every value in a directory has no escapes; the fleet parses ~100,000 DNs per read.
  if (!raw.includes('\\')) return raw;
  let out = '';
  // Hex pairs are UTF-8 bytes and may form one character together, so they are decoded in runs.
  let bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length > 0) out += Buffer.from(bytes).toString('utf8');
    bytes = [];
  };
  for (let i = 0; i < raw.length; i += 1) {
    const ch = raw[i];
    if (ch === '\\' && i + 1 < raw.length) {
      const pair = raw.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(pair)) {
        bytes.push(parseInt(pair, 16));
        i += 2;
        continue;
      }
      flush();
      out += raw[i + 1];
      i += 1;
      continue;
    }
    flush();
    out += ch;
  }
  flush();
  return out;
}

/**
 * Splits a DN into its RDNs (leaf first). Multi-valued RDNs keep their first attribute only.
 * `limit` stops after that many RDNs, for callers that only look at the leaf end.
 */
export function parseDn(dn: string, limit = Infinity): Rdn[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < dn.length && parts.length < limit; i += 1) {
    const ch = dn[i];
    if (ch === '\\') {
      i += 1;
    } else if (ch === ',') {
      parts.push(dn.slice(start, i));
      start = i + 1;
    }
  }
  if (parts.length < limit && (start < dn.length || parts.length > 0)) parts.push(dn.slice(start));
  return parts.map((part) => {
    const firstValue = part.includes('+') ? part.split(/(?<!\\)\+/)[0] : part;
    const eqAt = firstValue.indexOf('=');
    return {
      attribute: firstValue.slice(0, eqAt).trim(),
      value: unescapeValue(firstValue.slice(eqAt + 1).trim()),
    };
  });
}

/** The value of the first RDN (from the leaf upwards) whose attribute matches, case-insensitively. */
export function rdnValue(dn: string, attribute: string): string | null {
  const wanted = attribute.toLowerCase();
  const found = parseDn(dn).find((r) => r.attribute.toLowerCase() === wanted);
  return found ? found.value : null;
}

/** Compares two DNs the way a directory does for our purposes: by RDN attributes (any case) and values. */
export function sameDn(a: string, b: string): boolean {
  const pa = parseDn(a);
  const pb = parseDn(b);
  return (
    pa.length === pb.length &&
    pa.every((r, i) => r.attribute.toLowerCase() === pb[i].attribute.toLowerCase() && r.value.toLowerCase() === pb[i].value.toLowerCase())
  );
}

/** The parent DN, keeping the original escaping of the remaining components. */
export function parentDn(dn: string): string {
  for (let i = 0; i < dn.length; i += 1) {
    if (dn[i] === '\\') {
      i += 1;
    } else if (dn[i] === ',') {
      return dn.slice(i + 1).trim();
    }
  }
  return '';
}
