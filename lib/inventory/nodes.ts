import 'server-only';
import { requireAccess } from '@/lib/auth/access';
import { canEverywhere } from '@/lib/auth/capabilities';
import type { BackupConfigEntry } from '@/lib/backup/config';
import { fileUrlToPath } from '@/lib/backup/iteration-files';
import type { AppErrorCode } from '@/lib/errors';
import { readCloudBackupConfig, searchMachineBackupConfigs, searchPoolBackupConfigs } from '@/lib/ldap/backup';
import type { EntryProblem } from '@/lib/ldap/entry';
import { searchNodes } from '@/lib/ldap/nodes';
import { nodesConfigured, nodeStatus, type CommandRunnerState } from '@/lib/ssh';
import { nodeDaemonStatus, type NodeDaemonStatus } from '@/lib/restore/executor';
import { keptSpaceByNode } from '@/lib/restore/kept';
import { loadFleet } from './fleet';

/** A folder the console watches on every node: where backups and restores put their files. */
export interface WatchedDirectory {
  path: string;
  purpose: 'backup root' | 'retain directory';
  /** Which configuration entries name it, e.g. "cloud-wide", "2 pools". */
  configuredBy: string;
}

export type NodeDiskUsage = { path: string; purpose: WatchedDirectory['purpose'] } & (
  | { ok: true; filesystem: string; mountPoint: string; sizeBytes: number; usedBytes: number; availableBytes: number }
  | { ok: false; reason: string }
);

export interface NodeCheck {
  name: string;
  description: string | null;
  /** sstNodeState of the VM-Node type entry (active, maintenance). */
  state: string | null;
  /** Where the console connects, and whether that came from NODE_ADDRESSES or the directory. */
  endpoint: { host: string; port: number; source: 'NODE_ADDRESSES' | 'directory' } | null;
  reachable: boolean;
  error: { code: AppErrorCode; title: string; message: string } | null;
  latencyMs: number | null;
  /** How commands reach the node (null when it was not reached). */
  commandRunner: CommandRunnerState | null;
  disks: NodeDiskUsage[];
  /** Whether the node daemon runs there (so it executes restores), how the console knows, and what it found. */
  daemon: NodeDaemonStatus;
  /** The space disk images kept by restores (for an undo) hold there, from the directory's kept records; null when they could not be read. */
  kept: { bytes: number; restores: number } | null;
}

export interface NodesView {
  configured: boolean;
  nodes: NodeCheck[];
  directories: WatchedDirectory[];
  checkedAt: string;
  problems: EntryProblem[];
}

const TITLES: Partial<Record<AppErrorCode, string>> = {
  'nodes-not-configured': 'Not configured',
  'node-address-unknown': 'No address',
  'node-unreachable': 'Unreachable',
  'host-key-unknown': 'Host key not pinned',
  'host-key-changed': 'Host key changed',
  'node-auth-failed': 'Key refused',
  'node-timeout': 'Timed out',
  'node-connection-lost': 'Connection lost',
  'command-failed': 'Check failed',
};

/** The backup root and retain directory of every configuration entry that could apply. */
export function watchedDirectories(entries: BackupConfigEntry[]): WatchedDirectory[] {
  const found = new Map<string, { purpose: WatchedDirectory['purpose']; levels: Map<string, number> }>();
  for (const entry of entries) {
    if (!entry.hasConfigClass) continue;
    for (const [purpose, url] of [
      ['backup root', entry.values.rootDirectory],
      ['retain directory', entry.values.retainDirectory],
    ] as const) {
      const path = url ? fileUrlToPath(url) : null;
      if (!path) continue;
      const key = `${purpose}\n${path}`;
      const seen = found.get(key) ?? { purpose, levels: new Map<string, number>() };
      seen.levels.set(entry.level, (seen.levels.get(entry.level) ?? 0) + 1);
      found.set(key, seen);
    }
  }
  const word = { cloud: 'cloud-wide', pool: 'pool', machine: 'machine' } as const;
  return [...found.entries()]
    .map(([key, { purpose, levels }]) => ({
      path: key.split('\n')[1],
      purpose,
      configuredBy: (['cloud', 'pool', 'machine'] as const)
        .filter((l) => levels.has(l))
        .map((l) => (l === 'cloud' ? word[l] : `${levels.get(l)} ${word[l]}${levels.get(l) === 1 ? '' : 's'}`))
        .join(', '),
    }))
    .sort((a, b) => (a.purpose === b.purpose ? a.path.localeCompare(b.path) : a.purpose === 'backup root' ? -1 : 1));
}

/** What a person limited to some pools sees of the nodes: those their pools use or their machines run on. */
export interface NodeScope {
  nodes: Set<string>;
  pools: Set<string>;
  machines: Set<string>;
}

export async function loadNodes(): Promise<NodesView> {
  const access = await requireAccess('view');
  if (canEverywhere(access.grants, 'view')) return readNodes();
  const fleet = await loadFleet();
  return readNodes({
    nodes: new Set([...fleet.pools.flatMap((p) => p.nodes), ...fleet.machines.map((m) => m.node ?? '')].map((n) => n.toLowerCase())),
    pools: new Set(fleet.pools.map((p) => p.uuid.toLowerCase())),
    machines: new Set(fleet.machines.map((m) => m.uuid.toLowerCase())),
  });
}

const within = <T>(entries: Map<string, T>, keys: Set<string> | undefined): T[] =>
  [...entries].filter(([k]) => !keys || keys.has(k.toLowerCase())).map(([, v]) => v);

/** Every node (or those in `scope`) with the address used, whether the console can reach it, and how full its backup folders are. */
export async function readNodes(scope?: NodeScope): Promise<NodesView> {
  const problems: EntryProblem[] = [];
  const [allNodes, cloud, pools, machines] = await Promise.all([
    searchNodes(problems),
    readCloudBackupConfig(),
    searchPoolBackupConfigs(),
    searchMachineBackupConfigs(),
  ]);
  const nodes = scope ? allNodes.filter((n) => scope.nodes.has(n.name.toLowerCase())) : allNodes;
  const directories = watchedDirectories([...(cloud ? [cloud] : []), ...within(pools, scope?.pools), ...within(machines, scope?.machines)]);
  const configured = nodesConfigured();
  const kept = await keptSpaceByNode(scope?.machines).catch(() => null);
  const checks = await Promise.all(
    nodes.map(async (node): Promise<NodeCheck> => {
      const base = {
        name: node.name,
        description: node.description,
        state: node.state,
        kept: kept ? (kept.get(node.name.toLowerCase()) ?? { bytes: 0, restores: 0 }) : null,
      };
      if (!configured)
        return {
          ...base,
          endpoint: null,
          reachable: false,
          error: null,
          latencyMs: null,
          commandRunner: null,
          disks: [],
          daemon: await nodeDaemonStatus(node.name, 'never'),
        };
      const status = await nodeStatus(
        node.name,
        directories.map((d) => d.path),
      );
      const endpoint = status.endpoint ? { host: status.endpoint.host, port: status.endpoint.port, source: status.endpoint.source } : null;
      if (!status.reachable) {
        const { code, message } = status.error;
        return {
          ...base,
          endpoint,
          reachable: false,
          error: { code, title: TITLES[code] ?? 'Unreachable', message },
          latencyMs: null,
          commandRunner: null,
          disks: [],
          daemon: await nodeDaemonStatus(node.name, 'never'),
        };
      }
      return {
        ...base,
        endpoint,
        reachable: true,
        error: null,
        latencyMs: status.latencyMs,
        commandRunner: status.commandRunner,
        disks: status.filesystems.map((fs, i) => ({ ...fs, purpose: directories[i].purpose })),
        daemon: await nodeDaemonStatus(node.name, 'always'),
      };
    }),
  );
  return { configured, nodes: checks, directories, checkedAt: new Date().toISOString(), problems };
}
