import 'server-only';
import { listMachineIterationFolders } from '@/lib/backup/node-iterations';
import { env } from '@/lib/env';
import { nodesConfigured } from '@/lib/ssh';
import type { MachineView } from './machine';

export type IterationSizes = { ok: true; node: string; folder: string; sizes: Record<string, number> } | { ok: false; reason: string };

/**
 * How large each of the machine's iteration folders is on its node, from the one listing the
 * machine page's node view uses (lib/backup/node-iterations: the backup root read the way the
 * node daemon reads it). The directory does not record sizes; the node does. Node problems are
 * part of the answer, never thrown.
 */
export async function readIterationSizes(view: Pick<MachineView, 'machine' | 'disks' | 'effective'>): Promise<IterationSizes> {
  if (!nodesConfigured()) return { ok: false, reason: 'Nodes are not configured (NODE_SSH_PRIVATE_KEY_FILE), so the console cannot ask for sizes.' };
  const root = view.effective.values.rootDirectory.value;
  const listing = await listMachineIterationFolders({
    node: view.machine.node,
    backupRoot: typeof root === 'string' ? root : null,
    virtualizationRoot: env().virtualizationRoot,
    disks: view.disks,
    machineUuid: view.machine.uuid.toLowerCase(),
  });
  if (!listing.ok) {
    if (listing.node) console.error(`[iteration sizes] ${listing.node}: ${listing.reason}`);
    return { ok: false, reason: listing.reason };
  }
  return { ok: true, node: listing.node, folder: listing.machineFolder, sizes: Object.fromEntries(listing.folders.map((f) => [f.name, f.totalBytes])) };
}
