import 'server-only';
import { Attribute, Change, NoSuchAttributeError, NoSuchObjectError, AlreadyExistsError, type Client } from 'ldapts';
import type { LdifEntry } from '@/lib/diff/ldif';
import type { LdapChange } from '@/lib/diff/conflicts';
import { AppError } from '@/lib/errors';
import { all, one } from './entry';
import { eq } from './escape';
import { dhcpDn, iterationDn, machineDn, machinesDn } from './layout';
import { readEntry, searchAll, withDirectory } from './client';
import { parseDn } from './dn';

/**
 * Directory side of the restore: the iteration's mode transitions, the restore journal, and
 * reading/writing the machine's live entries. The one place these attribute names appear.
 */

export interface ModeTransition {
  from: string;
  to: string;
  /** `0` while a step is asked for, a UTC timestamp when a step finished. */
  state: string;
  returnValue?: number;
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

/** Writes a return value and state without changing the mode (a failed step keeps its "-ing" mode). */
export async function markIterationFailed(machineUuid: string, iteration: string, mode: string, returnValue: number): Promise<void> {
  await withDirectory('Recording the failure', async (client) => {
    try {
      await client.modify(iterationDn(machineUuid, iteration), [
        // Asserting the mode keeps a late failure report from overwriting someone else's newer state.
        new Change({ operation: 'delete', modification: new Attribute({ type: 'sstProvisioningMode', values: [mode] }) }),
        new Change({ operation: 'add', modification: new Attribute({ type: 'sstProvisioningMode', values: [mode] }) }),
        new Change({ operation: 'replace', modification: new Attribute({ type: 'sstProvisioningReturnValue', values: [String(returnValue)] }) }),
        new Change({ operation: 'replace', modification: new Attribute({ type: 'sstProvisioningState', values: ['0'] }) }),
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

/** Iterations in a restore mode anywhere in the directory: what a starting console may have to resume. */
export async function findRestoringIterations(modes: readonly string[]): Promise<{ machineUuid: string; iteration: string; mode: string }[]> {
  const entries = await searchAll('Looking for restores in progress', {
    base: machinesDn(),
    scope: 'sub',
    filter: `(&(objectClass=sstProvisioning)(|${modes.map((m) => eq('sstProvisioningMode', m)).join('')}))`,
    attributes: ['sstProvisioningMode'],
  });
  return entries.flatMap((e) => {
    const rdns = parseDn(e.dn);
    if (rdns[1]?.value.toLowerCase() !== 'backup' || rdns[2]?.attribute.toLowerCase() !== 'sstvirtualmachine') return [];
    return [{ machineUuid: rdns[2].value.toLowerCase(), iteration: rdns[0].value, mode: one(e, 'sstProvisioningMode') ?? '' }];
  });
}

// --- The restore journal ---------------------------------------------------------------------

/**
 * The journal is a child entry of the iteration, `ou=restore,<iteration>`: a plain
 * organizationalUnit, because a console cannot extend the schema of a running installation.
 * Each journal record is one `description` value ("<seq> <json>"); the lease that says which
 * console instance drives the restore is the single `businessCategory` value, changed only by
 * compare-and-set. The node daemons ignore the entry (it has no sstProvisioning class).
 */
const journalDn = (machineUuid: string, iteration: string) => `ou=restore,${iterationDn(machineUuid, iteration)}`;

export interface StoredJournal {
  records: string[];
  lease: string | null;
}

export async function readJournal(machineUuid: string, iteration: string): Promise<StoredJournal | null> {
  const entry = await readEntry('Reading the restore journal', journalDn(machineUuid, iteration), ['description', 'businessCategory']);
  if (!entry) return null;
  return { records: all(entry, 'description'), lease: one(entry, 'businessCategory') ?? null };
}

export async function createJournal(machineUuid: string, iteration: string, firstRecord: string, lease: string): Promise<void> {
  await withDirectory('Creating the restore journal', async (client) => {
    try {
      await client.add(journalDn(machineUuid, iteration), {
        objectClass: ['top', 'organizationalUnit'],
        ou: 'restore',
        description: [firstRecord],
        businessCategory: [lease],
      });
    } catch (error) {
      if (error instanceof AlreadyExistsError) {
        throw new AppError('conflict', 'A restore journal for this iteration already exists: another restore of it was started.', String(error));
      }
      throw error;
    }
  });
}

export async function appendJournal(machineUuid: string, iteration: string, record: string): Promise<void> {
  await withDirectory('Writing the restore journal', (client) =>
    client.modify(journalDn(machineUuid, iteration), [new Change({ operation: 'add', modification: new Attribute({ type: 'description', values: [record] }) })]),
  );
}

/** Takes or renews the lease only if it still holds `expected` (compare-and-set). */
export async function swapLease(machineUuid: string, iteration: string, expected: string | null, next: string): Promise<boolean> {
  const changes = [
    ...(expected === null ? [] : [new Change({ operation: 'delete', modification: new Attribute({ type: 'businessCategory', values: [expected] }) })]),
    new Change({ operation: 'add', modification: new Attribute({ type: 'businessCategory', values: [next] }) }),
  ];
  return withDirectory('Renewing the restore lease', async (client) => {
    try {
      await client.modify(journalDn(machineUuid, iteration), changes);
      return true;
    } catch (error) {
      if (error instanceof NoSuchAttributeError) return false;
      throw error;
    }
  });
}

export async function deleteJournal(machineUuid: string, iteration: string): Promise<void> {
  await withDirectory('Removing the restore journal', async (client) => {
    try {
      await client.del(journalDn(machineUuid, iteration));
    } catch (error) {
      if (!(error instanceof NoSuchObjectError)) throw error;
    }
  });
}

// --- Live entries ----------------------------------------------------------------------------

/**
 * The machine's live subtree with every user attribute, except iteration leaves (history, and
 * possibly thousands of them), plus its DHCP reservation: the "live" side of the comparison.
 */
export async function readLiveMachineEntries(machineUuid: string): Promise<LdifEntry[]> {
  const [subtree, dhcp] = await Promise.all([
    withDirectory('Reading the live machine entries', (client) =>
      client.search(machineDn(machineUuid), { scope: 'sub', filter: '(!(objectClass=sstProvisioning))', attributes: ['*'], paged: { pageSize: 400 } }),
    ),
    withDirectory('Reading the DHCP reservation', async (client) => {
      try {
        return await client.search(dhcpDn(), { scope: 'sub', filter: `(&(objectClass=dhcpHost)${eq('cn', machineUuid)})`, attributes: ['*'] });
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

