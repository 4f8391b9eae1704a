/**
 * Builds the target state from the decisions: the live entries and the backup's domain XML as
 * the starting points, changed by each decision. Both starting points are what "nothing to
 * decide" means: entries equal on both sides are the live ones, and the XML equal on both sides
 * is the backup's (which the saved state was taken with).
 */
import { rdnsOf } from './dn';
import { sideAgreement } from './agreement';
import { analyze } from './analyze';
import { interfaceElements, readDomain } from './domain-xml';
import { readSide } from './sides';
import { checkDecisions } from './decisions';
import { cloneEntry } from './entries';
import type { LdifEntry } from './ldif';
import { DHCP_KEY, type ApplyContext } from './operation';
import type { ConflictInput, ConflictSet, Decisions, RestorePlan, Resolution } from './types';
import { serializeXml, type XmlElement } from './xml';

/** What a set says about the machine, independent of how the object was stored and read back. */
function fingerprint(set: ConflictSet): string {
  return JSON.stringify(
    set.conflicts.map((c) => [
      c.id,
      c.kind,
      c.live,
      c.backup,
      c.values.live,
      c.values.backup,
      c.collision ?? null,
      c.ldap.map((p) => [p.dn, p.attribute, p.live, p.backup]),
      c.xml.map((p) => [p.path, p.live, p.backup]),
    ]),
  );
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function orderedEntries(ctx: ApplyContext): LdifEntry[] {
  const subtree = [...ctx.entries].filter(([key]) => key !== DHCP_KEY).map(([, entry]) => ({ entry, depth: rdnsOf(entry.dn).length }));
  subtree.sort((a, b) => a.depth - b.depth);
  const dhcp = ctx.entries.get(DHCP_KEY);
  return [...subtree.map((s) => s.entry), ...(dhcp ? [dhcp] : [])];
}

/**
 * Applies checked decisions. Throws when the identities do not match, when `set` was not computed
 * from this same input (the live state moved on: compare again), or when a decision is invalid.
 */
export function applyDecisions(input: ConflictInput, set: ConflictSet, decisions: Decisions): Resolution {
  const analysis = analyze(input);
  if (analysis.set.identityMismatch !== null || !analysis.sides)
    throw new Error(analysis.set.identityMismatch ?? 'The identities do not match.');
  if (fingerprint(analysis.set) !== fingerprint(set)) {
    throw new Error('The differences were computed from another state of the machine; compare again before restoring.');
  }
  const checked = checkDecisions(analysis.set, decisions);
  const problems = Object.entries(checked.errors);
  if (problems.length > 0)
    throw new Error(`Not every decision can be applied: ${problems.map(([id, error]) => `${id}: ${error}`).join(' ')}`);

  const { sides } = analysis;
  const doc = sides.backupXml.doc;
  const entries = new Map<string, LdifEntry>();
  for (const e of sides.live.entries.values()) entries.set(e.key, cloneEntry(e.entry));
  if (sides.live.dhcp) entries.set(DHCP_KEY, cloneEntry(sides.live.dhcp));
  const elements = interfaceElements(doc.root);
  const interfaces = new Map<string, XmlElement>();
  for (const [key, position] of sides.backupXml.interfacePositions) interfaces.set(key, elements[position]);
  const ctx: ApplyContext = { entries, doc, interfaces, inserted: new Map() };

  const plan: RestorePlan = { overwritten: [], kept: [], entriesAdded: [], entriesRemoved: [], savedStateRisks: [] };
  for (const phase of [0, 1, 2, 3] as const) {
    for (const op of analysis.operations) {
      if (op.phase !== phase) continue;
      const decision = decisions[op.conflict.id];
      op.apply(ctx, decision.choice, checked.values.get(op.conflict.id) ?? null);
    }
  }
  for (const op of analysis.operations) {
    const c = op.conflict;
    const { choice } = decisions[c.id];
    const risk = op.stateRisk?.(choice, checked.values.get(c.id) ?? null);
    if (risk) plan.savedStateRisks.push(risk);
    if (c.kind === 'ldap-entry') {
      const effects = op.entryEffects?.(choice) ?? { added: [], removed: [] };
      plan.entriesAdded.push(...effects.added);
      plan.entriesRemoved.push(...effects.removed);
      if (choice === 'live') plan.kept.push(`${c.label}: ${lowerFirst(c.choices.live)}.`);
    } else if (choice === 'value' && op.formatValue(checked.values.get(c.id) ?? '') !== c.live) {
      plan.overwritten.push(`${c.label}: ${c.live} → ${op.formatValue(checked.values.get(c.id) ?? '')}`);
    } else if (choice === 'backup' && c.backup !== c.live) {
      plan.overwritten.push(`${c.label}: ${c.live} → ${c.backup}`);
    } else {
      plan.kept.push(`${c.label}: stays ${c.live}`);
    }
  }

  const ldif = orderedEntries(ctx);
  const resolved = readSide(ldif, input.machineUuid, 'The resolved state');
  const agreement = typeof resolved === 'string' ? [resolved] : sideAgreement(resolved, readDomain(doc), input.machineUuid);
  return { ldif, xml: serializeXml(doc), plan, agreement };
}
