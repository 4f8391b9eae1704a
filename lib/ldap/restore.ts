import 'server-only';
import { Attribute, Change, NoSuchAttributeError, NoSuchObjectError, AlreadyExistsError, type Client } from 'ldapts';
import type { LdifEntry } from '@/lib/diff/ldif';
import type { LdapChange } from '@/lib/diff/conflicts';
import { AppError } from '@/lib/errors';
import { all, one } from './entry';
import { eq, escapeFilterValue, rdn } from './escape';
import { dhcpDn, iterationDn, machineDn, machinesDn } from './layout';
import { readEntry, searchAll, withDirectory } from './client';
import { parseDn } from './dn';
import { consoleContainerDn, inConsoleContainer } from './console-container';

/**
 * Directory side of the restore: the iteration's mode transitions, the restore journal, and
 * reading/writing the machine's live entries. The one place these attribute names appear.
 */

export interface ModeTransition {
  from: string;
  to: string;
  /**
   * `0` only for a command the node daemon is meant to execute; otherwise a UTC timestamp
   * (the daemon executes any of its commands with state 0, and the stepping-stone daemon
   * answers every other mode with state 0 by writing return value 18).
   */
  state: string;
  returnValue?: number;
  /** Replaces sstProvisioningExecutionDate too (the daemon executes a command only when it is `0` or today). */
  executionDate?: string;
}

/**
 * Compare-and-set on the iteration's mode: one modify that deletes the expected old value and
 * adds the new one. If anyone else moved the iteration meanwhile, the delete fails and the
 * directory rejects the whole modify, so two writers can never both win.
 */
export async function transitionIteration(machineUuid: string, iteration: string, t: ModeTransition): Promise<void> {
  const dn = iterationDn(machineUuid, iteration);
  const changes = [
    new Change({ operation: 'delete', modification: new Attribute({ type: 'sstProvisioningMode', values: [t.from] }) }),
    new Change({ operation: 'add', modification: new Attribute({ type: 'sstProvisioningMode', values: [t.to] }) }),
    new Change({ operation: 'replace', modification: new Attribute({ type: 'sstProvisioningState', values: [t.state] }) }),
  ];
  if (t.returnValue !== undefined) {
    changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: 'sstProvisioningReturnValue', values: [String(t.returnValue)] }) }));
  }
  if (t.executionDate !== undefined) {
    changes.push(new Change({ operation: 'replace', modification: new Attribute({ type: 'sstProvisioningExecutionDate', values: [t.executionDate] }) }));
  }
  await withDirectory('Changing the iteration mode', async (client) => {
    try {
      await client.modify(dn, changes);
    } catch (error) {
      if (error instanceof NoSuchAttributeError) {
        throw new AppError('conflict', `The iteration is no longer in mode ${t.from}: someone else changed it. Reload to see where it stands.`, String(error));
      }
      throw error;
    }
  });
}

/**
 * Writes a return value and state without changing the mode (a failed step keeps its "-ing"
 * mode). `state` is a timestamp, never `0`: a failure must not read as a command (and a command
 * the daemon never answered is withdrawn this way).
 */
export async function markIterationFailed(machineUuid: string, iteration: string, mode: string, returnValue: number, state: string): Promise<void> {
  await withDirectory('Recording the failure', async (client) => {
    try {
      await client.modify(iterationDn(machineUuid, iteration), [
        // Asserting the mode keeps a late failure report from overwriting someone else's newer state.
        new Change({ operation: 'delete', modification: new Attribute({ type: 'sstProvisioningMode', values: [mode] }) }),
        new Change({ operation: 'add', modification: new Attribute({ type: 'sstProvisioningMode', values: [mode] }) }),
        new Change({ operation: 'replace', modification: new Attribute({ type: 'sstProvisioningReturnValue', values: [String(returnValue)] }) }),
        new Change({ operation: 'replace', modification: new Attribute({ type: 'sstProvisioningState', values: [state] }) }),
      ]);
    } catch (error) {
      if (error instanceof NoSuchAttributeError) throw new AppError('conflict', 'The iteration changed while the failure was being recorded.', String(error));
      throw error;
    }
  });
}

/** Every iteration of the machine with its mode, state and return value (for the one-at-a-time check). */
export async function readIterationModes(machineUuid: string): Promise<{ name: string; mode: string; state: string; returnValue: number | null }[]> {
  const entries = await searchAll('Reading the machine iterations', {
    base: `ou=backup,${machineDn(machineUuid)}`,
    scope: 'one',
    filter: '(objectClass=sstProvisioning)',
    attributes: ['ou', 'sstProvisioningMode', 'sstProvisioningState', 'sstProvisioningReturnValue'],
  });
  return entries.map((e) => ({
    name: parseDn(e.dn)[0]?.value ?? '',
    mode: one(e, 'sstProvisioningMode') ?? '',
    state: one(e, 'sstProvisioningState') ?? '',
    returnValue: /^-?\d+$/.test(one(e, 'sstProvisioningReturnValue') ?? '') ? Number(one(e, 'sstProvisioningReturnValue')) : null,
  }));
}

export interface IterationStatus {
  mode: string;
  state: string;
  returnValue: number | null;
  executionDate: string | null;
  /** When the entry last changed (modifyTimestamp), whoever changed it. */
  modifiedAt: Date | null;
}

/** One iteration's mode, state, return value and last change: what a console waiting for the node daemon watches. */
export async function readIterationStatus(machineUuid: string, iteration: string): Promise<IterationStatus | null> {
  const e = await readEntry('Reading the iteration', iterationDn(machineUuid, iteration), [
    'sstProvisioningMode',
    'sstProvisioningState',
    'sstProvisioningReturnValue',
    'sstProvisioningExecutionDate',
    'modifyTimestamp',
  ]);
  if (!e) return null;
  const rv = one(e, 'sstProvisioningReturnValue') ?? '';
  const stamp = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(one(e, 'modifyTimestamp') ?? '');
  return {
    mode: one(e, 'sstProvisioningMode') ?? '',
    state: one(e, 'sstProvisioningState') ?? '',
    returnValue: /^-?\d+$/.test(rv) ? Number(rv) : null,
    executionDate: one(e, 'sstProvisioningExecutionDate') ?? null,
    modifiedAt: stamp ? new Date(Date.UTC(+stamp[1], +stamp[2] - 1, +stamp[3], +stamp[4], +stamp[5], +stamp[6])) : null,
  };
}

// --- The restore journal ---------------------------------------------------------------------

/**
 * One entry per restore, in the console's own subtree:
 * `ou=<machine uuid>_<iteration>,ou=restores,ou=backup-console,ou=services,<base>`, a plain
 * organizationalUnit (the installation's schema is not changed) with the iteration's DN in
 * `seeAlso`. Each journal record is one `description` value ("<seq> <json>"); the lease that
 * says which console instance drives the restore is the single `businessCategory` value, changed
 * only by compare-and-set. Nothing is ever added below an iteration leaf: the stoney wrapper
 * replaces the leaf with a plain delete, which fails on an entry with children (daemons.md
 * fact 7), and would leave the machine without backups.
 *
 * Consoles before this layout kept the journal at `ou=restore,<iteration DN>`. Such a journal
 * is still read; the first write moves it here (see migrateLegacyJournal).
 */
const RESTORES = 'restores';
const journalDn = (machineUuid: string, iteration: string) => `${rdn('ou', `${machineUuid.toLowerCase()}_${iteration}`)},${consoleContainerDn(RESTORES)}`;
const legacyJournalDn = (machineUuid: string, iteration: string) => `ou=restore,${iterationDn(machineUuid, iteration)}`;

export interface StoredJournal {
  records: string[];
  lease: string | null;
  /** Found at the old place below the iteration leaf (not moved yet). */
  legacy: boolean;
}

export async function readJournal(machineUuid: string, iteration: string): Promise<StoredJournal | null> {
  const attributes = ['description', 'businessCategory'];
  const entry =
    (await readEntry('Reading the restore journal', journalDn(machineUuid, iteration), attributes)) ??
    (await readEntry('Reading the restore journal', legacyJournalDn(machineUuid, iteration), attributes).then((e) => (e ? { ...e, legacy: true } : null)));
  if (!entry) return null;
  return { records: all(entry, 'description'), lease: one(entry, 'businessCategory') ?? null, legacy: 'legacy' in entry };
}

/**
 * Adds the journal entry; false when one is there already. `seeAlso` names the leaf whose mode
 * carries the restore: the iteration's own, or for an iteration that exists only on the node,
 * the machine's one leaf (see findOpenRestoresOf).
 */
async function addJournalEntry(machineUuid: string, iteration: string, records: string[], lease: string | null, leaf = iteration): Promise<boolean> {
  let added = true;
  await inConsoleContainer(RESTORES, () =>
    withDirectory('Creating the restore journal', async (client) => {
      try {
        await client.add(journalDn(machineUuid, iteration), {
          objectClass: ['top', 'organizationalUnit'],
          ou: `${machineUuid.toLowerCase()}_${iteration}`,
          seeAlso: [iterationDn(machineUuid, leaf)],
          ...(records.length > 0 ? { description: records } : {}),
          ...(lease ? { businessCategory: [lease] } : {}),
        });
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
        added = false;
      }
    }),
  );
  return added;
}

/** `leaf`: the machine's leaf that carries the restore of an iteration without a leaf of its own. */
export async function createJournal(machineUuid: string, iteration: string, firstRecord: string, lease: string, leaf = iteration): Promise<void> {
  if (!(await addJournalEntry(machineUuid, iteration, [firstRecord], lease, leaf))) {
    throw new AppError('conflict', 'A restore journal for this iteration already exists: another restore of it was started.');
  }
}

/**
 * Moves a journal from below the iteration leaf to the console's subtree: the new entry with
 * the same records and lease first, then the old one goes. Another instance doing the same at
 * the same moment is fine (the second add finds the entry, the second delete finds nothing).
 * Returns false when there is no old journal. `dropLease` for a restore that has ended (its
 * journal is history, not an open restore).
 */
export async function migrateLegacyJournal(machineUuid: string, iteration: string, options: { dropLease?: boolean } = {}): Promise<boolean> {
  const old = await readEntry('Reading the restore journal', legacyJournalDn(machineUuid, iteration), ['description', 'businessCategory']);
  if (!old) return false;
  await addJournalEntry(machineUuid, iteration, all(old, 'description'), options.dropLease ? null : (one(old, 'businessCategory') ?? null));
  await deleteIfThere('Moving the restore journal', legacyJournalDn(machineUuid, iteration));
  return true;
}

/** Runs a change on the journal; a journal still at the old place is moved first. */
async function onJournal<T>(machineUuid: string, iteration: string, what: string, change: (client: Client, dn: string) => Promise<T>): Promise<T> {
  const dn = journalDn(machineUuid, iteration);
  try {
    return await withDirectory(what, (client) => change(client, dn));
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'not-found') || !(await migrateLegacyJournal(machineUuid, iteration))) throw error;
    return withDirectory(what, (client) => change(client, dn));
  }
}

export async function appendJournal(machineUuid: string, iteration: string, record: string): Promise<void> {
  await onJournal(machineUuid, iteration, 'Writing the restore journal', (client, dn) =>
    client.modify(dn, [new Change({ operation: 'add', modification: new Attribute({ type: 'description', values: [record] }) })]),
  );
}

/** Adds the last record and drops the lease: the restore has ended and no console drives it any more. */
export async function closeJournal(machineUuid: string, iteration: string, record: string): Promise<void> {
  await onJournal(machineUuid, iteration, 'Writing the restore journal', async (client, dn) => {
    await client.modify(dn, [new Change({ operation: 'add', modification: new Attribute({ type: 'description', values: [record] }) })]);
    try {
      await client.modify(dn, [new Change({ operation: 'delete', modification: new Attribute({ type: 'businessCategory', values: [] }) })]);
    } catch (error) {
      if (!(error instanceof NoSuchAttributeError)) throw error;
    }
  });
}

/** Restores that have not ended (their journal still holds a lease), oldest layout excluded: what a console may have to continue. */
export async function findOpenRestores(): Promise<{ machineUuid: string; iteration: string }[]> {
  const entries = await searchAll('Looking for open restores', {
    base: consoleContainerDn(RESTORES),
    scope: 'one',
    filter: '(&(objectClass=organizationalUnit)(businessCategory=*))',
    attributes: ['ou'],
  }).catch((error: unknown) => {
    // No container yet: no restore has ever started.
    if (error instanceof AppError && error.code === 'not-found') return [];
    throw error;
  });
  return entries.flatMap((e) => {
    const match = /^([0-9a-f-]{36})_(\d{8}T\d{6}Z)$/i.exec(one(e, 'ou') ?? '');
    return match ? [{ machineUuid: match[1].toLowerCase(), iteration: match[2] }] : [];
  });
}

/**
 * The machine's open restores (their journal still holds a lease) with the leaf whose mode
 * carries each: its own, or, for an iteration that exists only on the node, the machine's one
 * leaf. One search in the console's subtree, whatever the machine's history.
 */
export async function findOpenRestoresOf(machineUuid: string): Promise<{ iteration: string; leaf: string }[]> {
  const uuid = machineUuid.toLowerCase();
  const entries = await searchAll('Looking for open restores of the machine', {
    base: consoleContainerDn(RESTORES),
    scope: 'one',
    filter: `(&(objectClass=organizationalUnit)(ou=${escapeFilterValue(`${uuid}_`)}*)(businessCategory=*))`,
    attributes: ['ou', 'seeAlso'],
  }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'not-found') return [];
    throw error;
  });
  const backup = parseDn(iterationDn(uuid, 'x')).slice(1);
  return entries.flatMap((e) => {
    const match = /^([0-9a-f-]{36})_(\d{8}T\d{6}Z)$/i.exec(one(e, 'ou') ?? '');
    if (!match || match[1].toLowerCase() !== uuid) return [];
    // The leaf is the first RDN of seeAlso when the rest is this machine's ou=backup; anything else is the iteration's own.
    const seeAlso = parseDn(one(e, 'seeAlso') ?? '');
    const below = seeAlso.length === backup.length + 1 && seeAlso.slice(1).every((r, i) => r.attribute.toLowerCase() === backup[i].attribute.toLowerCase() && r.value.toLowerCase() === backup[i].value.toLowerCase());
    return [{ iteration: match[2], leaf: below && seeAlso[0].attribute.toLowerCase() === 'ou' ? seeAlso[0].value : match[2] }];
  });
}

/** Takes or renews the lease only if it still holds `expected` (compare-and-set). */
export async function swapLease(machineUuid: string, iteration: string, expected: string | null, next: string): Promise<boolean> {
  const changes = [
    ...(expected === null ? [] : [new Change({ operation: 'delete', modification: new Attribute({ type: 'businessCategory', values: [expected] }) })]),
    new Change({ operation: 'add', modification: new Attribute({ type: 'businessCategory', values: [next] }) }),
  ];
  return onJournal(machineUuid, iteration, 'Renewing the restore lease', async (client, dn) => {
    try {
      await client.modify(dn, changes);
      return true;
    } catch (error) {
      if (error instanceof NoSuchAttributeError) return false;
      throw error;
    }
  });
}

async function deleteIfThere(what: string, dn: string): Promise<void> {
  await withDirectory(what, async (client) => {
    try {
      await client.del(dn);
    } catch (error) {
      if (!(error instanceof NoSuchObjectError)) throw error;
    }
  });
}

/** Removes the journal, at the new place and at the old one. */
export async function deleteJournal(machineUuid: string, iteration: string): Promise<void> {
  await deleteIfThere('Removing the restore journal', journalDn(machineUuid, iteration));
  await deleteIfThere('Removing the restore journal', legacyJournalDn(machineUuid, iteration));
}

/** Every journal still below an iteration leaf (left by an older console): what migrateLegacyJournal moves at start-up. */
export async function findLegacyJournals(): Promise<{ machineUuid: string; iteration: string }[]> {
  const entries = await searchAll('Looking for restore journals below iterations', {
    base: machinesDn(),
    scope: 'sub',
    filter: '(&(objectClass=organizationalUnit)(ou=restore))',
    attributes: ['ou'],
  });
  return entries.flatMap((e) => {
    const rdns = parseDn(e.dn);
    if (rdns[0]?.value.toLowerCase() !== 'restore' || rdns[2]?.value.toLowerCase() !== 'backup' || rdns[3]?.attribute.toLowerCase() !== 'sstvirtualmachine') return [];
    return [{ machineUuid: rdns[3].value.toLowerCase(), iteration: rdns[1].value }];
  });
}

// --- Live entries ----------------------------------------------------------------------------

/**
 * ldapts decodes values with a TextDecoder that drops a leading byte-order mark, so a value
 * "\uFEFF…" would read as another value than the backup's LDIF holds (and the restore writes).
 * The live side of the comparison asks for every value as bytes (ldapts only asks whether an
 * attribute is in this list) and decodes them itself, keeping every character.
 */
class EveryAttribute extends Array<string> {
  override includes(): boolean {
    return true;
  }
}
const EVERY_ATTRIBUTE: string[] = new EveryAttribute();

/**
 * The machine's live subtree with every user attribute, except iteration leaves (history, and
 * possibly thousands of them), plus its DHCP reservation: the "live" side of the comparison.
 */
export async function readLiveMachineEntries(machineUuid: string): Promise<LdifEntry[]> {
  const [subtree, dhcp] = await Promise.all([
    withDirectory('Reading the live machine entries', (client) =>
      client.search(machineDn(machineUuid), { scope: 'sub', filter: '(!(objectClass=sstProvisioning))', attributes: ['*'], paged: { pageSize: 400 }, explicitBufferAttributes: EVERY_ATTRIBUTE }),
    ),
    withDirectory('Reading the DHCP reservation', async (client) => {
      try {
        return await client.search(dhcpDn(), { scope: 'sub', filter: `(&(objectClass=dhcpHost)${eq('cn', machineUuid)})`, attributes: ['*'], explicitBufferAttributes: EVERY_ATTRIBUTE });
      } catch (error) {
        if (error instanceof NoSuchObjectError) return { searchEntries: [], searchReferences: [] };
        throw error;
      }
    }),
  ]);
  if (subtree.searchEntries.length === 0) throw new AppError('not-found', 'The machine no longer exists in the directory.');
  // Keep attribute names as the server spells them: the comparison shows them to the administrator.
  const entries = [...subtree.searchEntries, ...dhcp.searchEntries];
  return entries.map((e) => ({
    dn: e.dn,
    attributes: Object.entries(e)
      .filter(([name]) => name !== 'dn')
      .map(([name, value]) => ({ name, values: (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))) })),
  }));
}

/** Every other machine's MAC addresses and fixed IPs, for identity collisions. */
export async function readIdentities(exceptMachineUuid: string): Promise<{
  macs: { mac: string; machineUuid: string; machineName: string }[];
  addresses: { ip: string; machineUuid: string; machineName: string }[];
}> {
  const [hosts, interfaces, machines] = await Promise.all([
    searchAll('Reading DHCP reservations', { base: dhcpDn(), scope: 'sub', filter: '(objectClass=dhcpHost)', attributes: ['cn', 'dhcpHWAddress', 'dhcpStatements'] }),
    searchAll('Reading network interfaces', { base: machinesDn(), scope: 'sub', filter: '(objectClass=sstVirtualizationVirtualMachineInterface)', attributes: ['sstMacAddress'] }),
    searchAll('Reading machine names', { base: machinesDn(), scope: 'one', filter: '(objectClass=sstVirtualizationVirtualMachine)', attributes: ['sstVirtualMachine', 'sstDisplayName'] }),
  ]);
  const names = new Map(machines.map((m) => [(one(m, 'sstVirtualMachine') ?? '').toLowerCase(), one(m, 'sstDisplayName') ?? '']));
  const except = exceptMachineUuid.toLowerCase();
  const macs: { mac: string; machineUuid: string; machineName: string }[] = [];
  const addresses: { ip: string; machineUuid: string; machineName: string }[] = [];
  for (const host of hosts) {
    const uuid = (one(host, 'cn') ?? '').toLowerCase();
    if (uuid === except) continue;
    const name = names.get(uuid) ?? uuid;
    const hw = one(host, 'dhcpHWAddress');
    if (hw) macs.push({ mac: hw.replace(/^ethernet\s+/i, '').trim().toLowerCase(), machineUuid: uuid, machineName: name });
    for (const s of all(host, 'dhcpStatements')) {
      const m = /^fixed-address\s+(\S+)/i.exec(s);
      if (m) addresses.push({ ip: m[1], machineUuid: uuid, machineName: name });
    }
  }
  for (const nic of interfaces) {
    const uuid = parseDn(nic.dn).find((r) => r.attribute.toLowerCase() === 'sstvirtualmachine')?.value.toLowerCase() ?? '';
    if (uuid === except || !uuid) continue;
    const mac = one(nic, 'sstMacAddress');
    if (mac) macs.push({ mac: mac.toLowerCase(), machineUuid: uuid, machineName: names.get(uuid) ?? uuid });
  }
  return { macs, addresses };
}

/**
 * Brings live entries to the resolved state. Each change is applied on its own so that a
 * dropped connection leaves a state that re-reading and re-diffing can finish; the caller
 * recomputes the changes from the live directory before every attempt.
 */
export async function applyLdapChanges(changes: LdapChange[], machineUuid: string): Promise<void> {
  const guard = `ou=backup,${machineDn(machineUuid)}`.toLowerCase();
  const depth = (dn: string) => parseDn(dn).length;
  // Parents before children when adding, children before parents when deleting.
  const ordered = [
    ...changes.filter((c) => c.type === 'add').sort((a, b) => depth(a.dn) - depth(b.dn)),
    ...changes.filter((c) => c.type === 'modify'),
    ...changes.filter((c) => c.type === 'delete').sort((a, b) => depth(b.dn) - depth(a.dn)),
  ];
  await withDirectory('Restoring the directory entries', async (client: Client) => {
    for (const change of ordered) {
      if (change.dn.toLowerCase().endsWith(guard)) {
        throw new AppError('invalid-input', 'Refusing to change the backup history of the machine.', change.dn);
      }
      if (change.type === 'add') {
        await client.add(change.dn, Object.fromEntries(change.attributes.map((a) => [a.name, a.values])));
      } else if (change.type === 'delete') {
        try {
          await client.del(change.dn);
        } catch (error) {
          if (!(error instanceof NoSuchObjectError)) throw error;
        }
      } else {
        await client.modify(
          change.dn,
          change.modifications.map((m) => new Change({ operation: m.operation, modification: new Attribute({ type: m.attribute, values: m.values }) })),
        );
      }
    }
  });
}

