import 'server-only';
import { judgeNodeDaemon, type NodeDaemonFinding } from '@/lib/backup/node-daemon';
import { env } from '@/lib/env';
import { probeNodeDaemon } from '@/lib/ssh';

import type { Executor } from './daemon-protocol';

export type { Executor };

export interface NodeDaemonStatus {
  node: string;
  runs: boolean;
  /** NODE_DAEMON: the administrator said so; detected: found out over SSH just now. */
  source: 'NODE_DAEMON' | 'detected';
  /** One sentence: what the console goes by. */
  summary: string;
  /** What the probe found (also when NODE_DAEMON decides, for the Nodes page), or null when it did not run. */
  detected: NodeDaemonFinding | null;
  /** Why the probe could not run (node unreachable, …). */
  probeError: string | null;
}

function override(node: string): 'running' | 'absent' | null {
  const overrides = env().nodes.daemon;
  return overrides[node.toLowerCase()] ?? overrides['*'] ?? null;
}

/**
 * Who executes a restore's node steps on a node: the node daemon, reacting to command modes in
 * the directory (daemons.md fact 1), or this console over SSH. Decided per node when a restore
 * starts and kept in its journal, so a restore never changes executor half-way.
 *
 * `probe: 'always'` looks on the node even when NODE_DAEMON decides (the Nodes page shows both);
 * `'if-needed'` only when nothing is set; `'never'` not at all (an unreachable node). A probe that fails leaves the daemon counted as not
 * running, with the reason: the console then executes, which is safe either way (see judgeNodeDaemon).
 */
export async function nodeDaemonStatus(node: string, probe: 'always' | 'if-needed' | 'never' = 'if-needed'): Promise<NodeDaemonStatus> {
  const set = override(node);
  let detected: NodeDaemonFinding | null = null;
  let probeError: string | null = null;
  if (probe === 'never') {
    probeError = 'The node cannot be reached, so the console did not look.';
  } else if (set === null || probe === 'always') {
    try {
      detected = judgeNodeDaemon(await probeNodeDaemon(node), node);
    } catch (error) {
      probeError = error instanceof Error ? error.message : String(error);
    }
  }
  if (set !== null) {
    const key = env().nodes.daemon[node.toLowerCase()] ? node.toLowerCase() : '*';
    return {
      node,
      runs: set === 'running',
      source: 'NODE_DAEMON',
      summary: `NODE_DAEMON says the node daemon ${set === 'running' ? 'runs' : 'does not run'} on ${node} (${key}=${set}).`,
      detected,
      probeError,
    };
  }
  return {
    node,
    runs: detected?.runs ?? false,
    source: 'detected',
    summary: detected?.summary ?? `The console could not look for the node daemon on ${node}: ${probeError ?? 'no answer'}`,
    detected,
    probeError,
  };
}

export const executorOf = (status: Pick<NodeDaemonStatus, 'runs'>): Executor => (status.runs ? 'daemon' : 'console');
