import 'server-only';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { findGroups, readPerson, readRoles, readStoneyRoles, type Person } from '@/lib/ldap/people';
import { cachedAccess } from './access-cache';
import {
  allGrants,
  can,
  CAPABILITIES,
  CAPABILITY_VERBS,
  grantsFrom,
  hasAnyGrant,
  type Capability,
  type GrantRule,
  type Grants,
} from './capabilities';
import { readSession, revokeSession, sessionKeyFromCookie } from './session';

/** Who is asking and what the directory lets them do right now. */
export interface Access {
  sessionKey: string;
  person: { dn: string; uid: string; login: string; name: string };
  grants: Grants;
  /** Why, for the log and the page header: "role Admin Virtualization", "group backup-viewers (view)". */
  grantedBy: string[];
}

/** Who did something and with which capability: what the audit trail records. */
export interface Actor {
  dn: string;
  login: string;
  name: string;
  capability?: Capability;
}

const lower = (s: string) => s.trim().toLowerCase();

/**
 * A person's capabilities from the directory as it is now. Administrators (an sstRole other than
 * User, the FOSS-Cloud Admin role, CONSOLE_ADMIN_GROUP) may do everything; everyone else gets what
 * the CONSOLE_*_GRANTS rules their roles and groups match give them.
 */
export async function grantsOf(person: Person): Promise<{ grants: Grants; grantedBy: string[] }> {
  const { access, adminGroup } = env();
  const rules = CAPABILITIES.flatMap((c) => access.rules[c]);
  const groupNames = [...new Set([...rules.filter((r) => r.kind === 'group').map((r) => r.name), ...(adminGroup ? [adminGroup] : [])])];
  const [stoneyRoles, fossRoles, groups] = await Promise.all([
    readStoneyRoles(person.dn),
    readRoles(person.roleUids),
    findGroups(groupNames),
  ]);

  const adminRole = stoneyRoles.find((r) => lower(r) !== 'user');
  if (adminRole) return { grants: allGrants(), grantedBy: [`role ${adminRole}`] };
  if (fossRoles.some((r) => r.names.some((n) => lower(n) === 'admin'))) return { grants: allGrants(), grantedBy: ['role Admin'] };

  const memberOf = new Set(person.groupUids.map(lower));
  const inGroup = (name: string) =>
    memberOf.has(lower(name)) || groups.some((g) => memberOf.has(lower(g.uid)) && g.names.some((n) => lower(n) === lower(name)));
  if (adminGroup && inGroup(adminGroup)) return { grants: allGrants(), grantedBy: [`group ${adminGroup}`] };

  const roleNames = new Set([...stoneyRoles.map(lower), ...fossRoles.flatMap((r) => [lower(r.uid), ...r.names.map(lower)])]);
  const matches = (rule: GrantRule) => (rule.kind === 'role' ? roleNames.has(lower(rule.name)) : inGroup(rule.name));
  const grantedBy = CAPABILITIES.flatMap((c) =>
    access.rules[c]
      .filter(matches)
      .map((r) => `${r.kind} ${r.name} (${c}${r.pools ? ` in ${r.pools.length} pool${r.pools.length === 1 ? '' : 's'}` : ''})`),
  );
  return { grants: grantsFrom(access.rules, matches), grantedBy };
}

/**
 * The session named by the cookie, re-established from the directory: the session entry must
 * still exist, the person must still exist, and they must still have a capability. A session that
 * fails the last two is ended, so it cannot come back when the cache runs out elsewhere.
 */
async function resolveAccess(key: string): Promise<Access | null> {
  const session = await readSession(key);
  if (!session) return null;
  const person = await readPerson(session.dn);
  const { grants, grantedBy } = person ? await grantsOf(person) : { grants: null, grantedBy: [] };
  if (!person || !grants || !hasAnyGrant(grants)) {
    console.info(
      `[auth] session of ${session.login} (${session.dn}) ended: ${person ? 'the directory no longer gives this person any right in the console' : 'the person no longer exists in the directory'}`,
    );
    await revokeSession(key);
    return null;
  }
  return { sessionKey: key, person: { dn: person.dn, uid: person.uid, login: person.login, name: person.displayName }, grants, grantedBy };
}

/** The signed-in person with their rights now, or null (no cookie, signed out, expired, person gone, no rights left). */
export const currentAccess = cache(async (): Promise<Access | null> => {
  const key = await sessionKeyFromCookie();
  if (!key) return null;
  return cachedAccess(key, env().access.cacheMs, () => resolveAccess(key));
});

function noCapability(capability: Capability): string {
  return `Your account may not ${CAPABILITY_VERBS[capability]}: the directory gives it no "${capability}" right in the backup console.`;
}

/** The sentence refusing a person who lacks the capability in every pool; null when they have it somewhere. */
export function missingCapability(access: Pick<Access, 'grants'>, capability: Capability): string | null {
  return can(access.grants, capability) ? null : noCapability(capability);
}

/**
 * Pages and lib/ reads call this first. Without a session the request goes to the sign-in page
 * (and back here afterwards); without the capability anywhere it is refused with a sentence.
 */
export async function requireAccess(capability?: Capability): Promise<Access> {
  const access = await currentAccess();
  if (!access) {
    const path = (await headers()).get('x-console-path');
    redirect(path && path !== '/' ? `/login?next=${encodeURIComponent(path)}` : '/login');
  }
  const missing = capability ? missingCapability(access, capability) : null;
  if (missing) throw new AppError('forbidden', missing);
  return access;
}

/** What an action or page concerns, for the pool check. */
export type AccessTarget =
  { kind: 'machine'; name: string; pool: string | null } | { kind: 'pool'; name: string; uuid: string } | { kind: 'cloud'; what: string };

const VERBS: Record<Capability, string> = { view: 'see', configure: 'change the backup configuration of', restore: 'restore' };

/** Null when allowed, otherwise the sentence that says why not. */
export function refusalOf(access: Pick<Access, 'grants'>, capability: Capability, target: AccessTarget): string | null {
  const pool = target.kind === 'machine' ? target.pool : target.kind === 'pool' ? target.uuid : null;
  if (can(access.grants, capability, pool)) return null;
  if (!can(access.grants, capability)) return noCapability(capability);
  const only = `the directory gives you the "${capability}" right only for some pools`;
  if (target.kind === 'cloud')
    return `Your account may not ${target.what}: that needs the "${capability}" right for every pool, and ${only}.`;
  if (target.kind === 'pool')
    return `Your account may not ${VERBS[capability]} the machines of pool ${target.name}: ${only}, not this one.`;
  if (target.pool === null) return `Your account may not ${VERBS[capability]} ${target.name}: it belongs to no pool, and ${only}.`;
  return `Your account may not ${VERBS[capability]} ${target.name}: ${only}, not the one it belongs to.`;
}

export function assertAllowed(access: Pick<Access, 'grants'>, capability: Capability, target: AccessTarget): void {
  const refusal = refusalOf(access, capability, target);
  if (refusal) throw new AppError('forbidden', refusal);
}

/** The person as the audit trail records them, with the capability the action used. */
export function actorOf(access: Access, capability: Capability): Actor {
  return { dn: access.person.dn, login: access.person.login, name: access.person.name, capability };
}

/**
 * requireAccess() sends a page without a session to the sign-in page by throwing Next's redirect.
 * The action and route wrappers check the session first, but a session can end between that check
 * and a lib/ read; they answer that case as "session ended" instead of as a failure.
 */
export function isSignInRedirect(error: unknown): boolean {
  return error instanceof Error && 'digest' in error && String((error as { digest?: unknown }).digest).startsWith('NEXT_REDIRECT');
}
