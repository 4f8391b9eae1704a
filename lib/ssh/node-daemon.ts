import 'server-only';
import { DAEMON_PROBE_SCRIPT, parseDaemonProbe, type NodeDaemonProbe } from '@/lib/backup/node-daemon';
import { runChecked } from './run';

/** Looks on a node for the node daemon's process, lock and pid files (see lib/backup/node-daemon.ts). */
export async function probeNodeDaemon(node: string): Promise<NodeDaemonProbe> {
  const { stdout } = await runChecked(node, ['sh', '-c', DAEMON_PROBE_SCRIPT, 'sh'], 'Looking for the node daemon');
  return parseDaemonProbe(stdout);
}
