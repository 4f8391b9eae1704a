import 'server-only';
import { env } from '@/lib/env';
import { isAppError } from '@/lib/errors';
import { verifyPassword } from '@/lib/ldap/client';
import { findGroupUids, findPeopleByLogin, readRoleNames, readStoneyRoles, type Person } from '@/lib/ldap/people';

export type LoginFailure = 'unknown-user' | 'ambiguous-user' | 'wrong-password' | 'not-admin' | 'directory-unavailable';

export type LoginResult = { ok: true; person: Person; adminBy: string } | { ok: false; reason: LoginFailure };

export const loginMessages: Record<LoginFailure, string> = {
  'unknown-user': 'There is no person with this login name in the directory.',
  'ambiguous-user': 'Several people in the directory share this login name; ask a directory administrator to make it unique.',
  'wrong-password': 'The password is not correct for this login name.',
  'not-admin': 'This person is not an administrator. Only administrators may use the backup console.',
  'directory-unavailable': 'The directory cannot be reached right now, so nobody can be signed in. Try again in a moment.',
};

/**
 * Why a person counts as administrator, or null. The three rules are the stoney cloud role
 * model (an sstRole child other than "User"), the FOSS-Cloud 1.3 role model (sstRoleUID naming
 * the "Admin" role) and the installation's own administrators group.
 */
async function administratorReason(person: Person): Promise<string | null> {
  const stoneyRoles = await readStoneyRoles(person.dn);
  const adminRole = stoneyRoles.find((r) => r.trim().toLowerCase() !== 'user');
  if (adminRole) return `role ${adminRole}`;
  const roleNames = await readRoleNames(person.roleUids);
  if (roleNames.some((n) => n.trim().toLowerCase() === 'admin')) return 'role Admin';
  const group = env().adminGroup;
  if (group && person.groupUids.length > 0) {
    const groupUids = new Set([group, ...(await findGroupUids(group))]);
    if (person.groupUids.some((g) => groupUids.has(g))) return `group ${group}`;
  }
  return null;
}

export async function login(loginName: string, password: string): Promise<LoginResult> {
  try {
    const people = await findPeopleByLogin(loginName);
    if (people.length === 0) return { ok: false, reason: 'unknown-user' };
    if (people.length > 1) return { ok: false, reason: 'ambiguous-user' };
    const person = people[0];
    // An empty password would be an unauthenticated bind, which LDAP servers accept: never try it.
    if (password === '' || !(await verifyPassword(person.dn, password))) return { ok: false, reason: 'wrong-password' };
    const adminBy = await administratorReason(person);
    if (!adminBy) return { ok: false, reason: 'not-admin' };
    return { ok: true, person, adminBy };
  } catch (error) {
    if (isAppError(error)) {
      console.error(`[login] ${error.code}: ${error.detail ?? error.message}`);
      return { ok: false, reason: 'directory-unavailable' };
    }
    throw error;
  }
}
