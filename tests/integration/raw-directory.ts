import { Attribute, Change, Client } from 'ldapts';
import { inject } from 'vitest';

/**
 * Reads and writes the test directory with a connection of its own, the way a stoney cloud
 * node daemon does (Net::LDAP: attribute values as the directory returns them), so tests
 * check what was really stored rather than what the console's mappers make of it.
 */
export function withRawDirectory<T>(work: (client: Client, baseDn: string) => Promise<T>): Promise<T> {
  return withRootConnection(inject('demoDirectory'), work);
}

/** A connection of its own to a test slapd (one of global-setup's, or a world's own), bound as its root. */
export async function withRootConnection<T>(
  dir: { url: string; baseDn: string; rootDn: string; rootPassword: string },
  work: (client: Client, baseDn: string) => Promise<T>,
): Promise<T> {
  const client = new Client({ url: dir.url });
  await client.bind(dir.rootDn, dir.rootPassword);
  try {
    return await work(client, dir.baseDn);
  } finally {
    await client.unbind();
  }
}

/** An attribute's values as ldapts returns them (one or several, text or bytes), as text. */
export function storedStrings(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

export type RawAttributes = Record<string, string[]>;

/** The entry's user attributes (names as stored), or null when it does not exist. */
export async function rawEntry(dn: string): Promise<RawAttributes | null> {
  return withRawDirectory(async (client) => {
    try {
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['*'] });
      const entry = searchEntries[0];
      if (!entry) return null;
      const out: RawAttributes = {};
      for (const [name, value] of Object.entries(entry)) {
        if (name === 'dn' || name === '*') continue;
        out[name] = storedStrings(value);
      }
      return out;
    } catch (error) {
      if (error instanceof Error && error.name === 'NoSuchObjectError') return null;
      throw error;
    }
  });
}

export async function rawChildren(dn: string): Promise<string[]> {
  return withRawDirectory(async (client) => {
    const { searchEntries } = await client.search(dn, { scope: 'one', attributes: ['ou'] });
    return searchEntries.map((e) => String(e.ou)).sort();
  });
}

export async function rawReplace(dn: string, attributes: RawAttributes): Promise<void> {
  await withRawDirectory((client) =>
    client.modify(
      dn,
      Object.entries(attributes).map(
        ([type, values]) => new Change({ operation: 'replace', modification: new Attribute({ type, values }) }),
      ),
    ),
  );
}

export async function rawDelete(dn: string): Promise<void> {
  await withRawDirectory((client) => client.del(dn));
}

export async function rawAdd(dn: string, attributes: RawAttributes): Promise<void> {
  await withRawDirectory((client) => client.add(dn, attributes));
}

/**
 * What prov-backup-kvm needs from the configuration entry it picks (spec/directory.md §4.3,
 * §4.4): the class, every value single and in the format it parses, and the complete cron
 * plan fc-brokerd reads. Returns the values for further checks.
 */
export function expectDaemonReadable(attrs: RawAttributes | null): Record<string, string> {
  if (!attrs) throw new Error('the configuration entry does not exist');
  const classes = (attrs.objectClass ?? []).map((c) => c.toLowerCase());
  const problems: string[] = [];
  if (!classes.includes('sstvirtualizationbackupobjectclass')) problems.push('no sstVirtualizationBackupObjectClass');
  if (!classes.includes('sstcronobjectclass')) problems.push('no sstCronObjectClass');
  const formats: Record<string, RegExp> = {
    sstBackupNumberOfIterations: /^[1-9]\d?$/,
    sstBackupRootDirectory: /^file:\/\/\/[^\s]+$/,
    sstBackupRetainDirectory: /^file:\/\/\/[^\s]+$/,
    sstVirtualizationDiskImageFormat: /^(qcow2|qed|vmdk)$/,
    sstVirtualizationDiskImageOwner: /^\S+$/,
    sstVirtualizationDiskImageGroup: /^\S+$/,
    sstVirtualizationDiskImagePermission: /^[1-7][0-7]{2,3}$/,
    sstVirtualizationDiskImageDirectoryOwner: /^\S+$/,
    sstVirtualizationDiskImageDirectoryGroup: /^\S+$/,
    sstVirtualizationDiskImageDirectoryPermission: /^[1-7][0-7]{2,3}$/,
    sstCronMinute: /^\S+$/,
    sstCronHour: /^\S+$/,
    sstCronDay: /^\S+$/,
    sstCronMonth: /^\S+$/,
    sstCronDayOfWeek: /^\S+$/,
    sstCronActive: /^(TRUE|FALSE)$/,
  };
  const values: Record<string, string> = {};
  for (const [name, format] of Object.entries(formats)) {
    const v = attrs[name];
    if (!v || v.length !== 1) problems.push(`${name} has ${v?.length ?? 0} values`);
    else if (!format.test(v[0])) problems.push(`${name} = ${JSON.stringify(v[0])}`);
    else values[name] = v[0];
  }
  // Absent, these mean the daemon's default (no RAM disk, not excluded, FALSE, FALSE, unlimited).
  const optional: Record<string, RegExp> = {
    sstBackupRamDiskLocation: /^file:\/\/\/[^\s]+$/,
    sstBackupExcludeFromBackup: /^(TRUE|FALSE)$/,
    sstRestoreVMWithoutState: /^(TRUE|FALSE)$/,
    sstVirtualizationVirtualMachineForceStart: /^(TRUE|FALSE)$/,
    sstVirtualizationBandwidthMerge: /^\d+$/,
  };
  for (const [name, format] of Object.entries(optional)) {
    const v = attrs[name];
    if (!v) continue;
    if (v.length !== 1 || !format.test(v[0])) problems.push(`${name} = ${JSON.stringify(v)}`);
    else values[name] = v[0];
  }
  if (problems.length > 0) throw new Error(`not readable by the node daemon: ${problems.join('; ')}`);
  return values;
}
