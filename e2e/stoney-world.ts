import { readFileSync } from 'node:fs';
import { Client, NoSuchObjectError } from 'ldapts';
import { DEMO } from '../scripts/directory/demo-directory';
import type { NodeTree } from '../scripts/node/node-tree';

/** What e2e/global-setup.ts started for the stoney cloud kind: a console of its own, its directory and node. */
export function stoneyWorld(): { url: string; directory: { url: string; baseDn: string }; tree: NodeTree; virshStateDir: string } {
  return JSON.parse(readFileSync('test-results/e2e-state/stoney.json', 'utf8'));
}

type Stored = { dn: string; attrs: Record<string, string[]> };

async function withStoneyDirectory<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: stoneyWorld().directory.url });
  await client.bind(DEMO.rootDn, DEMO.rootPassword);
  try {
    return await work(client);
  } finally {
    await client.unbind();
  }
}

const depth = (dn: string) => dn.split(/(?<!\\),/).length;

/** A subtree as stored, so a test can put back exactly what it changed. */
export async function saveSubtree(dn: string): Promise<Stored[]> {
  return withStoneyDirectory(async (client) => {
    try {
      const { searchEntries } = await client.search(dn, { scope: 'sub', attributes: ['*'] });
      return searchEntries.map((e) => ({
        dn: e.dn,
        attrs: Object.fromEntries(
          Object.entries(e)
            .filter(([k, v]) => k !== 'dn' && !(Array.isArray(v) && v.length === 0))
            .map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)))]),
        ),
      }));
    } catch (error) {
      if (error instanceof NoSuchObjectError) return [];
      throw error;
    }
  });
}

export async function restoreSubtree(dn: string, saved: Stored[]): Promise<void> {
  await withStoneyDirectory(async (client) => {
    let now: string[] = [];
    try {
      now = (await client.search(dn, { scope: 'sub', attributes: ['1.1'] })).searchEntries.map((e) => e.dn);
    } catch (error) {
      if (!(error instanceof NoSuchObjectError)) throw error;
    }
    for (const e of now.sort((a, b) => depth(b) - depth(a))) await client.del(e);
    for (const e of [...saved].sort((a, b) => depth(a.dn) - depth(b.dn))) await client.add(e.dn, e.attrs);
  });
}

export const stoneyMachineBackupDn = (uuid: string) => `ou=backup,sstVirtualMachine=${uuid},ou=virtual machines,ou=virtualization,ou=services,${stoneyWorld().directory.baseDn}`;
