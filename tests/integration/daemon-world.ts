import { Attribute, Change, Client, NoSuchObjectError } from 'ldapts';
import { inject } from 'vitest';
import { cleanUpAfterEach } from '../support/clean-up';
import { demoMachine } from '../support/demo';
import { directoryDns, type DirectoryDns } from '../support/directory-dns';
import { storedStrings, withRootConnection } from './raw-directory';

/**
 * Helpers for the tests that check the console against the daemons' stand-ins
 * (tests/fixtures/daemons): a raw connection to either world's slapd, putting entries back
 * exactly as they were, and a dynamic clone to act on.
 */

export type World = 'demoDirectory' | 'stoneyDirectory';

export function withClient<T>(world: World, work: (client: Client, baseDn: string) => Promise<T>): Promise<T> {
  return withRootConnection(inject(world), work);
}

type Stored = { dn: string; attrs: Record<string, string[]> };

function attrsOf(entry: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(entry)) {
    if (name === 'dn') continue;
    const values = storedStrings(value);
    if (values.length > 0) out[name] = values;
  }
  return out;
}

/** Every entry of the subtrees below `dns` (or none for a missing one), to put back with `putBack`. */
export async function snapshot(world: World, dns: string[]): Promise<{ roots: string[]; entries: Stored[] }> {
  return withClient(world, async (client) => {
    const entries: Stored[] = [];
    for (const dn of dns) {
      try {
        const { searchEntries } = await client.search(dn, { scope: 'sub', attributes: ['*'] });
        entries.push(...searchEntries.map((e) => ({ dn: e.dn, attrs: attrsOf(e) })));
      } catch (error) {
        if (!(error instanceof NoSuchObjectError)) throw error;
      }
    }
    return { roots: dns, entries };
  });
}

const depth = (dn: string) => dn.split(/(?<!\\),/).length;

/** Makes the subtrees exactly what `snapshot` saw: entries added since go, changed ones are rewritten, removed ones come back. */
export async function putBack(world: World, saved: { roots: string[]; entries: Stored[] }): Promise<void> {
  await withClient(world, async (client) => {
    for (const root of saved.roots) {
      let now: Stored[] = [];
      try {
        const { searchEntries } = await client.search(root, { scope: 'sub', attributes: ['*'] });
        now = searchEntries.map((e) => ({ dn: e.dn, attrs: attrsOf(e) }));
      } catch (error) {
        if (!(error instanceof NoSuchObjectError)) throw error;
      }
      const before = saved.entries.filter(
        (e) => e.dn.toLowerCase() === root.toLowerCase() || e.dn.toLowerCase().endsWith(`,${root.toLowerCase()}`),
      );
      const known = new Set(before.map((e) => e.dn.toLowerCase()));
      for (const extra of now.filter((e) => !known.has(e.dn.toLowerCase())).sort((a, b) => depth(b.dn) - depth(a.dn)))
        await client.del(extra.dn);
      for (const entry of before.sort((a, b) => depth(a.dn) - depth(b.dn))) {
        const current = now.find((e) => e.dn.toLowerCase() === entry.dn.toLowerCase());
        if (!current) {
          await client.add(entry.dn, entry.attrs);
          continue;
        }
        const names = new Set([...Object.keys(entry.attrs), ...Object.keys(current.attrs)].filter((n) => n.toLowerCase() !== 'ou'));
        const changes = [...names]
          .filter((n) => JSON.stringify([...(entry.attrs[n] ?? [])].sort()) !== JSON.stringify([...(current.attrs[n] ?? [])].sort()))
          .map((n) =>
            entry.attrs[n]
              ? new Change({ operation: 'replace', modification: new Attribute({ type: n, values: entry.attrs[n] }) })
              : new Change({ operation: 'delete', modification: new Attribute({ type: n, values: [] }) }),
          );
        if (changes.length > 0) await client.modify(entry.dn, changes);
      }
    }
  });
}

/**
 * For a file's tests: `keep` saves the subtrees it names now, and `restores` puts them back
 * exactly after the test (with whatever else a test pushes there, last pushed first).
 */
export function keptForEachTest(world: World) {
  const restores = cleanUpAfterEach();
  const keep = async (dns: (dn: DirectoryDns) => string[]): Promise<void> => {
    const saved = await snapshot(world, dns(directoryDns(inject(world).baseDn)));
    restores.push(() => putBack(world, saved));
  };
  return { keep, restores };
}

/** Sends a configuration action, and again with the confirmation it asks for, if it asks for one (as the page does). */
export async function confirmed<T extends { ok: boolean; data?: unknown }>(
  send: (extra: Record<string, string>) => Promise<T>,
): Promise<T> {
  const first = await send({});
  const data = first.ok ? (first.data as { outcome?: string; confirm?: string }) : null;
  if (data?.outcome !== 'confirm') return first;
  return send({ confirm: data.confirm ?? '' });
}

export const CLONE_UUID = '7d1c9a55-3c41-4b7e-9d2a-5b8e0f6a4c21';

/**
 * A dynamic clone of the classroom's golden image (subtype Desktop, no ou=backup), made from the
 * golden image's entries; its disk is the golden image's, so a backup stand-in can copy it.
 */
export async function addDynamicClone(world: World): Promise<string> {
  const golden = demoMachine('golden-desktop');
  await withClient(world, async (client, baseDn) => {
    const source = directoryDns(baseDn).machine(golden.uuid);
    const { searchEntries } = await client.search(source, {
      scope: 'sub',
      filter: '(|(objectClass=sstVirtualizationVirtualMachine)(ou=devices)(objectClass=sstVirtualizationVirtualMachineDisk))',
      attributes: ['*'],
    });
    for (const e of searchEntries.sort((a, b) => depth(a.dn) - depth(b.dn))) {
      const attrs = attrsOf(e);
      const dn = e.dn.replace(new RegExp(golden.uuid, 'i'), CLONE_UUID);
      if (attrs.sstVirtualMachine) {
        Object.assign(attrs, {
          sstVirtualMachine: [CLONE_UUID],
          sstDisplayName: ['desktop-clone-01'],
          sstVirtualMachineSubType: ['Desktop'],
          sstSpicePort: ['5999'],
        });
      }
      await client.add(dn, attrs);
    }
  });
  return CLONE_UUID;
}

export async function removeDynamicClone(world: World): Promise<void> {
  await withClient(world, async (client, baseDn) => {
    const dn = directoryDns(baseDn).machine(CLONE_UUID);
    let entries: string[] = [];
    try {
      entries = (await client.search(dn, { scope: 'sub', attributes: ['1.1'] })).searchEntries.map((e) => e.dn);
    } catch (error) {
      if (!(error instanceof NoSuchObjectError)) throw error;
    }
    for (const e of entries.sort((a, b) => depth(b) - depth(a))) await client.del(e);
  });
}

/** The signed-in administrator the actions run as (the session itself is a stand-in in these tests). */
export const ADMIN = {
  dn: 'uid=4000002,ou=people,dc=stoney-cloud,dc=org',
  uid: '4000002',
  login: 'admin',
  name: 'Ada Admin',
  iat: 0,
  exp: 4_000_000_000,
};
