/**
 * Checks the administrator's decisions against a ConflictSet: every conflict decided, no refused
 * choice taken, every typed value valid for its setting and not another machine's MAC or IP.
 */
import { collisionSentence, holdersOf } from './collisions';
import type { ConflictSet, DecisionCheck, Decisions } from './types';
import { checkValue } from './values';

export interface CheckedDecisions {
  errors: Record<string, string>;
  /** Normalised typed values by conflict id (memory in bytes, MAC in lower case …). */
  values: Map<string, string>;
}

export function checkDecisions(set: ConflictSet, decisions: Decisions): CheckedDecisions {
  const errors: Record<string, string> = {};
  const values = new Map<string, string>();
  const known = new Set(set.conflicts.map((c) => c.id));
  for (const id of Object.keys(decisions)) {
    if (!known.has(id)) errors[id] = 'There is no such difference any more; compare again.';
  }
  for (const conflict of set.conflicts) {
    const decision = Object.prototype.hasOwnProperty.call(decisions, conflict.id) ? decisions[conflict.id] : undefined;
    if (!decision) {
      errors[conflict.id] = 'Decide: keep live, take the backup' + (conflict.allowValue ? ', or type a value.' : '.');
      continue;
    }
    if (decision.choice === 'live' || decision.choice === 'backup') {
      const refused = conflict.refused[decision.choice];
      if (refused) errors[conflict.id] = refused;
      continue;
    }
    if (decision.choice !== 'value') {
      errors[conflict.id] = `"${String(decision.choice)}" is not a choice.`;
      continue;
    }
    if (!conflict.allowValue || conflict.valueKind === null) {
      errors[conflict.id] = 'This difference takes no typed value; keep live or take the backup.';
      continue;
    }
    if (typeof decision.value !== 'string') {
      errors[conflict.id] = 'Type a value.';
      continue;
    }
    const checked = checkValue(conflict.valueKind, decision.value, { imageFolders: set.imageFolders });
    if (!checked.ok) {
      errors[conflict.id] = checked.error;
      continue;
    }
    // libvirt would refuse e.g. a vram of "abc" only at define time, after the machine was
    // stopped; where both sides are whole numbers, so must the typed value be.
    const numeric = (v: string | null) => v !== null && /^\d+$/.test(v);
    if (conflict.valueKind === 'xml-value' && numeric(conflict.values.live) && numeric(conflict.values.backup) && !numeric(checked.value)) {
      errors[conflict.id] =
        `Type a whole number, as on both sides (${conflict.values.live} live, ${conflict.values.backup} in the backup).`;
      continue;
    }
    const identity = conflict.valueKind === 'mac' ? 'mac' : conflict.valueKind === 'ip' ? 'ip' : null;
    const holders = identity ? holdersOf(identity, checked.value, set.identities) : [];
    if (identity && holders.length > 0) {
      errors[conflict.id] = collisionSentence(identity, checked.value, holders, 'The');
      continue;
    }
    values.set(conflict.id, checked.value);
  }
  return { errors, values };
}

export function validateDecisions(set: ConflictSet, decisions: Decisions): DecisionCheck {
  if (set.identityMismatch !== null) return { ok: false, errors: { identity: set.identityMismatch } };
  const { errors } = checkDecisions(set, decisions);
  return Object.keys(errors).length === 0 ? { ok: true } : { ok: false, errors };
}
