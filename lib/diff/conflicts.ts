/**
 * The conflict view of the two-phase restore (spec/restore-protocol.md, Phase 1 steps 3–5):
 * compare, decide, apply, and the directory writes and agreement checks that follow. The rules
 * (what is compared, how differences are grouped, ids, collisions) are in lib/diff/README.md.
 */
import { analyze } from './analyze';
import type { ConflictInput, ConflictSet } from './types';

export { agreementProblems } from './agreement';
export { applyDecisions } from './apply';
export { validateDecisions } from './decisions';
export { ldapChanges } from './ldap-changes';
export type {
  Choice,
  Conflict,
  ConflictInput,
  ConflictKind,
  ConflictSet,
  Decision,
  DecisionCheck,
  Decisions,
  Identities,
  LdapChange,
  LdapModification,
  LdapPlace,
  RestorePlan,
  Resolution,
  ValueKind,
  XmlPlace,
} from './types';

/**
 * Every difference between the backup and the live machine that the administrator must decide.
 * When the backup is not of this machine, `identityMismatch` says why and there are no conflicts.
 * Throws XmlSyntaxError or DomainXmlError when a domain XML cannot be read at all.
 */
export function computeConflicts(input: ConflictInput): ConflictSet {
  return analyze(input).set;
}
