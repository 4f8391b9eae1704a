/**
 * Element-by-element comparison of two domain XML documents. Elements are paired by a readable
 * key (`devices/disk[vda]`, `devices/controller[usb:0]`, `os/boot[2]`), never by text position,
 * so reordering and reformatting are not differences. Whitespace-only text and comments are
 * ignored, and so are the parts libvirt adds to the XML of a running domain (see isRuntimeOnly):
 * the backup XML was taken from a running domain, the live one may be running under another id.
 */
import type { XmlElement } from './xml';
import { childElements, getAttribute, indentBefore, textContent } from './xml-nodes';

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
  /** For a live-only element: the backup element it follows, or null when it comes first. */
  anchor: XmlElement | null;
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

function builtInKey(element: XmlElement): string | null {
  const at = (path: string, name: string) => {
    const found = path === '' ? element : childElements(element, path)[0];
    return found ? getAttribute(found, name) : null;
  };
  const join = (...parts: (string | null)[]) => (parts.every((p) => p !== null) ? parts.join(':') : null);
  switch (element.name) {
    case 'disk':
      return at('target', 'dev');
    case 'controller':
      return join(at('', 'type'), at('', 'index'));
    case 'channel':
      return at('target', 'name') ?? at('target', 'type');
    case 'graphics':
      return at('', 'type');
    case 'input':
      return join(at('', 'type'), at('', 'bus'));
    case 'filesystem':
      return at('target', 'dir');
    case 'timer':
    case 'feature':
    case 'entry':
      return at('', 'name');
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
const attributePath = (path: string, attribute: string) => `${path}@${attribute}`;

function isLeaf(element: XmlElement): boolean {
  return element.children.every((c) => c.type !== 'element');
}

export function diffXml(backupRoot: XmlElement, liveRoot: XmlElement, options: XmlDiffOptions = {}): XmlDiffResult {
  const differences: XmlDifference[] = [];
  let equalValues = 0;
  const ignored = options.ignored ?? new Set<string>();

  const compareValues = (b: XmlElement, l: XmlElement, path: string, parents: { b: XmlElement | null; l: XmlElement | null }) => {
    const names = [...b.attributes.map((a) => a.name), ...l.attributes.map((a) => a.name).filter((n) => !b.attributes.some((a) => a.name === n))];
    for (const name of names) {
      const full = attributePath(path, name);
      if (ignored.has(full)) continue;
      if (isRuntimeAttribute(b, name, path === '', parents.b) || isRuntimeAttribute(l, name, path === '', parents.l)) continue;
      const bv = getAttribute(b, name);
      const lv = getAttribute(l, name);
      if (bv === lv) equalValues += 1;
      else differences.push({ kind: 'value', path: full, elementPath: path, attribute: name, backup: bv, live: lv, backupElement: b, liveElement: l });
    }
    if (isLeaf(b) && isLeaf(l) && !ignored.has(`${path}#text`)) {
      const bt = textContent(b).trim();
      const lt = textContent(l).trim();
      if (bt === '' && lt === '') return;
      if (bt === lt) equalValues += 1;
      else differences.push({ kind: 'value', path, elementPath: path, attribute: null, backup: bt === '' ? null : bt, live: lt === '' ? null : lt, backupElement: b, liveElement: l });
    }
  };

  const walk = (b: XmlElement, l: XmlElement, path: string, parents: { b: XmlElement | null; l: XmlElement | null }) => {
    compareValues(b, l, path, parents);
    const bKids = childElements(b).filter((c) => !isRuntimeElement(c, b));
    const lKids = childElements(l).filter((c) => !isRuntimeElement(c, l));
    const names = [...new Set([...bKids, ...lKids].map((c) => c.name))];
    const pairs = new Map<XmlElement, XmlElement>();
    const backupToLive = new Map<XmlElement, XmlElement>();
    const liveOnly: [string, XmlElement][] = [];
    const bKeyed = new Map<string, XmlElement>();
    for (const name of names) {
      const bs = bKids.filter((c) => c.name === name);
      const ls = lKids.filter((c) => c.name === name);
      const positional = Math.max(bs.length, ls.length) > 1;
      const bMap = keyed(bs, 'backup', options, positional);
      const lMap = keyed(ls, 'live', options, positional);
      for (const [key, element] of bMap) {
        bKeyed.set(key, element);
        const other = lMap.get(key);
        if (other) {
          pairs.set(other, element);
          backupToLive.set(element, other);
        }
        else differences.push({ kind: 'element', path: join(path, key), side: 'backup', element, backupParent: b, anchor: null, indent: indentBefore(b, element) });
      }
      for (const [key, element] of lMap) if (!bMap.has(key)) liveOnly.push([key, element]);
    }
    for (const [key, element] of liveOnly) {
      // Anchor on the nearest earlier live sibling that also exists in the backup, so the
      // element lands where the live XML has it.
      let anchor: XmlElement | null = null;
      for (const sibling of lKids.slice(0, lKids.indexOf(element)).reverse()) {
        const counterpart = pairs.get(sibling);
        if (counterpart) {
          anchor = counterpart;
          break;
        }
      }
      differences.push({ kind: 'element', path: join(path, key), side: 'live', element, backupParent: b, anchor, indent: indentBefore(l, element) });
    }
    for (const [key, be] of bKeyed) {
      const le = backupToLive.get(be);
      if (le) walk(be, le, join(path, key), { b, l });
    }
  };

  walk(backupRoot, liveRoot, '', { b: null, l: null });
  return { differences, equalValues };
}
