/**
 * Internal: domain XML differences the directory does not record (`devices/video/model@vram`,
 * `on_crash`, `features/hyperv`) as conflicts. The resolved XML starts as the backup's, so
 * taking the backup changes nothing and keeping live copies the live version in.
 */
import { interfaceKey } from './inventory';
import type { ApplyContext, Operation } from './operation';
import type { Choice, Conflict } from './types';
import { VALUE_HINTS } from './values';
import { serializeElement, type XmlElement } from './xml';
import type { XmlElementDifference, XmlValueDifference } from './xml-diff';
import { cloneNode, insertElement, removeAttribute, removeElement, setAttribute, setTextContent } from './xml-nodes';

/** Parts of the XML a saved state does not depend on: images may move, names and policies may change. */
const STATE_SAFE = [/^devices\/disk\[[^\]]+\]\/source(@|$)/, /^title$/, /^description$/, /^metadata(\/|$)/, /^on_(poweroff|reboot|crash)$/, /^devices\/interface\[[^\]]+\]\/source@bridge$/];

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
  // After the nearest earlier live sibling that the target has (from the backup or inserted
  // before), so the element lands where the live XML has it.
  let anchor: XmlElement | null = null;
  for (const sibling of diff.preceding) {
    const candidate = diff.counterparts.get(sibling) ?? ctx.inserted.get(sibling);
    if (candidate && diff.backupParent.children.includes(candidate)) {
      anchor = candidate;
      break;
    }
  }
  const copy = cloneNode(diff.element);
  insertElement(diff.backupParent, copy, anchor, diff.indent);
  ctx.inserted.set(diff.element, copy);
  if (key !== null) ctx.interfaces.set(key, copy);
}

function label(attribute: string | null, elementPath: string): string {
  if (attribute === null) return `XML ${elementPath}`;
  return `XML ${elementPath === '' ? 'domain' : elementPath} ${attribute}`;
}

export function xmlValueOperation(diff: XmlValueDifference): Operation {
  const show = (v: string | null) => (v === null ? '(absent)' : v === '' ? '(empty)' : v);
  const conflict: Conflict = {
    id: `xml:${diff.path}`,
    kind: 'xml',
    label: label(diff.attribute, diff.elementPath),
    live: show(diff.live),
    backup: show(diff.backup),
    allowValue: true,
    valueKind: 'xml-value',
    valueHint: VALUE_HINTS['xml-value'],
    values: { live: diff.live, backup: diff.backup },
    choices: { live: diff.live === null ? 'Leave it out, as live' : `Keep ${show(diff.live)}`, backup: diff.backup === null ? 'Leave it out, as in the backup' : `Take ${show(diff.backup)} from the backup` },
    refused: {},
    ldap: [],
    xml: [{ path: diff.path, live: diff.live, backup: diff.backup }],
  };
  const write = (value: string | null) => {
    const element = diff.backupElement;
    if (diff.attribute === null) setTextContent(element, value ?? '');
    else if (value === null) removeAttribute(element, diff.attribute);
    else setAttribute(element, diff.attribute, value);
  };
  return {
    conflict,
    phase: 1,
    formatValue: (v) => show(v),
    apply(_ctx: ApplyContext, choice: Choice, value: string | null) {
      if (choice === 'live') write(diff.live);
      else if (choice === 'value') write(value);
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
    choices: liveOnly ? { live: 'Keep the element', backup: 'Remove it, as in the backup' } : { live: 'Leave it out, as live', backup: 'Restore it from the backup' },
    refused: {},
    ldap: [],
    xml: [{ path: diff.path, live: liveOnly ? text : null, backup: liveOnly ? null : text }],
  };
  return {
    conflict,
    phase: 0,
    formatValue: (v) => v,
    apply(ctx: ApplyContext, choice: Choice) {
      if (choice === 'live') takeLiveElement(ctx, diff);
    },
    stateRisk: (choice: Choice) => (choice === 'live' ? stateRiskOf(diff.path, conflict.label) : null),
  };
}
