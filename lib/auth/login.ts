import 'server-only';
import { randomBytes } from 'node:crypto';
import { isAppError } from '@/lib/errors';
import { verifyPassword } from '@/lib/ldap/client';
import { rdn } from '@/lib/ldap/escape';
import { peopleDn } from '@/lib/ldap/layout';
import { findPeopleByLogin, type Person } from '@/lib/ldap/people';
import { grantsOf } from './access';
import { hasAnyGrant, type Grants } from './capabilities';

export type LoginFailure = 'unknown-user' | 'wrong-password' | 'ambiguous-user' | 'not-permitted' | 'directory-unavailable';

export type LoginResult = { ok: true; person: Person; grants: Grants; grantedBy: string[] } | { ok: false; reason: LoginFailure };

const WRONG = 'The login name or the password is not correct.';

/**
 * What the person is told. An unknown name and a wrong password read the same, so the sign-in form
 * does not tell a guesser which login names exist; the server log and the audit trail keep them apart.
 */
export const loginMessages: Record<LoginFailure, string> = {
  'unknown-user': WRONG,
  'wrong-password': WRONG,
  'ambiguous-user': 'Several people in the directory share this login name; ask a directory administrator to make it unique.',
  'not-permitted':
    'The password is correct, but the directory gives this person no right in the backup console (view, configure or restore). Ask a directory administrator.',
  'directory-unavailable': 'The directory cannot be reached right now, so nobody can be signed in. Try again in a moment.',
};

/**
 * Checks the password by binding as the person, and what the directory lets them do. For an
 * unknown name the console binds as a person that does not exist, so the answer takes as long as
 * for a wrong password.
 */
export async function login(loginName: string, password: string): Promise<LoginResult> {
  try {
    const people = await findPeopleByLogin(loginName);
    // An empty password would be an unauthenticated bind, which LDAP servers accept: never try it.
    if (password === '') return { ok: false, reason: people.length === 0 ? 'unknown-user' : 'wrong-password' };
    if (people.length === 0) {
      await verifyPassword(`${rdn('uid', `no-such-person-${randomBytes(6).toString('hex')}`)},${peopleDn()}`, password);
      return { ok: false, reason: 'unknown-user' };
    }
    const matching: Person[] = [];
    for (const person of people) if (await verifyPassword(person.dn, password)) matching.push(person);
    if (matching.length === 0) return { ok: false, reason: 'wrong-password' };
    // Said only once a password was right, so it does not reveal which names exist.
    if (people.length > 1) return { ok: false, reason: 'ambiguous-user' };
    const person = matching[0];
    const { grants, grantedBy } = await grantsOf(person);
    if (!hasAnyGrant(grants)) return { ok: false, reason: 'not-permitted' };
    return { ok: true, person, grants, grantedBy };
  } catch (error) {
    if (isAppError(error)) {
      console.error(`[login] ${error.code}: ${error.detail ?? error.message}`);
      return { ok: false, reason: 'directory-unavailable' };
    }
    throw error;
  }
}
