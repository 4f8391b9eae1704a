/**
 * Element-by-element comparison of two domain XML documents. Elements are paired by a readable
 * key (`devices/disk[vda]`, `devices/controller[usb:0]`, `os/boot[2]`), never by text position,
 * so reformatting is not a difference; a different order of paired elements is one difference
 * of its own. Whitespace-only text and comments are ignored, and so are the parts libvirt adds
 * to the XML of a running domain (isRuntimeElement, runtimeRule): the backup XML was taken from
 * a running domain, the live one may be running under another id.
 */
import type { XmlElement } from './xml';
import { childElements, getAttribute, indentBefore, textContent } from './xml-nodes';

export type XmlSide = 'backup' | 'live';

/**
 * An attribute that means something only together with another value (a graphics port only
 * while autoport is not 'yes', a serial port's source path only while it is not a pty): on one
 * side it is libvirt's runtime choice, on the other a setting. It is decided with that value.
 */
export interface XmlCompanion {
  /** `elementPath@attribute`. */
  path: string;
  attribute: string;
  /** The element on the backup side, which the resolved XML holds. */
  backupElement: XmlElement;
  backup: string | null;
  live: string | null;
  /** The side where the value is libvirt's runtime choice. */
  runtimeOn: XmlSide;
}

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
  /** Written from the same side as this value. */
  companions: XmlCompanion[];
}

export interface XmlElementDifference {
  kind: 'element';
  path: string;
  /** The side that has the element. */
  side: XmlSide;
  element: XmlElement;
  /** The parent on the backup side (present on both sides). */
  backupParent: XmlElement;
  /** For a live-only element: its parent in the live XML and its index there (where to look for earlier siblings). */
  liveParent: XmlElement | null;
  livePosition: number;
  /** Live sibling → its counterpart in the backup, for the siblings present on both sides. */
  counterparts: ReadonlyMap<XmlElement, XmlElement>;
  /** The whitespace in front of the element on its side. */
  indent: string | null;
  /**
   * For a live-only element: runtime-only elements of the same name in the backup parent that it
   * takes the place of (libvirt's own alias where live has a user alias, an automatic tap name
   * where live has a fixed one). libvirt reads only the first of them.
   */
  replaces: XmlElement[];
}

/**
 * An element on both sides whose own text sits between child elements (mixed content, such as
 * application metadata): compared and decided as a whole, since its text has no path of its own.
 */
export interface XmlContentDifference {
  kind: 'content';
  path: string;
  backupElement: XmlElement;
  liveElement: XmlElement;
}

/**
 * Elements of one name present on both sides in another order. libvirt gives devices without an
 * address their PCI slots, and the guest its device names, in document order.
 */
export interface XmlOrderDifference {
  kind: 'order';
  /** The parent's path and the element name: `devices/interface`. */
  path: string;
  name: string;
  backupParent: XmlElement;
  /** The keys (`net0`, `vda`, `2`) in each side's document order. */
  backup: string[];
  live: string[];
  /** The backup's elements in the live order. */
  liveOrder: XmlElement[];
}

export type XmlDifference = XmlValueDifference | XmlElementDifference | XmlContentDifference | XmlOrderDifference;

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
/** A channel socket libvirt names at start after the domain id (…/channel/target/domain-7-web/org.qemu.guest_agent.0). */
const AUTO_CHANNEL = /\/channel\/target\/domain-\d+-[^/]*\/[^/]+$/;
/** libvirt keeps aliases with this prefix in the configuration; all others it names at each start. */
const USER_ALIAS = 'ua-';

/** Runtime-only elements: libvirt's aliases, backing chains, block jobs and auto-named tap devices come and go with each start. */
function isRuntimeElement(element: XmlElement, parent: XmlElement): boolean {
  if (element.name === 'alias') {
    for (const a of element.attributes) if (a.name === 'name') return !a.value.startsWith(USER_ALIAS);
    return true;
  }
  if ((element.name === 'backingStore' || element.name === 'mirror') && parent.name === 'disk') return true;
  if (element.name === 'target' && parent.name === 'interface') return AUTO_TAP.test(getAttribute(element, 'dev') ?? '');
  if ((element.name === 'label' || element.name === 'imagelabel') && parent.name === 'seclabel')
    return getAttribute(parent, 'type') === 'dynamic';
  return false;
}

/**
 * When an attribute is runtime-only: always, or while an attribute of the element or its parent
 * (the switch) has a value, or when its own value has the form libvirt generates.
 */
type RuntimeRule = 'always' | { on: 'self' | 'parent'; attribute: string; value: string; generated?: RegExp };

const AUTOPORT: RuntimeRule = { on: 'self', attribute: 'autoport', value: 'yes' };
const PTY: RuntimeRule = { on: 'self', attribute: 'type', value: 'pty' };
const PTY_SOURCE: RuntimeRule = { on: 'parent', attribute: 'type', value: 'pty' };
const NETWORK_SOURCE: RuntimeRule = { on: 'parent', attribute: 'type', value: 'network' };
const CHANNEL_SOURCE: RuntimeRule = { on: 'parent', attribute: 'type', value: 'pty', generated: AUTO_CHANNEL };

/** The elements runtimeRule knows attributes of (besides the root). */
const RULED = new Set(['graphics', 'console', 'serial', 'source']);

function runtimeRule(element: XmlElement, attribute: string, isRoot: boolean, parentName: string | null): RuntimeRule | null {
  if (isRoot) return attribute === 'id' ? 'always' : null;
  switch (element.name) {
    case 'graphics':
      return attribute === 'port' || attribute === 'tlsPort' || attribute === 'websocket' ? AUTOPORT : null;
    case 'console':
    case 'serial':
      return attribute === 'tty' ? PTY : null;
    case 'source':
      if (attribute === 'path' && parentName === 'channel') return CHANNEL_SOURCE;
      if (attribute === 'path' && parentName !== null) return PTY_SOURCE;
      // A network's bridge and port id are filled in at start; the disk source index counts block jobs.
      if (parentName === 'interface' && (attribute === 'bridge' || attribute === 'portid')) return NETWORK_SOURCE;
      if (parentName === 'disk' && attribute === 'index') return 'always';
      return null;
    default:
      return null;
  }
}

function isRuntimeUnder(rule: RuntimeRule, element: XmlElement, parent: XmlElement | null, value: string | null): boolean {
  if (rule === 'always') return true;
  if (rule.generated && value !== null && rule.generated.test(value)) return true;
  const holder = rule.on === 'self' ? element : parent;
  return holder !== null && getAttribute(holder, rule.attribute) === rule.value;
}

/** The order of these libvirt does not depend on (it looks them up by name). */
const ORDER_FREE = new Set(['timer', 'feature', 'entry']);

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
  // Only when a key repeats, so many elements with one key stay linear.
  let repeats: Map<string, number> | null = null;
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
    if (out.has(key)) {
      repeats ??= new Map();
      let n = (repeats.get(key) ?? 1) + 1;
      while (out.has(`${key}#${n}`)) n += 1;
      repeats.set(key, n);
      key = `${key}#${n}`;
    }
    out.set(key, element);
  }
  return out;
}

/** A key as the administrator reads it in a list: `net0` for `interface[net0]`. */
function shownKey(key: string, name: string): string {
  const inner = key.slice(name.length);
  return inner.startsWith('[') && inner.endsWith(']') ? inner.slice(1, -1) : inner === '' ? name : inner;
}

const join = (parent: string, child: string) => (parent === '' ? child : `${parent}/${child}`);

function isLeaf(element: XmlElement): boolean {
  for (const c of element.children) if (c.type === 'element') return false;
  return true;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code !== 32 && code !== 10 && code !== 9 && code !== 13) return false;
  }
  return true;
}

/** What a reader of mixed content sees: names, attributes in any order, trimmed text; no comments or indentation. */
function contentKey(element: XmlElement): string {
  const attributes = element.attributes.map((a) => [a.name, a.value]).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const children: string[] = [];
  for (const c of element.children) {
    if (c.type === 'element') children.push(contentKey(c));
    else if (c.type === 'text' && c.value.trim() !== '') children.push(JSON.stringify(c.value.trim()));
  }
  return `<${element.name} ${JSON.stringify(attributes)}>${children.join('')}</>`;
}

interface Children {
  /** Element children by name, in document order, without runtime-only ones. */
  groups: Map<string, XmlElement[]>;
  /** Whether the element has text of its own besides indentation (mixed content, when it has elements too). */
  text: boolean;
}

function groupChildren(parent: XmlElement): Children {
  const groups = new Map<string, XmlElement[]>();
  let text = false;
  for (const c of parent.children) {
    if (c.type === 'text') {
      text ||= !isBlank(c.value);
      continue;
    }
    if (c.type !== 'element' || isRuntimeElement(c, parent)) continue;
    const group = groups.get(c.name);
    if (group) group.push(c);
    else groups.set(c.name, [c]);
  }
  return { groups, text };
}

/** A name index for wide elements only, so comparing them stays linear without costing the usual small ones. */
function wideIndex(element: XmlElement): Map<string, string> | null {
  if (element.attributes.length <= 8) return null;
  const map = new Map<string, string>();
  for (const a of element.attributes) if (!map.has(a.name)) map.set(a.name, a.value);
  return map;
}

/** Each element child's index among the parent's nodes, so many siblings are placed without searching. */
function positions(parent: XmlElement): Map<XmlElement, number> {
  const out = new Map<XmlElement, number>();
  parent.children.forEach((c, i) => {
    if (c.type === 'element') out.set(c, i);
  });
  return out;
}

interface Parents {
  b: XmlElement;
  l: XmlElement;
  path: string;
}

interface Pending {
  rule: RuntimeRule;
  companion: XmlCompanion;
}

class Comparison {
  readonly differences: XmlDifference[] = [];
  equalValues = 0;
  private readonly values = new Map<string, XmlValueDifference>();
  private readonly ignored: ReadonlySet<string>;
  /** Elements that have something ignored, so `path@attribute` strings are built only for them. */
  private readonly ignoredElements: Set<string>;

  constructor(private readonly options: XmlDiffOptions) {
    this.ignored = options.ignored ?? new Set<string>();
    this.ignoredElements = new Set([...this.ignored].map((k) => k.replace(/(@[^/@]*|#text)$/, '')));
  }

  private value(difference: XmlValueDifference): void {
    this.differences.push(difference);
    this.values.set(difference.path, difference);
  }

  /** `ignoring`: the element has ignored values; `ruled`: it can have runtime-only attributes. */
  private attribute(
    b: XmlElement,
    l: XmlElement,
    path: string,
    parents: Parents | null,
    name: string,
    bv: string | null,
    lv: string | null,
    ignoring: boolean,
    ruled: boolean,
  ): void {
    if (ignoring && this.ignored.has(`${path}@${name}`)) return;
    const rule = ruled ? runtimeRule(b, name, path === '', parents ? parents.b.name : null) : null;
    if (rule) {
      const runtimeB = isRuntimeUnder(rule, b, parents?.b ?? null, bv);
      const runtimeL = isRuntimeUnder(rule, l, parents?.l ?? null, lv);
      if (runtimeB && runtimeL) return;
      if (runtimeB || runtimeL) {
        this.pending.push({
          rule,
          companion: {
            path: `${path}@${name}`,
            attribute: name,
            backupElement: b,
            backup: bv,
            live: lv,
            runtimeOn: runtimeB ? 'backup' : 'live',
          },
        });
        return;
      }
    }
    if (bv === lv) this.equalValues += 1;
    else
      this.value({
        kind: 'value',
        path: `${path}@${name}`,
        elementPath: path,
        attribute: name,
        backup: bv,
        live: lv,
        backupElement: b,
        liveElement: l,
        companions: [],
      });
  }

  /** Reused by compareValues, which never runs inside itself. */
  private readonly pending: Pending[] = [];

  private compareValues(b: XmlElement, l: XmlElement, path: string, parents: Parents | null): void {
    const inB = wideIndex(b);
    const inL = wideIndex(l);
    const ignoring = this.ignoredElements.has(path);
    const ruled = parents === null || RULED.has(b.name);
    const pending = this.pending;
    if (pending.length > 0) pending.length = 0;
    for (const a of b.attributes)
      this.attribute(b, l, path, parents, a.name, a.value, inL ? (inL.get(a.name) ?? null) : getAttribute(l, a.name), ignoring, ruled);
    for (const a of l.attributes)
      if ((inB ? (inB.get(a.name) ?? null) : getAttribute(b, a.name)) === null)
        this.attribute(b, l, path, parents, a.name, null, a.value, ignoring, ruled);
    // After every attribute of the element, so a switch written after its ports (autoport) is known.
    for (const { rule, companion } of pending) {
      const switchPath = rule === 'always' ? null : `${rule.on === 'self' ? path : (parents?.path ?? '')}@${rule.attribute}`;
      const owner = switchPath === null ? undefined : this.values.get(switchPath);
      // Runtime on one side only, yet the switch does not differ: never drop it silently.
      if (owner) owner.companions.push(companion);
      else
        this.value({
          kind: 'value',
          path: companion.path,
          elementPath: path,
          attribute: companion.attribute,
          backup: companion.backup,
          live: companion.live,
          backupElement: b,
          liveElement: l,
          companions: [],
        });
    }
    if (!isLeaf(b) || !isLeaf(l) || (ignoring && this.ignored.has(`${path}#text`))) return;
    const bt = textContent(b).trim();
    const lt = textContent(l).trim();
    if (bt === '' && lt === '') return;
    if (bt === lt) this.equalValues += 1;
    else
      this.differences.push({
        kind: 'value',
        path,
        elementPath: path,
        attribute: null,
        backup: bt === '' ? null : bt,
        live: lt === '' ? null : lt,
        backupElement: b,
        liveElement: l,
        companions: [],
      });
  }

  /** An order difference among the elements of one name present on both sides, if there is one. */
  private order(b: XmlElement, path: string, name: string, bMap: Map<string, XmlElement>, lMap: Map<string, XmlElement>): void {
    if (bMap.size < 2 || lMap.size < 2 || ORDER_FREE.has(name)) return;
    const backupKeys = bMap.keys();
    let same = true;
    for (const key of lMap.keys()) {
      if (!bMap.has(key)) continue;
      let next = backupKeys.next();
      while (!next.done && !lMap.has(next.value)) next = backupKeys.next();
      if (next.value !== key) {
        same = false;
        break;
      }
    }
    if (same) return;
    const backup = [...bMap.keys()].filter((k) => lMap.has(k));
    const live = [...lMap.keys()].filter((k) => bMap.has(k));
    this.differences.push({
      kind: 'order',
      path: join(path, name),
      name,
      backupParent: b,
      backup: backup.map((k) => shownKey(k, name)),
      live: live.map((k) => shownKey(k, name)),
      liveOrder: live.map((k) => bMap.get(k)!),
    });
  }

  walk(b: XmlElement, l: XmlElement, path: string, parents: Parents | null): void {
    if (isLeaf(b) && isLeaf(l)) {
      this.compareValues(b, l, path, parents);
      return;
    }
    const bChildren = groupChildren(b);
    const lChildren = groupChildren(l);
    if (parents && (bChildren.text || lChildren.text)) {
      if (contentKey(b) === contentKey(l)) this.equalValues += 1;
      else this.differences.push({ kind: 'content', path, backupElement: b, liveElement: l });
      return;
    }
    this.compareValues(b, l, path, parents);
    const bGroups = bChildren.groups;
    const lGroups = lChildren.groups;
    const liveToBackup = new Map<XmlElement, XmlElement>();
    const liveOnly: { key: string; element: XmlElement; replaces: XmlElement[] }[] = [];
    const matched: [string, XmlElement, XmlElement][] = [];
    let bPositions: Map<XmlElement, number> | null = null;
    const names = new Set([...bGroups.keys(), ...lGroups.keys()]);
    for (const name of names) {
      const bs = bGroups.get(name) ?? [];
      const ls = lGroups.get(name) ?? [];
      const positional = Math.max(bs.length, ls.length) > 1;
      const bMap = keyed(bs, 'backup', this.options, positional);
      const lMap = keyed(ls, 'live', this.options, positional);
      for (const [key, element] of bMap) {
        const other = lMap.get(key);
        if (other) {
          liveToBackup.set(other, element);
          matched.push([key, element, other]);
        } else {
          bPositions ??= positions(b);
          const indent = indentBefore(b, element, bPositions.get(element));
          this.differences.push({
            kind: 'element',
            path: join(path, key),
            side: 'backup',
            element,
            backupParent: b,
            liveParent: null,
            livePosition: -1,
            counterparts: liveToBackup,
            indent,
            replaces: [],
          });
        }
      }
      let runtime: XmlElement[] | null = null;
      for (const [key, element] of lMap) {
        if (bMap.has(key)) continue;
        runtime ??= childElements(b, name).filter((c) => isRuntimeElement(c, b));
        liveOnly.push({ key, element, replaces: runtime });
      }
      this.order(b, path, name, bMap, lMap);
    }
    if (liveOnly.length > 0) {
      // In document order, so that elements inserted one after another keep the live order.
      const lPositions = positions(l);
      liveOnly.sort((x, y) => lPositions.get(x.element)! - lPositions.get(y.element)!);
      for (const { key, element, replaces } of liveOnly) {
        const at = lPositions.get(element)!;
        this.differences.push({
          kind: 'element',
          path: join(path, key),
          side: 'live',
          element,
          backupParent: b,
          liveParent: l,
          livePosition: at,
          counterparts: liveToBackup,
          indent: indentBefore(l, element, at),
          replaces,
        });
      }
    }
    for (const [key, be, le] of matched) this.walk(be, le, join(path, key), { b, l, path });
  }
}

export function diffXml(backupRoot: XmlElement, liveRoot: XmlElement, options: XmlDiffOptions = {}): XmlDiffResult {
  const comparison = new Comparison(options);
  comparison.walk(backupRoot, liveRoot, '', null);
  return { differences: comparison.differences, equalValues: comparison.equalValues };
}
