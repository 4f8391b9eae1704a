/**
 * A small XML DOM for libvirt domain XML. It keeps everything a reader of the file could notice
 * (declaration, comments, attribute order and quotes, whitespace) so that the resolved XML the
 * console writes differs from the backup's only where a decision changed it.
 * DOCTYPE and processing instructions are refused: libvirt never writes them, and a DOCTYPE can
 * define entities this parser would have to expand.
 * Finding and changing elements: xml-nodes.ts (lib/diff/index.ts exports both).
 */

export interface XmlAttribute {
  name: string;
  value: string;
  /**
   * As written (`name="value"` with its spacing and entities), reused while name and value are
   * unchanged; absent when the attribute was written the way serializeXml writes it anyway.
   */
  source?: { text: string; name: string; value: string };
  /** Whitespace before the attribute in the start tag; one space when absent. */
  spaceBefore?: string;
}

export interface XmlElement {
  type: 'element';
  name: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
  /** Written as `<name/>` while it has no children. */
  selfClosing: boolean;
  /** Whitespace between the last attribute and `>` or `/>`. */
  spaceBeforeClose?: string;
}

export interface XmlText {
  type: 'text';
  value: string;
  cdata?: boolean;
  /** As written (with entities), reused while the value is unchanged; absent when it equals the value. */
  source?: { text: string; value: string };
}

export interface XmlComment {
  type: 'comment';
  value: string;
}

export type XmlNode = XmlElement | XmlText | XmlComment;

export interface XmlDocument {
  bom: boolean;
  /** The `<?xml …?>` declaration exactly as written, or null. */
  declaration: string | null;
  /** Comments and whitespace between the declaration and the root element. */
  prolog: (XmlText | XmlComment)[];
  root: XmlElement;
  epilog: (XmlText | XmlComment)[];
}

export class XmlSyntaxError extends Error {
  readonly line: number;

  constructor(line: number, message: string) {
    super(`XML line ${line}: ${message}`);
    this.name = 'XmlSyntaxError';
    this.line = line;
  }
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c >= 0xc0;
}

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * libxml2, which libvirt reads domain XML with, refuses documents nested deeper than this; the
 * limit also keeps every recursive walk over the tree (diff, clone, serialise) far from the
 * stack's end.
 */
export const MAX_XML_DEPTH = 256;

/** Up to this many attributes, a scan for duplicates is cheaper than a set. */
const SCANNED_ATTRIBUTES = 8;

class Reader {
  pos = 0;

  constructor(readonly text: string) {}

  fail(message: string, at = this.pos): never {
    let line = 1;
    for (let i = 0; i < at && i < this.text.length; i += 1) if (this.text.charCodeAt(i) === 10) line += 1;
    throw new XmlSyntaxError(line, message);
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** An XML name (letters, digits, - _ : . and anything non-ASCII), or null; scanned by hand, it is the hottest path. */
  name(): string | null {
    const start = this.pos;
    const first = this.text.charCodeAt(start);
    if (!isNameStart(first)) return null;
    let end = start + 1;
    for (;;) {
      const c = this.text.charCodeAt(end);
      if (!(isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7)) break;
      end += 1;
    }
    this.pos = end;
    return this.text.slice(start, end);
  }

  /** Skips XML whitespace and returns it (the hot path of the parser, hence no regex). */
  space(): string {
    const start = this.pos;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 32 && c !== 10 && c !== 9 && c !== 13) break;
      this.pos += 1;
    }
    return start === this.pos ? '' : this.text.slice(start, this.pos);
  }

  until(end: string, what: string): string {
    const at = this.text.indexOf(end, this.pos);
    if (at < 0) this.fail(`${what} is not closed with "${end}"`);
    const out = this.text.slice(this.pos, at);
    this.pos = at + end.length;
    return out;
  }
}

/** Decodes entity and character references; `start` locates errors. */
function decode(r: Reader, raw: string, start: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&]*);?/g, (whole, body: string, offset: number) => {
    if (!whole.endsWith(';')) r.fail(`"&" must start an entity such as &amp;`, start + offset);
    if (body in NAMED) return NAMED[body];
    const numeric = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(body);
    if (!numeric) r.fail(`unknown entity &${body};`, start + offset);
    const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2], 10);
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) r.fail(`&${body}; is not a character XML allows`, start + offset);
    return String.fromCodePoint(code);
  });
}

function parseAttributes(r: Reader, element: XmlElement): void {
  // Built once an element has many attributes, so checking for duplicates stays linear.
  let names: Set<string> | null = null;
  for (;;) {
    const space = r.space();
    if (r.startsWith('>') || r.startsWith('/>')) {
      if (space !== '') element.spaceBeforeClose = space;
      return;
    }
    if (space === '') r.fail(`expected whitespace, ">" or "/>" in <${element.name}>`);
    const start = r.pos;
    const name = r.name();
    if (!name) r.fail(`expected an attribute name in <${element.name}>`);
    r.space();
    if (!r.startsWith('=')) r.fail(`attribute ${name} of <${element.name}> has no value`);
    r.pos += 1;
    r.space();
    const quote = r.text[r.pos];
    if (quote !== '"' && quote !== "'") r.fail(`the value of ${name} must be quoted`);
    r.pos += 1;
    const valueStart = r.pos;
    const raw = r.until(quote, `the value of ${name}`);
    if (raw.includes('<')) r.fail(`"<" in the value of ${name}`, valueStart);
    // Attribute-value normalisation (XML 1.0 §3.3.3): literal tabs and line ends read as spaces.
    const value = decode(r, /[\t\n\r]/.test(raw) ? raw.replace(/\r\n|[\t\n\r]/g, ' ') : raw, valueStart);
    if (names === null && element.attributes.length >= SCANNED_ATTRIBUTES) names = new Set(element.attributes.map((a) => a.name));
    let twice = names !== null && names.has(name);
    if (names === null) for (const a of element.attributes) if (a.name === name) twice = true;
    if (twice) r.fail(`attribute ${name} appears twice in <${element.name}>`, start);
    names?.add(name);
    // Most libvirt attributes are written exactly as serializeXml writes them; keeping the source
    // only for the others saves an object per attribute on a large domain.
    const canonical = quote === "'" && r.pos - start === name.length + raw.length + 3 && raw === value;
    const attribute: XmlAttribute = canonical
      ? { name, value }
      : { name, value, source: { text: r.text.slice(start, r.pos), name, value } };
    if (space !== ' ') attribute.spaceBefore = space;
    element.attributes.push(attribute);
  }
}

function parseText(r: Reader, end: number): XmlText {
  const start = r.pos;
  const raw = r.text.slice(start, end);
  r.pos = end;
  const value = decode(r, raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw, start);
  return value === raw && !raw.includes('>') ? { type: 'text', value } : { type: 'text', value, source: { text: raw, value } };
}

/** Parses nodes until the end tag of `parent` (or the end of input when parent is null); `depth` is parent's. */
function parseChildren(r: Reader, parent: XmlElement | null, depth: number): XmlNode[] {
  const nodes: XmlNode[] = [];
  for (;;) {
    const lt = r.text.indexOf('<', r.pos);
    if (lt < 0 || lt > r.pos) {
      const end = lt < 0 ? r.text.length : lt;
      if (end > r.pos) nodes.push(parseText(r, end));
      if (lt < 0) {
        if (parent) r.fail(`<${parent.name}> is not closed`);
        return nodes;
      }
    }
    if (r.startsWith('</')) {
      const at = r.pos;
      r.pos += 2;
      const name = r.name();
      r.space();
      if (!r.startsWith('>')) r.fail('malformed end tag');
      r.pos += 1;
      if (!parent) r.fail(`end tag </${name}> without a start tag`, at);
      if (name !== parent.name) r.fail(`end tag </${name}> does not match <${parent.name}>`, at);
      return nodes;
    }
    if (r.startsWith('<!--')) {
      r.pos += 4;
      nodes.push({ type: 'comment', value: r.until('-->', 'a comment') });
    } else if (r.startsWith('<![CDATA[')) {
      r.pos += 9;
      nodes.push({ type: 'text', value: r.until(']]>', 'a CDATA section'), cdata: true });
    } else if (r.startsWith('<!')) {
      r.fail('DOCTYPE and other declarations are not supported');
    } else if (r.startsWith('<?')) {
      r.fail('processing instructions are only allowed as the <?xml ?> declaration at the start');
    } else {
      if (depth >= MAX_XML_DEPTH) r.fail(`elements are nested more than ${MAX_XML_DEPTH} deep; libvirt would refuse this document too`);
      r.pos += 1;
      const name = r.name();
      if (!name) r.fail('expected an element name after "<"');
      const element: XmlElement = { type: 'element', name, attributes: [], children: [], selfClosing: false };
      parseAttributes(r, element);
      if (r.startsWith('/>')) {
        r.pos += 2;
        element.selfClosing = true;
      } else {
        r.pos += 1;
        element.children = parseChildren(r, element, depth + 1);
      }
      nodes.push(element);
    }
  }
}

/** Parses a document with exactly one root element. Throws XmlSyntaxError naming the line. */
export function parseXml(text: string): XmlDocument {
  const bom = text.startsWith('\ufeff');
  const r = new Reader(bom ? text.slice(1) : text);
  let declaration: string | null = null;
  if (r.startsWith('<?xml') && /^<\?xml[ \t\r\n?]/.test(r.text)) {
    r.pos = 0;
    declaration = `<?xml${r.until('?>', 'the XML declaration').slice(5)}?>`;
  }
  const nodes = parseChildren(r, null, 0);
  const roots = nodes.filter((n): n is XmlElement => n.type === 'element');
  if (roots.length !== 1) r.fail(roots.length === 0 ? 'the document has no root element' : 'the document has more than one root element');
  const root = roots[0];
  const at = nodes.indexOf(root);
  const outside = (n: XmlNode): n is XmlText | XmlComment => {
    if (n.type === 'text' && (n.cdata || n.value.trim() !== '')) r.fail('text outside the root element');
    return n.type !== 'element';
  };
  return { bom, declaration, prolog: nodes.slice(0, at).filter(outside), root, epilog: nodes.slice(at + 1).filter(outside) };
}

function escapeText(value: string): string {
  if (!/[&<>\r]/.test(value)) return value;
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function escapeAttribute(value: string): string {
  if (!/[&<'\t\n\r]/.test(value)) return value;
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function writeNode(node: XmlNode, out: string[]): void {
  if (node.type === 'comment') {
    out.push(`<!--${node.value}-->`);
  } else if (node.type === 'text') {
    if (node.cdata) out.push(`<![CDATA[${node.value}]]>`);
    else out.push(node.source && node.source.value === node.value ? node.source.text : escapeText(node.value));
  } else {
    out.push(`<${node.name}`);
    for (const a of node.attributes) {
      out.push(a.spaceBefore ?? ' ');
      // New values are written the way libvirt writes them: single quotes.
      out.push(
        a.source && a.source.name === a.name && a.source.value === a.value ? a.source.text : `${a.name}='${escapeAttribute(a.value)}'`,
      );
    }
    out.push(node.spaceBeforeClose ?? '');
    if (node.children.length === 0 && node.selfClosing) {
      out.push('/>');
      return;
    }
    out.push('>');
    for (const child of node.children) writeNode(child, out);
    out.push(`</${node.name}>`);
  }
}

/** Serialises the document; for an unmodified parse result this reproduces the input text. */
export function serializeXml(doc: XmlDocument): string {
  const out: string[] = [];
  if (doc.bom) out.push('\ufeff');
  if (doc.declaration !== null) out.push(doc.declaration);
  for (const n of doc.prolog) writeNode(n, out);
  writeNode(doc.root, out);
  for (const n of doc.epilog) writeNode(n, out);
  return out.join('');
}

/** Serialises one element (for display of an element that exists on one side only). */
export function serializeElement(element: XmlElement): string {
  const out: string[] = [];
  writeNode(element, out);
  return out.join('');
}
