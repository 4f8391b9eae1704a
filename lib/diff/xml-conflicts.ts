/**
 * Internal: domain XML differences the directory does not record (`devices/video/model@vram`,
 * `on_crash`, `features/hyperv`, a mixed-content element, the order of `devices/interface`) as
 * conflicts. The resolved XML starts as the backup's, so taking the backup changes nothing and
 * keeping live copies the live version in.
 */
import { interfaceKey } from './inventory';
import type { ApplyContext, Operation } from './operation';
import type { Choice, Conflict } from './types';
import { VALUE_HINTS } from './values';
import { serializeElement, type XmlElement } from './xml';
import type { XmlCompanion, XmlContentDifference, XmlElementDifference, XmlOrderDifference, XmlValueDifference } from './xml-diff';
import { cloneNode, insertElement, removeAttribute, removeElement, setAttribute, setTextContent } from './xml-nodes';

/** Parts of the XML a saved state does not depend on: images may move, names and policies may change. */
const STATE_SAFE = [
  /^devices\/disk\[[^\]]+\]\/source(@|$)/,
  /^title$/,
  /^description$/,
  /^metadata(\/|$)/,
  /^on_(poweroff|reboot|crash)$/,
  /^devices\/interface\[[^\]]+\]\/source@bridge$/,
];

export function stateRiskOf(path: string, label: string): string | null {
  return STATE_SAFE.some((re) => re.test(path)) ? null : `${label} differs from the backup's domain XML.`;
}

/** One line, so a whole element reads as a value in a table cell. */
export function compactElement(element: XmlElement): string {
  return serializeElement(element).replace(/>\s+</g, '><').trim();
}

/** The interface entry key of a `devices/interface[name]` path, when it names one. */
function interfaceKeyOfPath(path: string): string | null {
  const m = /^devices\/interface\[([^\]#][^\]]*)\]$/.exec(path);
  return m ? interfaceKey(m[1]) : null;
}

/** Makes the target XML hold the live version of an element that exists on one side only. */
export function takeLiveElement(ctx: ApplyContext, diff: XmlElementDifference): void {
  const key = interfaceKeyOfPath(diff.path);
  if (diff.side === 'backup') {
    removeElement(diff.backupParent, diff.element);
    if (key !== null) ctx.interfaces.delete(key);
    return;
  }
  const copy = cloneNode(diff.element);
  const replaced = diff.replaces.filter((r) => diff.backupParent.children.includes(r));
  if (replaced.length > 0) {
    // Where libvirt's runtime element was, which is where libvirt writes this one too.
    diff.backupParent.children.splice(diff.backupParent.children.indexOf(replaced[0]), 1, copy);
    for (const r of replaced.slice(1)) removeElement(diff.backupParent, r);
  } else {
    // After the nearest earlier live sibling that the target has (from the backup or inserted
    // before), so the element lands where the live XML has it.
    let anchor: XmlElement | null = null;
    const siblings = diff.liveParent?.children ?? [];
    for (let i = diff.livePosition - 1; i >= 0 && anchor === null; i -= 1) {
      const sibling = siblings[i];
      if (sibling.type !== 'element') continue;
      const candidate = diff.counterparts.get(sibling) ?? ctx.inserted.get(sibling);
      if (candidate && diff.backupParent.children.includes(candidate)) anchor = candidate;
    }
    insertElement(diff.backupParent, copy, anchor, diff.indent);
  }
  ctx.inserted.set(diff.element, copy);
  if (key !== null) ctx.interfaces.set(key, copy);
}

function label(attribute: string | null, elementPath: string): string {
  if (attribute === null) return `XML ${elementPath}`;
  return `XML ${elementPath === '' ? 'domain' : elementPath} ${attribute}`;
}

function writeAttribute(element: XmlElement, attribute: string, value: string | null): void {
  if (value === null) removeAttribute(element, attribute);
  else setAttribute(element, attribute, value);
}

function companionText(c: XmlCompanion, side: 'live' | 'backup'): string | null {
  const value = c[side];
  return value !== null && c.runtimeOn === side ? `${value} (set by libvirt at start)` : value;
}

export function xmlValueOperation(diff: XmlValueDifference): Operation {
  const show = (v: string | null) => (v === null ? '(absent)' : v === '' ? '(empty)' : v);
  // Companions are shown where they are settings, not where they are libvirt's runtime choice.
  const display = (side: 'live' | 'backup') => {
    const settings = diff.companions.filter((c) => c.runtimeOn !== side && c[side] !== null).map((c) => `${c.attribute} ${c[side]}`);
    return settings.length === 0 ? show(diff[side]) : `${show(diff[side])} (${settings.join(', ')})`;
  };
  const linked = diff.companions.length > 0;
  const conflict: Conflict = {
    id: `xml:${diff.path}`,
    kind: 'xml',
    label: label(diff.attribute, diff.elementPath),
    live: display('live'),
    backup: display('backup'),
    // A typed value could not say what the values that go with it should be.
    allowValue: !linked,
    valueKind: linked ? null : 'xml-value',
    valueHint: linked ? null : VALUE_HINTS['xml-value'],
    values: { live: diff.live, backup: diff.backup },
    choices: {
      live: diff.live === null ? 'Leave it out, as live' : `Keep ${display('live')}`,
      backup: diff.backup === null ? 'Leave it out, as in the backup' : `Take ${display('backup')} from the backup`,
    },
    refused: {},
    ldap: [],
    xml: [
      { path: diff.path, live: diff.live, backup: diff.backup },
      ...diff.companions.map((c) => ({ path: c.path, live: companionText(c, 'live'), backup: companionText(c, 'backup') })),
    ],
  };
  const write = (value: string | null) => {
    const element = diff.backupElement;
    if (diff.attribute === null) setTextContent(element, value ?? '');
    else writeAttribute(element, diff.attribute, value);
  };
  return {
    conflict,
    phase: 2,
    formatValue: (v) => show(v),
    apply(_ctx: ApplyContext, choice: Choice, value: string | null) {
      if (choice === 'live') {
        write(diff.live);
        for (const c of diff.companions) writeAttribute(c.backupElement, c.attribute, c.live);
      } else if (choice === 'value') {
        write(value);
      }
    },
    stateRisk(choice: Choice, value: string | null) {
      const written = choice === 'live' ? diff.live : choice === 'value' ? value : diff.backup;
      return written === diff.backup ? null : stateRiskOf(diff.path, conflict.label);
    },
  };
}

export function xmlElementOperation(diff: XmlElementDifference): Operation {
  const text = compactElement(diff.element);
  const liveOnly = diff.side === 'live';
  const conflict: Conflict = {
    id: `xml:${diff.path}`,
    kind: 'xml',
    label: `XML element ${diff.path}`,
    live: liveOnly ? text : '(absent)',
    backup: liveOnly ? '(absent)' : text,
    allowValue: false,
    valueKind: null,
    valueHint: null,
    values: { live: null, backup: null },
    choices: liveOnly
      ? { live: 'Keep the element', backup: 'Remove it, as in the backup' }
      : { live: 'Leave it out, as live', backup: 'Restore it from the backup' },
    refused: {},
    ldap: [],
    xml: [{ path: diff.path, live: liveOnly ? text : null, backup: liveOnly ? null : text }],
  };
  return {
    conflict,
    phase: 1,
    formatValue: (v) => v,
    apply(ctx: ApplyContext, choice: Choice) {
      if (choice === 'live') takeLiveElement(ctx, diff);
    },
    stateRisk: (choice: Choice) => (choice === 'live' ? stateRiskOf(diff.path, conflict.label) : null),
  };
}

/** An element with mixed content: the live one replaces the backup's as a whole. */
export function xmlContentOperation(diff: XmlContentDifference): Operation {
  const live = compactElement(diff.liveElement);
  const backup = compactElement(diff.backupElement);
  const conflict: Conflict = {
    id: `xml:${diff.path}`,
    kind: 'xml',
    label: `XML element ${diff.path}`,
    live,
    backup,
    allowValue: false,
    valueKind: null,
    valueHint: null,
    values: { live: null, backup: null },
    choices: { live: 'Keep the live content', backup: "Take the backup's content" },
    refused: {},
    ldap: [],
    xml: [{ path: diff.path, live, backup }],
  };
  return {
    conflict,
    phase: 1,
    formatValue: (v) => v,
    apply(_ctx: ApplyContext, choice: Choice) {
      if (choice !== 'live') return;
      // In place, so later insertions can still anchor on this element.
      const copy = cloneNode(diff.liveElement);
      Object.assign(diff.backupElement, {
        attributes: copy.attributes,
        children: copy.children,
        selfClosing: copy.selfClosing,
        spaceBeforeClose: copy.spaceBeforeClose,
      });
    },
    stateRisk: (choice: Choice) => (choice === 'live' ? stateRiskOf(diff.path, conflict.label) : null),
  };
}

/** Puts the backup's elements into the live order, each into a place one of them held. */
function reorder(parent: XmlElement, elements: XmlElement[]): void {
  const slots = elements.map((e) => parent.children.indexOf(e)).sort((a, b) => a - b);
  slots.forEach((slot, i) => {
    parent.children[slot] = elements[i];
  });
}

export function xmlOrderOperation(diff: XmlOrderDifference): Operation {
  const parentPath = diff.path.slice(0, Math.max(0, diff.path.length - diff.name.length - 1));
  const conflict: Conflict = {
    id: `xml:${diff.path}#order`,
    kind: 'xml',
    label: `Order of the ${diff.name} elements in ${parentPath === '' ? 'the domain' : parentPath}`,
    live: diff.live.join(', '),
    backup: diff.backup.join(', '),
    allowValue: false,
    valueKind: null,
    valueHint: null,
    values: { live: null, backup: null },
    choices: { live: 'Keep the live order', backup: "Take the backup's order" },
    refused: {},
    ldap: [],
    xml: [{ path: `${diff.path}#order`, live: diff.live.join(', '), backup: diff.backup.join(', ') }],
  };
  return {
    conflict,
    // Before elements are inserted after their live neighbours, so those land in the live order.
    phase: 0,
    formatValue: (v) => v,
    apply(_ctx: ApplyContext, choice: Choice) {
      if (choice === 'live') reorder(diff.backupParent, diff.liveOrder);
    },
    stateRisk: (choice: Choice) => (choice === 'live' ? stateRiskOf(`${diff.path}#order`, conflict.label) : null),
  };
}
