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

const machineBackup = (uuid: string, baseDn: string) => `ou=backup,sstVirtualMachine=${uuid},ou=virtual machines,ou=virtualization,ou=services,${baseDn}`;

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
    await client.modify(dn, [new Change({ operation: 'delete', modification: new Attribute({ type: 'sstBackupExcludeFromBackup', values: [] }) })]).catch((error: Error) => {
      if (error.name !== 'NoSuchAttributeError') throw error;
    });
  });
}
