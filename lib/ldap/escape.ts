/**
 * Escaping for values placed into LDAP search filters (RFC 4515) and DN attribute values
 * (RFC 4514). Every value from a user or from the directory goes through one of these before it
 * becomes part of a filter or a DN: a display name such as `web*)(uid=*` must match itself only.
 */

export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    // RFC 4515 requires escaping *, (, ), \ and NUL; ASCII control characters are escaped too so
    // filters stay printable in logs. Non-ASCII characters stay as they are: ldapts turns each
    // \xx escape into one character, so escaping UTF-8 bytes would corrupt names like "Müller".
    if (ch === '*' || ch === '(' || ch === ')' || ch === '\\' || code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(16).padStart(2, '0')}`;
    } else {
      out += ch;
    }
  }
  return out;
}

export function escapeDnValue(value: string): string {
  if (value === '') return '';
  let out = '';
  for (let i = 0; i < value.length; i += 1) {
    const ch = value[i];
    const first = i === 0;
    const last = i === value.length - 1;
    if (ch === '\0') {
      out += '\\00';
    } else if (',+"\\<>;='.includes(ch) || (first && (ch === '#' || ch === ' ')) || (last && ch === ' ')) {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** One RDN component, e.g. rdn('sstVirtualMachine', uuid). */
export function rdn(attribute: string, value: string): string {
  return `${attribute}=${escapeDnValue(value)}`;
}

/** Builds a filter `(attr=value)` with the value escaped; `*` in `value` is matched literally. */
export function eq(attribute: string, value: string): string {
  return `(${attribute}=${escapeFilterValue(value)})`;
}
