import 'server-only';
import { isIP } from 'node:net';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { readNodeAddress } from '@/lib/ldap/nodes';

export interface NodeEndpoint {
  /** The node's name as the directory spells it (sstNode). */
  node: string;
  host: string;
  port: number;
  /** Where the address came from, shown on the nodes page so an override is never a surprise. */
  source: 'NODE_ADDRESSES' | 'directory';
}

const nodeName = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** Node names come from the directory; anything that is not a host name is refused before use. */
export function assertNodeName(node: string): string {
  if (typeof node !== 'string' || !nodeName.test(node)) {
    throw new AppError('invalid-input', `${JSON.stringify(node)} is not a node name (a host name such as node-01.example.org).`);
  }
  return node;
}

/**
 * Where to reach a node: NODE_ADDRESSES when it names the node, otherwise the node's internal
 * (ou=int) network address in the directory, on NODE_SSH_PORT.
 */
export async function resolveNodeEndpoint(node: string): Promise<NodeEndpoint> {
  assertNodeName(node);
  const { addresses, port } = env().nodes;
  const override = addresses[node.toLowerCase()];
  if (override) return { node, host: override.host, port: override.port ?? port, source: 'NODE_ADDRESSES' };
  const address = await readNodeAddress(node, 'int');
  if (!address) {
    throw new AppError(
      'node-address-unknown',
      `Node ${node} has no internal (ou=int) network address in the directory; add it there, or map the node in NODE_ADDRESSES.`,
    );
  }
  if (!isIP(address) && !nodeName.test(address)) {
    throw new AppError(
      'node-address-unknown',
      `The internal network address of node ${node} in the directory, ${JSON.stringify(address)}, is not an IP address or host name.`,
    );
  }
  return { node, host: address, port, source: 'directory' };
}
