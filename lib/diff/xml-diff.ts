/**
 * Element-by-element comparison of two domain XML documents. Elements are paired by a readable
 * key (`devices/disk[vda]`, `devices/controller[usb:0]`, `os/boot[2]`), never by text position,
 * so reordering and reformatting are not differences. Whitespace-only text and comments are
 * ignored, and so are the parts libvirt adds to the XML of a running domain (see isRuntimeOnly):
 * the backup XML was taken from a running domain, the live one may be running under another id.
 */
import type { XmlElement } from './xml';
import { getAttribute, indentBefore, textContent } from './xml-nodes';

export type XmlSide = 'backup' | 'live';

export interface XmlValueDifference {
  kind: 'value';
  /** `elementPath@attribute`, or the element path for its text. */
  path: string;
  elementPath: string;
  /** null for the element's text. */
  attribute: string | null;
  backup: string | null;
  live: string | null;
  backupElement: XmlElement;
  liveElement: XmlElement;
}

export interface XmlElementDifference {
  kind: 'element';
  path: string;
  /** The side that has the element. */
  side: XmlSide;
  element: XmlElement;
  /** The parent on the backup side (present on both sides). */
  backupParent: XmlElement;
  /** For a live-only element: its earlier live siblings, nearest first (where to insert it). */
  preceding: XmlElement[];
  /** Live sibling → its counterpart in the backup, for the siblings present on both sides. */
  counterparts: ReadonlyMap<XmlElement, XmlElement>;
  /** The whitespace in front of the element on its side. */
  indent: string | null;
}

export type XmlDifference = XmlValueDifference | XmlElementDifference;

export interface XmlDiffOptions {
  /** A key for an element among its same-named siblings; undefined falls back to the built-in keys. */
  key?: (element: XmlElement, side: XmlSide) => string | null | undefined;
  /** Values compared elsewhere: `path@attribute` or `path#text`. */
  ignored?: ReadonlySet<string>;
}

export interface XmlDiffResult {
  differences: XmlDifference[];
  /** Attribute and text values compared and found equal. */
  equalValues: number;
}

const AUTO_TAP = /^(vnet|macvtap|tap)\d+$/;

/** Runtime-only elements: aliases, backing chains and auto-named tap devices come and go with each start. */
function isRuntimeElement(element: XmlElement, parent: XmlElement): boolean {
  if (element.name === 'alias') return true;
  if (element.name === 'backingStore' && parent.name === 'disk') return true;
  if (element.name === 'target' && parent.name === 'interface') return AUTO_TAP.test(getAttribute(element, 'dev') ?? '');
  if ((element.name === 'label' || element.name === 'imagelabel') && parent.name === 'seclabel') return getAttribute(parent, 'type') === 'dynamic';
  return false;
}

/** Runtime-only attributes: the domain id, automatic ports and pty paths. */
function isRuntimeAttribute(element: XmlElement, attribute: string, isRoot: boolean, parent: XmlElement | null): boolean {
  if (isRoot) return attribute === 'id';
  if (element.name === 'graphics' && ['port', 'tlsPort', 'websocket'].includes(attribute)) return getAttribute(element, 'autoport') === 'yes';
  if (element.name === 'source' && attribute === 'path' && parent) return getAttribute(parent, 'type') === 'pty';
  if (['console', 'serial'].includes(element.name) && attribute === 'tty') return getAttribute(element, 'type') === 'pty';
  return false;
}

function attributeOf(element: XmlElement | undefined, name: string): string | null {
  return element ? getAttribute(element, name) : null;
}

function firstChild(element: XmlElement, name: string): XmlElement | undefined {
  for (const c of element.children) if (c.type === 'element' && c.name === name) return c;
  return undefined;
}

function pairKey(a: string | null, b: string | null): string | null {
  return a !== null && b !== null ? `${a}:${b}` : null;
}

function builtInKey(element: XmlElement): string | null {
  switch (element.name) {
    case 'disk':
      return attributeOf(firstChild(element, 'target'), 'dev');
    case 'controller':
      return pairKey(getAttribute(element, 'type'), getAttribute(element, 'index'));
    case 'channel': {
      const target = firstChild(element, 'target');
      return attributeOf(target, 'name') ?? attributeOf(target, 'type');
    }
    case 'graphics':
      return getAttribute(element, 'type');
    case 'input':
      return pairKey(getAttribute(element, 'type'), getAttribute(element, 'bus'));
    case 'filesystem':
      return attributeOf(firstChild(element, 'target'), 'dir');
    case 'timer':
    case 'feature':
    case 'entry':
      return getAttribute(element, 'name');
    default:
      return null;
  }
}

function keyed(elements: XmlElement[], side: XmlSide, options: XmlDiffOptions, positional: boolean): Map<string, XmlElement> {
  const out = new Map<string, XmlElement>();
  let position = 0;
  for (const element of elements) {
    const custom = options.key?.(element, side);
    const natural = custom === undefined ? builtInKey(element) : custom;
    let key: string;
    if (natural !== null) {
      key = `${element.name}[${natural}]`;
    } else {
      position += 1;
      key = positional ? `${element.name}[${position}]` : element.name;
    }
    let unique = key;
    for (let n = 2; out.has(unique); n += 1) unique = `${key}#${n}`;
    out.set(unique, element);
  }
  return out;
}

const join = (parent: string, child: string) => (parent === '' ? child : `${parent}/${child}`);

function isLeaf(element: XmlElement): boolean {
  for (const c of element.children) if (c.type === 'element') return false;
  return true;
}

/** Element children by name, in document order, without runtime-only ones. */
function groupChildren(parent: XmlElement): Map<string, XmlElement[]> {
  const groups = new Map<string, XmlElement[]>();
  for (const c of parent.children) {
    if (c.type !== 'element' || isRuntimeElement(c, parent)) continue;
    const group = groups.get(c.name);
    if (group) group.push(c);
    else groups.set(c.name, [c]);
  }
  return groups;
}

export function diffXml(backupRoot: XmlElement, liveRoot: XmlElement, options: XmlDiffOptions = {}): XmlDiffResult {
  const differences: XmlDifference[] = [];
  let equalValues = 0;
  const ignored = options.ignored ?? new Set<string>();
  // Only build `path@attribute` strings for elements that have something ignored.
  const ignoredElements = new Set([...ignored].map((k) => k.replace(/(@[^/@]*|#text)$/, '')));

  const compareAttribute = (b: XmlElement, l: XmlElement, path: string, name: string, bv: string | null, lv: string | null, parents: { b: XmlElement | null; l: XmlElement | null }) => {
    if (ignoredElements.has(path) && ignored.has(`${path}@${name}`)) return;
    if (isRuntimeAttribute(b, name, path === '', parents.b) || isRuntimeAttribute(l, name, path === '', parents.l)) return;
    if (bv === lv) equalValues += 1;
    else differences.push({ kind: 'value', path: `${path}@${name}`, elementPath: path, attribute: name, backup: bv, live: lv, backupElement: b, liveElement: l });
  };

  const compareValues = (b: XmlElement, l: XmlElement, path: string, parents: { b: XmlElement | null; l: XmlElement | null }) => {
    for (const a of b.attributes) compareAttribute(b, l, path, a.name, a.value, getAttribute(l, a.name), parents);
    for (const a of l.attributes) if (getAttribute(b, a.name) === null) compareAttribute(b, l, path, a.name, null, a.value, parents);
    if (!isLeaf(b) || !isLeaf(l) || (ignoredElements.has(path) && ignored.has(`${path}#text`))) return;
    const bt = textContent(b).trim();
    const lt = textContent(l).trim();
    if (bt === '' && lt === '') return;
    if (bt === lt) equalValues += 1;
    else differences.push({ kind: 'value', path, elementPath: path, attribute: null, backup: bt === '' ? null : bt, live: lt === '' ? null : lt, backupElement: b, liveElement: l });
  };

  const walk = (b: XmlElement, l: XmlElement, path: string, parents: { b: XmlElement | null; l: XmlElement | null }) => {
    compareValues(b, l, path, parents);
    if (isLeaf(b) && isLeaf(l)) return;
    const bGroups = groupChildren(b);
    const lGroups = groupChildren(l);
    const backupToLive = new Map<XmlElement, XmlElement>();
    const liveToBackup = new Map<XmlElement, XmlElement>();
    const liveOnly: [string, XmlElement][] = [];
    const matched: [string, XmlElement, XmlElement][] = [];
    const names = new Set([...bGroups.keys(), ...lGroups.keys()]);
    for (const name of names) {
      const bs = bGroups.get(name) ?? [];
      const ls = lGroups.get(name) ?? [];
      const positional = Math.max(bs.length, ls.length) > 1;
      const bMap = keyed(bs, 'backup', options, positional);
      const lMap = keyed(ls, 'live', options, positional);
      for (const [key, element] of bMap) {
        const other = lMap.get(key);
        if (other) {
          backupToLive.set(element, other);
          liveToBackup.set(other, element);
          matched.push([key, element, other]);
        } else {
          differences.push({ kind: 'element', path: join(path, key), side: 'backup', element, backupParent: b, preceding: [], counterparts: liveToBackup, indent: indentBefore(b, element) });
        }
      }
      for (const [key, element] of lMap) if (!bMap.has(key)) liveOnly.push([key, element]);
    }
    // In document order, so that elements inserted one after another keep the live order.
    liveOnly.sort((x, y) => l.children.indexOf(x[1]) - l.children.indexOf(y[1]));
    for (const [key, element] of liveOnly) {
      const preceding: XmlElement[] = [];
      for (let i = l.children.indexOf(element) - 1; i >= 0; i -= 1) {
        const sibling = l.children[i];
        if (sibling.type === 'element') preceding.push(sibling);
      }
      differences.push({ kind: 'element', path: join(path, key), side: 'live', element, backupParent: b, preceding, counterparts: liveToBackup, indent: indentBefore(l, element) });
    }
    for (const [key, be, le] of matched) walk(be, le, join(path, key), { b, l });
  };

  walk(backupRoot, liveRoot, '', { b: null, l: null });
  return { differences, equalValues };
}
