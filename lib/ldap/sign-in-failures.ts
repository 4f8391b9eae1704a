import 'server-only';
import { AlreadyExistsError, Attribute, Change, NoSuchAttributeError, NoSuchObjectError } from 'ldapts';
import { readEntry, searchAll, withDirectory } from './client';
import { consoleContainerDn, inConsoleContainer } from './console-container';
import { all, one } from './entry';
import { rdn } from './escape';

/**
 * Recent failed sign-ins, per login name and per client address, where every console instance
 * sees them: `ou=sign-in-failures,ou=backup-console,ou=services,<base>`, one organizationalUnit per
 * name (`ou=login <name>`) or address (`ou=address <address>`) whose `description` values are the
 * failures. Adding a value is one atomic modify, so two instances counting at once lose nothing.
 */
const FAILURES = 'sign-in-failures';
const failuresDn = () => consoleContainerDn(FAILURES);
const entryDn = (key: string) => `${rdn('ou', key)},${failuresDn()}`;

export async function readFailures(key: string): Promise<string[]> {
  const entry = await readEntry('Reading recent failed sign-ins', entryDn(key), ['description']);
  return entry ? all(entry, 'description') : [];
}

export async function addFailure(key: string, value: string): Promise<void> {
  const add = new Change({ operation: 'add', modification: new Attribute({ type: 'description', values: [value] }) });
  await inConsoleContainer(FAILURES, () =>
    withDirectory('Recording a failed sign-in', async (client) => {
      try {
        await client.modify(entryDn(key), add);
      } catch (error) {
        if (!(error instanceof NoSuchObjectError)) throw error;
        try {
          await client.add(entryDn(key), { objectClass: ['top', 'organizationalUnit'], ou: key, description: value });
        } catch (addError) {
          // Another instance created it a moment ago: add the value to theirs.
          if (!(addError instanceof AlreadyExistsError)) throw addError;
          await client.modify(entryDn(key), add);
        }
      }
    }),
  );
}

/** Removes the given values; ones another instance removed already are skipped. */
export async function removeFailures(key: string, values: string[]): Promise<void> {
  if (values.length === 0) return;
  await withDirectory('Removing old failed sign-ins', async (client) => {
    for (const value of values) {
      try {
        await client.modify(
          entryDn(key),
          new Change({ operation: 'delete', modification: new Attribute({ type: 'description', values: [value] }) }),
        );
      } catch (error) {
        if (!(error instanceof NoSuchAttributeError || error instanceof NoSuchObjectError)) throw error;
      }
    }
  });
}

export async function deleteFailures(key: string): Promise<void> {
  await withDirectory('Clearing failed sign-ins', async (client) => {
    try {
      await client.del(entryDn(key));
    } catch (error) {
      if (!(error instanceof NoSuchObjectError)) throw error;
    }
  });
}

export async function searchFailureEntries(): Promise<{ key: string; values: string[] }[]> {
  const entries = await searchAll('Reading failed sign-ins', {
    base: failuresDn(),
    scope: 'one',
    filter: '(objectClass=organizationalUnit)',
    attributes: ['ou', 'description'],
  });
  return entries.map((e) => ({ key: one(e, 'ou') ?? '', values: all(e, 'description') }));
}
