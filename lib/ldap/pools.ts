import 'server-only';
import { z } from 'zod';
import { checked, one, type EntryProblem, type RawEntry } from './entry';
import { parseDn } from './dn';
import { poolDn, poolsDn, storagePoolsDn } from './layout';
import { readEntry, searchAll } from './client';

const poolSchema = z.object({
  dn: z.string(),
  uuid: z.string().min(1, 'sstVirtualMachinePool is missing'),
  name: z.string(),
  type: z.string().nullable(),
  description: z.string().nullable(),
  storagePoolUuids: z.array(z.string()),
  nodes: z.array(z.string()),
});
export type Pool = z.infer<typeof poolSchema>;

const POOL_ATTRIBUTES = ['sstVirtualMachinePool', 'sstDisplayName', 'sstVirtualMachinePoolType', 'description'] as const;

function mapPool(entry: RawEntry, links: { storagePools: string[]; nodes: string[] }, problems: EntryProblem[]): Pool | null {
  const uuid = one(entry, 'sstVirtualMachinePool') ?? '';
  return checked(
    poolSchema,
    entry,
    {
      dn: entry.dn,
      uuid,
      // A pool without a display name still has to be findable; its UUID is the honest fallback.
      name: one(entry, 'sstDisplayName') ?? uuid,
      type: one(entry, 'sstVirtualMachinePoolType') ?? null,
      description: one(entry, 'description') ?? null,
      storagePoolUuids: links.storagePools,
      nodes: links.nodes,
    },
    problems,
  );
}

/**
 * Pools and their link children (ou=<uuid>,ou=storage pools,<pool> and ou=<fqdn>,ou=nodes,<pool>)
 * in one subtree search: the links are child entries, not attributes.
 */
export async function searchPools(problems: EntryProblem[]): Promise<Pool[]> {
  const entries = await searchAll('Listing VM pools', {
    base: poolsDn(),
    scope: 'sub',
    filter: '(|(objectClass=sstVirtualMachines)(objectClass=labeledURIObject))',
    attributes: [...POOL_ATTRIBUTES, 'ou'],
  });
  const links = new Map<string, { storagePools: string[]; nodes: string[] }>();
  const poolEntries: RawEntry[] = [];
  for (const entry of entries) {
    const rdns = parseDn(entry.dn);
    if (rdns[0]?.attribute.toLowerCase() === 'sstvirtualmachinepool') {
      poolEntries.push(entry);
      continue;
    }
    const container = rdns[1]?.value.toLowerCase();
    const pool = rdns[2]?.attribute.toLowerCase() === 'sstvirtualmachinepool' ? rdns[2].value.toLowerCase() : null;
    if (!pool || !rdns[0]) continue;
    const link = links.get(pool) ?? { storagePools: [], nodes: [] };
    if (container === 'storage pools') link.storagePools.push(rdns[0].value);
    if (container === 'nodes') link.nodes.push(rdns[0].value);
    links.set(pool, link);
  }
  return poolEntries
    .map((e) => mapPool(e, links.get((one(e, 'sstVirtualMachinePool') ?? '').toLowerCase()) ?? { storagePools: [], nodes: [] }, problems))
    .filter((p): p is Pool => p !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function readPool(uuid: string, problems: EntryProblem[]): Promise<Pool | null> {
  const entry = await readEntry('Reading the VM pool', poolDn(uuid), POOL_ATTRIBUTES);
  if (!entry) return null;
  const children = await searchAll('Reading the VM pool links', {
    base: poolDn(uuid),
    scope: 'sub',
    filter: '(objectClass=labeledURIObject)',
    attributes: ['ou'],
  });
  const storagePools: string[] = [];
  const nodes: string[] = [];
  for (const child of children) {
    const rdns = parseDn(child.dn);
    if (rdns[1]?.value.toLowerCase() === 'storage pools') storagePools.push(rdns[0].value);
    if (rdns[1]?.value.toLowerCase() === 'nodes') nodes.push(rdns[0].value);
  }
  return mapPool(entry, { storagePools, nodes }, problems);
}

const storagePoolSchema = z.object({
  dn: z.string(),
  uuid: z.string().min(1),
  name: z.string(),
  type: z.string().nullable(),
  uri: z.string().nullable(),
});
export type StoragePool = z.infer<typeof storagePoolSchema>;

export async function searchStoragePools(problems: EntryProblem[]): Promise<StoragePool[]> {
  const entries = await searchAll('Listing storage pools', {
    base: storagePoolsDn(),
    scope: 'one',
    filter: '(objectClass=sstStoragePoolObjectClass)',
    attributes: ['sstStoragePool', 'sstDisplayName', 'sstStoragePoolType', 'sstStoragePoolURI'],
  });
  return entries
    .map((entry) => {
      const uuid = one(entry, 'sstStoragePool') ?? '';
      return checked(
        storagePoolSchema,
        entry,
        {
          dn: entry.dn,
          uuid,
          name: one(entry, 'sstDisplayName') ?? uuid,
          type: one(entry, 'sstStoragePoolType') ?? null,
          uri: one(entry, 'sstStoragePoolURI') ?? null,
        },
        problems,
      );
    })
    .filter((s): s is StoragePool => s !== null);
}
