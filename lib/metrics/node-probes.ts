import 'server-only';
import { isAppError, type AppErrorCode } from '@/lib/errors';
import { nodeStatus } from '@/lib/ssh';

/**
 * Whether the console can reach each node, for the metrics endpoint. One quick command per node
 * over the pooled connection, at most every PROBE_TTL_MS however often Prometheus scrapes (and
 * however many Prometheus servers do), and never longer than PROBE_WAIT_MS, so a dead node
 * cannot make a scrape time out: it is reported unreachable ("probe-timeout") until it answers.
 */
const PROBE_TTL_MS = 30_000;
const PROBE_WAIT_MS = 5_000;

export interface NodeProbe {
  node: string;
  up: boolean;
  code: AppErrorCode | 'probe-timeout' | null;
  latencyMs: number | null;
  checkedAt: number;
}

const holder = globalThis as unknown as { __consoleNodeProbes?: Map<string, { at: number; probe: Promise<NodeProbe> }> };

function probes() {
  holder.__consoleNodeProbes ??= new Map();
  return holder.__consoleNodeProbes;
}

async function probe(node: string): Promise<NodeProbe> {
  const status = await nodeStatus(node);
  return status.reachable
    ? { node, up: true, code: null, latencyMs: status.latencyMs, checkedAt: Date.now() }
    : { node, up: false, code: status.error.code, latencyMs: null, checkedAt: Date.now() };
}

export async function probeNodes(nodes: readonly string[]): Promise<NodeProbe[]> {
  const now = Date.now();
  return Promise.all(
    nodes.map(async (node) => {
      const key = node.toLowerCase();
      let slot = probes().get(key);
      if (!slot || now - slot.at > PROBE_TTL_MS) {
        // nodeStatus reports node trouble as a value; what it throws (the directory failing while
        // looking up the address) still means the console cannot reach the node.
        slot = {
          at: now,
          probe: probe(node).catch((error: unknown): NodeProbe => ({ node, up: false, code: isAppError(error) ? error.code : 'node-unreachable', latencyMs: null, checkedAt: Date.now() })),
        };
        probes().set(key, slot);
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<NodeProbe>((resolve) => {
        timer = setTimeout(() => resolve({ node, up: false, code: 'probe-timeout', latencyMs: null, checkedAt: Date.now() }), PROBE_WAIT_MS);
      });
      try {
        return await Promise.race([slot.probe, timeout]);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
