import { readFileSync } from 'node:fs';
import { Attribute, Change, Client } from 'ldapts';
import { DEMO } from '../scripts/directory/demo-directory';

/**
 * Direct access to the e2e demo directory, for tests that must put back exactly what they
 * changed: every spec shares one directory, and other specs assert the demo as built.
 */
async function withDirectory<T>(work: (client: Client, baseDn: string) => Promise<T>): Promise<T> {
  const { url, baseDn } = JSON.parse(readFileSync('test-results/e2e-state/directory.json', 'utf8')) as { url: string; baseDn: string };
  const client = new Client({ url });
  await client.bind(DEMO.rootDn, DEMO.rootPassword);
  try {
    return await work(client, baseDn);
  } finally {
    await client.unbind();
  }
}

const machineBackup = (uuid: string, baseDn: string) =>
  `ou=backup,sstVirtualMachine=${uuid},ou=virtual machines,ou=virtualization,ou=services,${baseDn}`;

/** The machine had no ou=backup in the demo: remove the (plain) one a test left behind. */
export async function removeMachineBackupEntry(uuid: string): Promise<void> {
  await withDirectory(async (client, baseDn) => {
    await client.del(machineBackup(uuid, baseDn)).catch((error: Error) => {
      if (error.name !== 'NoSuchObjectError') throw error;
    });
  });
}

/** The machine had a plain ou=backup in the demo: drop any configuration a test gave it. */
export async function makeMachineBackupPlain(uuid: string): Promise<void> {
  await withDirectory(async (client, baseDn) => {
    const dn = machineBackup(uuid, baseDn);
    const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['*'] });
    const present = Object.keys(searchEntries[0] ?? {}).filter((a) => !['dn', 'objectClass', 'ou', '*'].includes(a));
    const changes = [
      ...present.map((type) => new Change({ operation: 'delete', modification: new Attribute({ type, values: [] }) })),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'objectClass', values: ['top', 'organizationalUnit'] }) }),
    ];
    await client.modify(dn, changes);
  });
}

/** Removes the exclude flag from a pool's ou=backup, if a test left it set. */
export async function clearPoolExcludeFlag(uuid: string): Promise<void> {
  await withDirectory(async (client, baseDn) => {
    const dn = `ou=backup,sstVirtualMachinePool=${uuid},ou=virtual machine pools,ou=virtualization,ou=services,${baseDn}`;
    await client
      .modify(dn, [new Change({ operation: 'delete', modification: new Attribute({ type: 'sstBackupExcludeFromBackup', values: [] }) })])
      .catch((error: Error) => {
        if (error.name !== 'NoSuchAttributeError') throw error;
      });
  });
}

export const machineDn = (uuid: string, baseDn: string) =>
  `sstVirtualMachine=${uuid},ou=virtual machines,ou=virtualization,ou=services,${baseDn}`;

export type Entries = Record<string, Record<string, string[]>>;

/**
 * A machine's whole subtree as stored (the machine entry, its devices, ou=backup, every
 * iteration and restore journal), DNs lower-cased and values sorted, for before/after checks.
 */
export async function machineSubtree(uuid: string): Promise<Entries> {
  return withDirectory(async (client, baseDn) => {
    const { searchEntries } = await client.search(machineDn(uuid, baseDn), { scope: 'sub', attributes: ['*'] });
    const out: Entries = {};
    for (const entry of searchEntries) {
      const attrs: Record<string, string[]> = {};
      for (const [name, value] of Object.entries(entry)) {
        if (name === 'dn') continue;
        attrs[name] = (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v))).sort();
      }
      out[entry.dn.toLowerCase()] = attrs;
    }
    return out;
  });
}

/** The machine entry itself from a subtree read with machineSubtree(). */
export function machineEntry(entries: Entries, uuid: string): Record<string, string[]> | undefined {
  const prefix = `sstvirtualmachine=${uuid.toLowerCase()},`;
  return Object.entries(entries).find(([dn]) => dn.startsWith(prefix))?.[1];
}

/** The iteration leaves (DN → mode, state, return value) from a subtree read with machineSubtree(). */
export function iterationsOf(entries: Entries): Record<string, { mode?: string; state?: string; returnValue?: string }> {
  return Object.fromEntries(
    Object.entries(entries)
      .filter(([, attrs]) => attrs.objectClass?.some((c) => c.toLowerCase() === 'sstprovisioning'))
      .map(([dn, attrs]) => [
        dn,
        {
          mode: attrs.sstProvisioningMode?.[0],
          state: attrs.sstProvisioningState?.[0],
          returnValue: attrs.sstProvisioningReturnValue?.[0],
        },
      ]),
  );
}

/** One iteration leaf, by its name, from a subtree read with machineSubtree(). */
export function iterationNamed(entries: Entries, name: string): ReturnType<typeof iterationsOf>[string] | undefined {
  return Object.entries(iterationsOf(entries)).find(([dn]) => dn.startsWith(`ou=${name.toLowerCase()},`))?.[1];
}
