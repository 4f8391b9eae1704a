/**
 * Internal: a conflict together with how each choice changes the target state. computeConflicts
 * keeps only the conflicts; applyDecisions runs the operations in phases: elements on both sides
 * are put in order (phase 0) before elements are added after their live neighbours, entries and
 * elements exist (phase 1) before values are set in them (phase 2), and grouped settings write
 * one value into every place that holds it last (phase 3).
 */
import type { LdifEntry } from './ldif';
import type { Choice, Conflict, Identities } from './types';
import type { XmlDocument, XmlElement } from './xml';

/** The key of the DHCP reservation among the target entries (subtree keys always contain '='). */
export const DHCP_KEY = '#dhcp';

export interface ApplyContext {
  /** Target entries by subtree key ('' for the machine) and DHCP_KEY; starts as the live entries. */
  entries: Map<string, LdifEntry>;
  /** Target domain XML; starts as the backup's. */
  doc: XmlDocument;
  /** Interface entry key → its `<interface>` in the target XML. */
  interfaces: Map<string, XmlElement>;
  /** Live-only element → the copy inserted into the target XML, to place later insertions after it. */
  inserted: Map<XmlElement, XmlElement>;
}

export interface EntryEffects {
  added: string[];
  removed: string[];
}

export interface Operation {
  conflict: Conflict;
  phase: 0 | 1 | 2 | 3;
  /** `value` is the checked, normalised typed value when choice is 'value'. */
  apply(ctx: ApplyContext, choice: Choice, value: string | null): void;
  /** How a typed value reads in the plan. */
  formatValue(value: string): string;
  /** For entry conflicts: the entries a choice adds or removes, as "description (DN)". */
  entryEffects?(choice: Choice): EntryEffects;
  /** A sentence when the choice makes the XML differ from the backup's where a saved state depends on it. */
  stateRisk?(choice: Choice, value: string | null): string | null;
}

export function otherIdentities(identities: Identities, machineUuid: string): Identities {
  const mine = (uuid: string) => uuid.toLowerCase() === machineUuid.toLowerCase();
  return { macs: identities.macs.filter((m) => !mine(m.machineUuid)), addresses: identities.addresses.filter((a) => !mine(a.machineUuid)) };
}
