import 'server-only';
import { NoSuchObjectError } from 'ldapts';
import { readEntry, searchAll, withDirectory } from './client';
import { consoleContainerDn, inConsoleContainer } from './console-container';
import { one } from './entry';
import { rdn } from './escape';

/**
 * Sign-in sessions: `ou=sessions,ou=backup-console,ou=services,<base>`, one organizationalUnit per
 * session named by the hash of its id (never the id itself, so reading the directory gives nobody
 * a cookie), the person's DN in `seeAlso` and the session record (JSON) in `description`. Every
 * console instance checks a cookie against these entries, so deleting one signs that session out
 * everywhere.
 */
const SESSIONS = 'sessions';
const sessionsDn = () => consoleContainerDn(SESSIONS);
const sessionDn = (key: string) => `${rdn('ou', key)},${sessionsDn()}`;

export interface SessionEntry {
  key: string;
  personDn: string;
  json: string;
}

export async function addSessionEntry(entry: SessionEntry): Promise<void> {
  const attributes = { objectClass: ['top', 'organizationalUnit'], ou: entry.key, seeAlso: entry.personDn, description: entry.json };
  await inConsoleContainer(SESSIONS, () =>
    withDirectory('Recording the session', (client) => client.add(sessionDn(entry.key), attributes)),
  );
}

export async function readSessionEntry(key: string): Promise<SessionEntry | null> {
  const entry = await readEntry('Checking the session', sessionDn(key), ['seeAlso', 'description']);
  return entry ? { key, personDn: one(entry, 'seeAlso') ?? '', json: one(entry, 'description') ?? '' } : null;
}

/** Removes a session; one that is already gone (signed out on another instance, swept) is fine. */
export async function deleteSessionEntry(key: string): Promise<void> {
  await withDirectory('Ending the session', async (client) => {
    try {
      await client.del(sessionDn(key));
    } catch (error) {
      if (!(error instanceof NoSuchObjectError)) throw error;
    }
  });
}

export async function searchSessionEntries(): Promise<SessionEntry[]> {
  const entries = await searchAll('Reading the sessions', {
    base: sessionsDn(),
    scope: 'one',
    filter: '(objectClass=organizationalUnit)',
    attributes: ['ou', 'seeAlso', 'description'],
  });
  return entries.map((e) => ({ key: one(e, 'ou') ?? '', personDn: one(e, 'seeAlso') ?? '', json: one(e, 'description') ?? '' }));
}
