import 'server-only';
import { iterationFolder } from '@/lib/backup/iteration-files';
import { env } from '@/lib/env';
import { isAppError } from '@/lib/errors';
import { folderSizes, nodesConfigured, parentDirectory } from '@/lib/ssh';
import type { MachineView } from './machine';

export type IterationSizes = { ok: true; node: string; folder: string; sizes: Record<string, number> } | { ok: false; reason: string };

/**
 * How large each of the machine's iteration folders is on its node, in one command (`du` of
 * every folder below the machine's backup folder). The directory does not record sizes; the
 * node does. Node problems are part of the answer, never thrown.
 */
export async function readIterationSizes(view: Pick<MachineView, 'machine' | 'disks' | 'effective'>): Promise<IterationSizes> {
  const node = view.machine.node;
  if (!nodesConfigured()) return { ok: false, reason: 'Nodes are not configured (NODE_SSH_PRIVATE_KEY_FILE), so the console cannot ask for sizes.' };
  if (!node) return { ok: false, reason: 'The machine names no node.' };
  const root = view.effective.values.rootDirectory.value;
  const folder = iterationFolder({
    backupRoot: typeof root === 'string' ? root : undefined,
    virtualizationRoot: env().virtualizationRoot,
    disks: view.disks,
    machineUuid: view.machine.uuid.toLowerCase(),
    iteration: 'x',
  });
  if (!folder.ok) return { ok: false, reason: folder.reason };
  const parent = parentDirectory(folder.folder);
  try {
    const found = await folderSizes(node, parent);
    return { ok: true, node, folder: parent, sizes: found.exists ? Object.fromEntries(found.sizes) : {} };
  } catch (error) {
    if (!isAppError(error)) throw error;
    if (error.detail) console.error(`[iteration sizes] ${node}: ${error.code}: ${error.detail}`);
    return { ok: false, reason: error.message };
  }
}
