import 'server-only';
import { all, one } from './entry';
import { eq } from './escape';
import { groupsDn, peopleDn, rolesDn } from './layout';
import { searchAll } from './client';

export interface Person {
  dn: string;
  uid: string;
  login: string;
  displayName: string;
  groupUids: string[];
  roleUids: string[];
}

/** Login names are `cn` of sstPerson entries, as the VM-Manager's "User Search" realm defines them. */
export async function findPeopleByLogin(login: string): Promise<Person[]> {
  const entries = await searchAll('Looking up the login name', {
    base: peopleDn(),
    scope: 'one',
    filter: `(&(objectClass=sstPerson)${eq('cn', login)})`,
    attributes: ['uid', 'cn', 'givenName', 'surname', 'sn', 'sstGroupUID', 'sstRoleUID'],
  });
  return entries.map((entry) => {
    const given = one(entry, 'givenName');
    const surname = one(entry, 'surname') ?? one(entry, 'sn');
    return {
      dn: entry.dn,
      uid: one(entry, 'uid') ?? '',
      login: one(entry, 'cn') ?? login,
      displayName: [given, surname].filter(Boolean).join(' ') || login,
      groupUids: all(entry, 'sstGroupUID'),
      roleUids: all(entry, 'sstRoleUID'),
    };
  });
}

/** stoney cloud roles: sstRole=<name> children of the person entry. */
export async function readStoneyRoles(personDn: string): Promise<string[]> {
  const entries = await searchAll('Reading the person roles', {
    base: personDn,
    scope: 'one',
    filter: '(objectClass=sstRoles)',
    attributes: ['sstRole'],
  });
  return entries.flatMap((e) => all(e, 'sstRole'));
}

/** FOSS-Cloud 1.3 roles: uid=<n>,ou=roles,<base> named by the person's sstRoleUID values. */
export async function readRoleNames(roleUids: string[]): Promise<string[]> {
  if (roleUids.length === 0) return [];
  const entries = await searchAll('Reading roles', {
    base: rolesDn(),
    scope: 'one',
    filter: `(&(objectClass=sstRoleObjectClass)(|${roleUids.map((u) => eq('uid', u)).join('')}))`,
    attributes: ['sstDisplayName'],
  });
  return entries.flatMap((e) => all(e, 'sstDisplayName'));
}

/** Groups a configured name may refer to: by uid, sstGroupName or sstDisplayName. */
export async function findGroupUids(nameOrUid: string): Promise<string[]> {
  const entries = await searchAll('Reading the administrators group', {
    base: groupsDn(),
    scope: 'one',
    filter: `(&(objectClass=sstGroupObjectClass)(|${eq('uid', nameOrUid)}${eq('sstGroupName', nameOrUid)}${eq('sstDisplayName', nameOrUid)}))`,
    attributes: ['uid'],
  });
  return entries.map((e) => one(e, 'uid')).filter((u): u is string => Boolean(u));
}
