import 'server-only';
import { readEntry, searchAll } from './client';
import { all, hasObjectClass, one, type RawEntry } from './entry';
import { eq } from './escape';
import { groupsDn, peopleDn, rolesDn } from './layout';

export interface Person {
  dn: string;
  uid: string;
  login: string;
  displayName: string;
  groupUids: string[];
  roleUids: string[];
}

const PERSON_ATTRIBUTES = ['uid', 'cn', 'givenName', 'surname', 'sn', 'sstGroupUID', 'sstRoleUID'] as const;

function toPerson(entry: RawEntry, fallbackLogin: string): Person {
  const given = one(entry, 'givenName');
  const surname = one(entry, 'surname') ?? one(entry, 'sn');
  const login = one(entry, 'cn') ?? fallbackLogin;
  return {
    dn: entry.dn,
    uid: one(entry, 'uid') ?? '',
    login,
    displayName: [given, surname].filter(Boolean).join(' ') || login,
    groupUids: all(entry, 'sstGroupUID'),
    roleUids: all(entry, 'sstRoleUID'),
  };
}

/** Login names are `cn` of sstPerson entries, as the VM-Manager's "User Search" realm defines them. */
export async function findPeopleByLogin(login: string): Promise<Person[]> {
  const entries = await searchAll('Looking up the login name', {
    base: peopleDn(),
    scope: 'one',
    filter: `(&(objectClass=sstPerson)${eq('cn', login)})`,
    attributes: PERSON_ATTRIBUTES,
  });
  return entries.map((entry) => toPerson(entry, login));
}

/** The person a session belongs to, as the directory has it now; null once the entry is gone or no longer a person. */
export async function readPerson(dn: string): Promise<Person | null> {
  const entry = await readEntry('Reading the signed-in person', dn, [...PERSON_ATTRIBUTES, 'objectClass']);
  if (!entry || !hasObjectClass(entry, 'sstPerson')) return null;
  return toPerson(entry, one(entry, 'uid') ?? '');
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

/** FOSS-Cloud 1.3 roles: uid=<n>,ou=roles,<base> named by the person's sstRoleUID values (uid and display names). */
export async function readRoles(roleUids: string[]): Promise<{ uid: string; names: string[] }[]> {
  if (roleUids.length === 0) return [];
  const entries = await searchAll('Reading roles', {
    base: rolesDn(),
    scope: 'one',
    filter: `(&(objectClass=sstRoleObjectClass)(|${roleUids.map((u) => eq('uid', u)).join('')}))`,
    attributes: ['uid', 'sstDisplayName'],
  });
  return entries.map((e) => ({ uid: one(e, 'uid') ?? '', names: all(e, 'sstDisplayName') }));
}

/** Groups that configured names may refer to (by uid, sstGroupName or sstDisplayName), with every name each one answers to. */
export async function findGroups(names: string[]): Promise<{ uid: string; names: string[] }[]> {
  if (names.length === 0) return [];
  const terms = names.flatMap((n) => [eq('uid', n), eq('sstGroupName', n), eq('sstDisplayName', n)]).join('');
  const entries = await searchAll('Reading the groups named in the configuration', {
    base: groupsDn(),
    scope: 'one',
    filter: `(&(objectClass=sstGroupObjectClass)(|${terms}))`,
    attributes: ['uid', 'sstGroupName', 'sstDisplayName'],
  });
  return entries.flatMap((e) => {
    const uid = one(e, 'uid');
    return uid ? [{ uid, names: [uid, ...all(e, 'sstGroupName'), ...all(e, 'sstDisplayName')] }] : [];
  });
}
