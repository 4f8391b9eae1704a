import 'server-only';
import { env } from '@/lib/env';
import { AppError } from '@/lib/errors';

export interface NodeSshSettings {
  user: string;
  privateKeyFile: string;
  knownHostsFile: string;
  port: number;
  timeoutMs: number;
  /** Whether commands go through the command runner (NODE_SSH_COMMAND_RUNNER, default on). */
  commandRunner: boolean;
}

/** Whether node access is configured at all (NODE_SSH_PRIVATE_KEY_FILE set). */
export function nodesConfigured(): boolean {
  return env().nodes.credentials !== null;
}

/** The SSH settings, or the error every node operation reports when nodes are not configured. */
export function nodeSshSettings(): NodeSshSettings {
  const { nodes, nodeCommandRunner } = env();
  const { credentials, port, timeoutMs } = nodes;
  if (!credentials) {
    throw new AppError(
      'nodes-not-configured',
      'The console is not configured to reach the nodes: set NODE_SSH_PRIVATE_KEY_FILE and NODE_SSH_KNOWN_HOSTS_FILE (see README, "Nodes").',
    );
  }
  return { ...credentials, port, timeoutMs, commandRunner: nodeCommandRunner };
}
