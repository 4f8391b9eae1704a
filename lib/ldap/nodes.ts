import 'server-only';
import { z } from 'zod';
import { all, checked, one, type EntryProblem } from './entry';
import { parseDn } from './dn';
import { nodeDn, nodesDn } from './layout';
import { readEntry, searchAll } from './client';

const nodeSchema = z.object({
  dn: z.string(),
  name: z.string().min(1),
  description: z.string().nullable(),
  addresses: z.record(z.string(), z.string()),
  state: z.string().nullable(),
});
export type VmNode = z.infer<typeof nodeSchema>;

/**
 * Nodes with their network addresses. The node entry holds no IP; addresses are in
 * ou=<admin|data|int|pub>,ou=networks,sstNode=… (one subtree search for all of them).
 */
export async function searchNodes(problems: EntryProblem[]): Promise<VmNode[]> {
  const entries = await searchAll('Listing nodes', {
    base: nodesDn(),
    scope: 'sub',
    filter: '(|(objectClass=sstVirtualizationNode)(objectClass=sstNetworkNode)(objectClass=sstTypeNode))',
    attributes: ['sstNode', 'description', 'sstNetworkIPAddress', 'sstNodeType', 'sstNodeState'],
  });
  const nodes = new Map<
    string,
    { dn: string; name: string; description: string | null; addresses: Record<string, string>; state: string | null }
  >();
  const nodeOf = (dn: string) => parseDn(dn).find((r) => r.attribute.toLowerCase() === 'sstnode')?.value ?? null;
  for (const entry of entries) {
    const name = nodeOf(entry.dn);
    if (!name) continue;
    const node = nodes.get(name.toLowerCase()) ?? { dn: '', name, description: null, addresses: {}, state: null };
    const rdns = parseDn(entry.dn);
    if (rdns[0].attribute.toLowerCase() === 'sstnode') {
      node.dn = entry.dn;
      node.name = one(entry, 'sstNode') ?? name;
      node.description = one(entry, 'description') ?? null;
    } else if (rdns[1]?.value.toLowerCase() === 'networks') {
      const address = all(entry, 'sstNetworkIPAddress')[0];
      if (address) node.addresses[rdns[0].value.toLowerCase()] = address;
    } else if ((one(entry, 'sstNodeType') ?? '').toLowerCase() === 'vm-node') {
      node.state = one(entry, 'sstNodeState') ?? null;
    }
    nodes.set(name.toLowerCase(), node);
  }
  return [...nodes.values()]
    .filter((n) => n.dn !== '')
    .map((n) => checked(nodeSchema, { dn: n.dn, attrs: {} }, n, problems))
    .filter((n): n is VmNode => n !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export type NodeNetwork = 'admin' | 'data' | 'int' | 'pub';

/**
 * One address of a node: `sstNetworkIPAddress` of ou=<network>,ou=networks,sstNode=<fqdn>. The
 * console reaches nodes on the internal network, as the VM-Manager builds its libvirt URI from it.
 */
export async function readNodeAddress(fqdn: string, network: NodeNetwork = 'int'): Promise<string | null> {
  const entry = await readEntry('Reading the node address', `ou=${network},ou=networks,${nodeDn(fqdn)}`, ['sstNetworkIPAddress']);
  return entry ? all(entry, 'sstNetworkIPAddress')[0]?.trim() || null : null;
}
