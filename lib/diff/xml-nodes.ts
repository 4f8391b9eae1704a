/**
 * Finding and changing elements of an XmlDocument by simple paths (`devices/disk`,
 * `devices/video[2]/model`). These helpers change the tree in place; callers that must not
 * change their input clone it first (cloneDocument). New elements are indented like their
 * siblings so that a changed domain XML still reads like libvirt's own.
 */
import type { XmlAttribute, XmlComment, XmlDocument, XmlElement, XmlNode, XmlText } from './xml';

export function childElements(element: XmlElement, name?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of element.children) if (child.type === 'element' && (name === undefined || child.name === name)) out.push(child);
  return out;
}

function parseSegment(segment: string): { name: string; index: number | null } {
  const m = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(segment);
  if (!m || (m[2] !== undefined && Number(m[2]) < 1)) throw new Error(`Bad XML path segment "${segment}"`);
  return { name: m[1], index: m[2] === undefined ? null : Number(m[2]) };
}

function segments(path: string): { name: string; index: number | null }[] {
  return path === '' ? [] : path.split('/').map(parseSegment);
}

/** Every element matching the path below `from`; `name[n]` selects the n-th (1-based) of that name. */
export function findElements(from: XmlElement, path: string): XmlElement[] {
  let current = [from];
  for (const { name, index } of segments(path)) {
    const next: XmlElement[] = [];
    for (const element of current) {
      const matching = childElements(element, name);
      if (index === null) next.push(...matching);
      else if (matching[index - 1]) next.push(matching[index - 1]);
    }
    current = next;
  }
  return current;
}

export function findElement(from: XmlElement, path: string): XmlElement | null {
  return findElements(from, path)[0] ?? null;
}

export function getAttribute(element: XmlElement, name: string): string | null {
  for (const a of element.attributes) if (a.name === name) return a.value;
  return null;
}

/** Sets the value in place (keeping the attribute's position) or appends the attribute. */
export function setAttribute(element: XmlElement, name: string, value: string): void {
  const existing = element.attributes.find((a) => a.name === name);
  if (existing) existing.value = value;
  else element.attributes.push({ name, value });
}

export function removeAttribute(element: XmlElement, name: string): void {
  element.attributes = element.attributes.filter((a) => a.name !== name);
}

/** The element's own text (not its descendants'), as the reader sees it. */
export function textContent(element: XmlElement): string {
  let out = '';
  for (const child of element.children) if (child.type === 'text') out += child.value;
  return out;
}

/** Replaces the element's text nodes by one at the first one's place; element children and comments stay. */
export function setTextContent(element: XmlElement, value: string): void {
  const out: XmlNode[] = [];
  let placed = false;
  for (const child of element.children) {
    if (child.type !== 'text') {
      out.push(child);
    } else if (!placed) {
      placed = true;
      if (value !== '') out.push({ type: 'text', value });
    }
  }
  if (!placed && value !== '') out.push({ type: 'text', value });
  element.children = out;
}

function isWhitespace(node: XmlNode | undefined): node is XmlText {
  return node !== undefined && node.type === 'text' && !node.cdata && node.value.trim() === '';
}

/** The whitespace text directly before `child` in `parent`, if there is one; `at` is child's index when known. */
export function indentBefore(parent: XmlElement, child: XmlElement, at = parent.children.indexOf(child)): string | null {
  const before = parent.children[at - 1];
  return isWhitespace(before) ? before.value : null;
}

/** Inserts after `anchor` (or first, when anchor is null), preceded by `indent` when given. */
export function insertElement(parent: XmlElement, element: XmlElement, anchor: XmlElement | null, indent: string | null): void {
  const nodes: XmlNode[] = indent === null ? [element] : [{ type: 'text', value: indent }, element];
  if (anchor) {
    parent.children.splice(parent.children.indexOf(anchor) + 1, 0, ...nodes);
  } else if (isWhitespace(parent.children[0])) {
    // Keep the first child's own indentation in front of it: [ws, new, ws, old…].
    parent.children.splice(1, 0, element, ...(indent === null ? [] : [{ type: 'text' as const, value: indent }]));
  } else {
    parent.children.unshift(...nodes);
  }
}

/**
 * Appends as the last element child, indented like the previous sibling element. An element
 * without element children gets libvirt's two-space step below `parentIndent` (the whitespace
 * in front of `parent`), when that is known.
 */
export function appendElement(parent: XmlElement, element: XmlElement, parentIndent: string | null = null): void {
  const siblings = childElements(parent);
  const last = siblings[siblings.length - 1];
  if (last) {
    insertElement(parent, element, last, indentBefore(parent, last));
  } else if (parentIndent !== null && parent.children.every((c) => isWhitespace(c))) {
    parent.children = [{ type: 'text', value: `${parentIndent}  ` }, element, { type: 'text', value: parentIndent }];
  } else {
    parent.children.push(element);
  }
}

/** Removes the element together with the whitespace that indented it. */
export function removeElement(parent: XmlElement, child: XmlElement): void {
  const at = parent.children.indexOf(child);
  if (at < 0) return;
  const from = isWhitespace(parent.children[at - 1]) ? at - 1 : at;
  parent.children.splice(from, at - from + 1);
}

/** Finds the element at `path`, creating missing elements (appended, without attributes). */
export function ensureElement(from: XmlElement, path: string): XmlElement {
  let current = from;
  let currentIndent: string | null = null;
  for (const { name, index } of segments(path)) {
    const matching = childElements(current, name);
    const wanted = index ?? 1;
    const found = matching[wanted - 1];
    if (found) {
      currentIndent = indentBefore(current, found);
      current = found;
      continue;
    }
    if (wanted !== matching.length + 1) throw new Error(`Cannot create ${name}[${wanted}]: only ${matching.length} exist`);
    const created: XmlElement = { type: 'element', name, attributes: [], children: [], selfClosing: true };
    appendElement(current, created, currentIndent);
    currentIndent = indentBefore(current, created);
    current = created;
  }
  return current;
}

function cloneAttribute(a: XmlAttribute): XmlAttribute {
  return { ...a, source: a.source && { ...a.source } };
}

export function cloneNode<T extends XmlNode>(node: T): T {
  if (node.type === 'element') {
    return { ...node, attributes: node.attributes.map(cloneAttribute), children: node.children.map((c) => cloneNode(c)) };
  }
  if (node.type === 'text') return { ...node, source: node.source && { ...node.source } };
  return { ...node };
}

export function cloneDocument(doc: XmlDocument): XmlDocument {
  const side = (nodes: (XmlText | XmlComment)[]) => nodes.map((n) => cloneNode(n));
  return { ...doc, prolog: side(doc.prolog), root: cloneNode(doc.root), epilog: side(doc.epilog) };
}
