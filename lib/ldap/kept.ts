import 'server-only';
import {
  Attribute,
  Change,
  NoSuchAttributeError,
  NoSuchObjectError,
  AlreadyExistsError,
  NotFilter,
  PresenceFilter,
  ResultCodeError,
} from 'ldapts';
import { AppError } from '@/lib/errors';
import { all, one } from './entry';
import { eq, rdn } from './escape';
import { machineDn } from './layout';
import { searchAll, readEntry, withDirectory } from './client';
import { consoleContainerDn, inConsoleContainer } from './console-container';
import { AssertionControl } from './guarded-write';

/**
 * What a restore replaced and kept, so that it can be undone (lib/restore/kept.ts), in the
 * console's own subtree like the restore journals:
 * `ou=<machine uuid>_<iteration>_<restore id>,ou=kept,ou=backup-console,ou=services,<base>`, an
 * organizationalUnit with the machine's DN in `seeAlso`, its records (what was kept, what the
 * restore left, then the undo's journal) as `description` values ("<seq> <json>"), and the
 * lease of the console instance undoing or discarding it as the single `businessCategory`
 * value, changed only by compare-and-set. The texts too large for a record (the domain XML and
 * the directory entries as they were, the entries as the restore left them) are each the
 * `description` of a child entry (`ou=domain-xml`, `ou=entries`, `ou=restored-entries`), so that
 * listing kept records never reads them.
 */
const KEPT = 'kept';
export const keptDn = (id: string) => `${rdn('ou', id)},${consoleContainerDn(KEPT)}`;
const textDn = (id: string, name: KeptText) => `${rdn('ou', name)},${keptDn(id)}`;

export type KeptText = 'domain-xml' | 'entries' | 'restored-entries';

export interface StoredKept {
  id: string;
  records: string[];
  lease: string | null;
}

/** Creates the record with its first values and texts; false when one with this id exists already. */
export async function createKept(
  id: string,
  machineUuid: string,
  records: string[],
  texts: Partial<Record<KeptText, string>>,
): Promise<boolean> {
  let added = true;
  await inConsoleContainer(KEPT, () =>
    withDirectory('Recording what the restore keeps', async (client) => {
      try {
        await client.add(keptDn(id), {
          objectClass: ['top', 'organizationalUnit'],
          ou: id,
          seeAlso: [machineDn(machineUuid)],
          description: records,
        });
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
        added = false;
      }
    }),
  );
  if (!added) return false;
  await writeKeptTexts(id, texts);
  return true;
}

/** Adds (or replaces) texts of the record. */
export async function writeKeptTexts(id: string, texts: Partial<Record<KeptText, string>>): Promise<void> {
  await withDirectory('Recording what the restore keeps', async (client) => {
    for (const [name, text] of Object.entries(texts) as [KeptText, string][]) {
      try {
        await client.add(textDn(id, name), { objectClass: ['top', 'organizationalUnit'], ou: name, description: [text] });
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
        await client.modify(textDn(id, name), [
          new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: [text] }) }),
        ]);
      }
    }
  });
}

export async function readKept(id: string): Promise<StoredKept | null> {
  const entry = await readEntry('Reading what a restore kept', keptDn(id), ['description', 'businessCategory']);
  return entry ? { id, records: all(entry, 'description'), lease: one(entry, 'businessCategory') ?? null } : null;
}

/** A text of the record; null when it was never written (a domain that was not defined has no XML). */
export async function readKeptText(id: string, name: KeptText): Promise<string | null> {
  const entry = await readEntry('Reading what a restore kept', textDn(id, name), ['description']);
  return entry ? (one(entry, 'description') ?? null) : null;
}

/** Every kept record, or a machine's: one one-level search without the texts. */
export async function findKept(machineUuid?: string): Promise<StoredKept[]> {
  const entries = await searchAll('Looking for kept disks', {
    base: consoleContainerDn(KEPT),
    scope: 'one',
    filter: machineUuid
      ? `(&(objectClass=organizationalUnit)${eq('seeAlso', machineDn(machineUuid))})`
      : '(objectClass=organizationalUnit)',
    attributes: ['ou', 'description', 'businessCategory'],
  }).catch((error: unknown) => {
    // No container yet: no restore has kept anything.
    if (error instanceof AppError && error.code === 'not-found') return [];
    throw error;
  });
  return entries
    .map((e) => ({ id: one(e, 'ou') ?? '', records: all(e, 'description'), lease: one(e, 'businessCategory') ?? null }))
    .filter((k) => k.id !== '');
}

export async function appendKept(id: string, record: string): Promise<void> {
  await withDirectory('Writing the undo journal', (client) =>
    client.modify(keptDn(id), [new Change({ operation: 'add', modification: new Attribute({ type: 'description', values: [record] }) })]),
  );
}

/** Adds the last record and drops the lease: nobody drives the record any more. */
export async function closeKept(id: string, record: string): Promise<void> {
  await withDirectory('Writing the undo journal', async (client) => {
    await client.modify(keptDn(id), [
      new Change({ operation: 'add', modification: new Attribute({ type: 'description', values: [record] }) }),
    ]);
    try {
      await client.modify(keptDn(id), [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'businessCategory', values: [] }) }),
      ]);
    } catch (error) {
      if (!(error instanceof NoSuchAttributeError)) throw error;
    }
  });
}

/**
 * Takes or renews the lease only if it still holds `expected` (compare-and-set). Taking a free
 * one asserts that there is none (RFC 4528), since businessCategory may hold several values and
 * two instances adding at once would otherwise both succeed.
 */
export async function swapKeptLease(id: string, expected: string | null, next: string): Promise<boolean> {
  const changes = [
    ...(expected === null
      ? []
      : [new Change({ operation: 'delete', modification: new Attribute({ type: 'businessCategory', values: [expected] }) })]),
    new Change({ operation: 'add', modification: new Attribute({ type: 'businessCategory', values: [next] }) }),
  ];
  const free =
    expected === null ? new AssertionControl(new NotFilter({ filter: new PresenceFilter({ attribute: 'businessCategory' }) })) : undefined;
  return withDirectory('Taking the kept record', async (client) => {
    try {
      await client.modify(keptDn(id), changes, free);
      return true;
    } catch (error) {
      if (error instanceof NoSuchAttributeError || (error instanceof ResultCodeError && error.code === ASSERTION_FAILED)) return false;
      throw error;
    }
  });
}

const ASSERTION_FAILED = 122;

/** Removes the record and its texts. */
export async function deleteKept(id: string): Promise<void> {
  await withDirectory('Removing the kept record', async (client) => {
    for (const dn of [textDn(id, 'domain-xml'), textDn(id, 'entries'), textDn(id, 'restored-entries'), keptDn(id)]) {
      try {
        await client.del(dn);
      } catch (error) {
        if (!(error instanceof NoSuchObjectError)) throw error;
      }
    }
  });
}
