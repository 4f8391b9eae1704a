import 'server-only';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { STATUS_ORDER, facetsOf } from '@/lib/backup/status';
import { isAppError } from '@/lib/errors';
import { loadFleetUnchecked, type Fleet } from '@/lib/inventory/fleet';
import { countStatuses } from '@/lib/inventory/overview';
import { searchNodes } from '@/lib/ldap/nodes';
import { nodesConfigured } from '@/lib/ssh';
import { errorCounts } from './counters';
import { probeNodes } from './node-probes';

/**
 * GET /api/metrics in the Prometheus text format, built with prom-client from the same fleet
 * read the pages use (so the numbers are the pages' numbers). Per machine only what alerts need:
 * the time of the last good backup, its statuses, since when it is stuck and whether it is
 * excluded: a few series per machine, since a scrape of 5,000 machines already runs to
 * megabytes. docs/monitoring.md lists every metric; README, "Monitoring", has alert rules.
 */
export const PREFIX = 'backup_console_';

const holder = globalThis as unknown as { __consoleProcessMetrics?: Registry };

/** Process metrics (CPU, memory, event loop) are collected once per process, not per scrape. */
function processRegistry(): Registry {
  if (!holder.__consoleProcessMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: PREFIX });
    holder.__consoleProcessMetrics = registry;
  }
  return holder.__consoleProcessMetrics;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

function fleetMetrics(registry: Registry, fleet: Fleet): void {
  const machineLabels = ['uuid', 'machine', 'pool', 'node'] as const;
  const lastGood = new Gauge({
    name: `${PREFIX}machine_last_good_backup_timestamp_seconds`,
    help: 'When the newest good (finished) backup of the machine finished, in seconds since the epoch; absent for a machine never backed up.',
    labelNames: machineLabels,
    registers: [registry],
  });
  const status = new Gauge({
    name: `${PREFIX}machine_status`,
    help: '1 for each status the machine has: one of protected, stale, never, excluded (its last good backup), and failed, stuck or running, and blocked (stoney cloud), when they apply.',
    labelNames: [...machineLabels, 'status'],
    registers: [registry],
  });
  const stuckSince = new Gauge({
    name: `${PREFIX}machine_stuck_since_timestamp_seconds`,
    help: 'Since when the stuck iteration of the machine has been in its mode (0 when unknown); present only while one is stuck.',
    labelNames: [...machineLabels, 'iteration', 'mode'],
    registers: [registry],
  });
  const excluded = new Gauge({
    name: `${PREFIX}machine_excluded`,
    help: '1 when the machine is not backed up on purpose (excluded by its configuration, or a dynamic clone).',
    labelNames: machineLabels,
    registers: [registry],
  });
  for (const m of fleet.machines) {
    const labels = { uuid: m.uuid, machine: m.name, pool: m.poolName ?? '', node: m.node ?? '' };
    if (m.lastGood) lastGood.set(labels, seconds(m.lastGood));
    for (const s of facetsOf(m)) status.set({ ...labels, status: s }, 1);
    if (m.activity?.kind === 'stuck') stuckSince.set({ ...labels, iteration: m.activity.iteration, mode: m.activity.mode }, m.activity.since ? seconds(m.activity.since) : 0);
    excluded.set(labels, m.protection === 'excluded' ? 1 : 0);
  }

  const fleetCounts = new Gauge({ name: `${PREFIX}machines`, help: 'Machines with each status, over the whole fleet.', labelNames: ['status'], registers: [registry] });
  const counts = countStatuses(fleet.machines);
  for (const s of STATUS_ORDER) fleetCounts.set({ status: s }, counts[s]);
  new Gauge({ name: `${PREFIX}machine_count`, help: 'Machines in the directory.', registers: [registry] }).set(fleet.machines.length);
  new Gauge({ name: `${PREFIX}installation_kind`, help: 'The kind of installation whose rules the console applies (1 for that kind).', labelNames: ['kind'], registers: [registry] }).set(
    { kind: fleet.kind },
    1,
  );

  const poolCounts = new Gauge({ name: `${PREFIX}pool_machines`, help: 'Machines of the pool with each status.', labelNames: ['pool_uuid', 'pool', 'status'], registers: [registry] });
  const poolSize = new Gauge({ name: `${PREFIX}pool_machine_count`, help: 'Machines in the pool.', labelNames: ['pool_uuid', 'pool'], registers: [registry] });
  for (const pool of fleet.pools) {
    const members = fleet.machines.filter((m) => m.poolUuid?.toLowerCase() === pool.uuid.toLowerCase());
    const c = countStatuses(members);
    for (const s of STATUS_ORDER) poolCounts.set({ pool_uuid: pool.uuid, pool: pool.name, status: s }, c[s]);
    poolSize.set({ pool_uuid: pool.uuid, pool: pool.name }, members.length);
  }

  const nodeCounts = new Gauge({ name: `${PREFIX}node_machines`, help: 'Machines on the node (sstNode) with each status.', labelNames: ['node', 'status'], registers: [registry] });
  const nodeSize = new Gauge({ name: `${PREFIX}node_machine_count`, help: 'Machines on the node (sstNode).', labelNames: ['node'], registers: [registry] });
  const byNode = new Map<string, Fleet['machines']>();
  for (const m of fleet.machines) {
    const node = m.node ?? '';
    const list = byNode.get(node);
    if (list) list.push(m);
    else byNode.set(node, [m]);
  }
  for (const [node, members] of byNode) {
    const c = countStatuses(members);
    for (const s of STATUS_ORDER) nodeCounts.set({ node, status: s }, c[s]);
    nodeSize.set({ node }, members.length);
  }

  new Gauge({ name: `${PREFIX}fleet_read_timestamp_seconds`, help: 'When the numbers above were read from the directory.', registers: [registry] }).set(seconds(fleet.readAt));
  new Gauge({ name: `${PREFIX}directory_problems`, help: 'Directory entries the console skipped as malformed in that read.', registers: [registry] }).set(fleet.problems.length);
}

async function nodeMetrics(registry: Registry): Promise<void> {
  const configured = nodesConfigured();
  new Gauge({ name: `${PREFIX}nodes_configured`, help: '1 when the console has SSH access to nodes configured (NODE_SSH_PRIVATE_KEY_FILE).', registers: [registry] }).set(configured ? 1 : 0);
  if (!configured) return;
  const nodes = await searchNodes([]);
  const up = new Gauge({ name: `${PREFIX}node_up`, help: '1 when the console reached the node over SSH in its last check (checked at most every 30 s, waiting at most 5 s).', labelNames: ['node'], registers: [registry] });
  const problem = new Gauge({ name: `${PREFIX}node_unreachable_reason`, help: 'Why the node could not be reached (value 1, the reason in the label), present only while it cannot.', labelNames: ['node', 'reason'], registers: [registry] });
  const latency = new Gauge({ name: `${PREFIX}node_check_duration_seconds`, help: 'How long the last reachability check of the node took.', labelNames: ['node'], registers: [registry] });
  for (const p of await probeNodes(nodes.map((n) => n.name))) {
    up.set({ node: p.node }, p.up ? 1 : 0);
    if (!p.up && p.code) problem.set({ node: p.node, reason: p.code }, 1);
    if (p.latencyMs !== null) latency.set({ node: p.node }, p.latencyMs / 1000);
  }
}

function errorMetrics(registry: Registry): void {
  const { directory, ssh } = errorCounts();
  const dir = new Counter({ name: `${PREFIX}directory_errors_total`, help: 'Directory (LDAP) operations of this console process that failed, by error code.', labelNames: ['code'], registers: [registry] });
  for (const code of ['directory-unavailable', 'directory-error']) dir.inc({ code }, 0);
  for (const d of directory) dir.inc({ code: d.code }, d.count);
  const sshErrors = new Counter({ name: `${PREFIX}ssh_errors_total`, help: 'Commands on nodes of this console process that failed, by node and error code.', labelNames: ['node', 'code'], registers: [registry] });
  for (const s of ssh) sshErrors.inc({ node: s.node, code: s.code }, s.count);
}

/** The whole exposition. A directory outage is reported in it (directory_up 0), not as a failed scrape. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const registry = new Registry();
  const directoryUp = new Gauge({ name: `${PREFIX}directory_up`, help: '1 when this scrape could read the fleet from the directory.', registers: [registry] });
  try {
    fleetMetrics(registry, await loadFleetUnchecked());
    directoryUp.set(1);
  } catch (error) {
    if (!isAppError(error)) throw error;
    directoryUp.set(0);
  }
  try {
    await nodeMetrics(registry);
  } catch (error) {
    if (!isAppError(error)) throw error;
  }
  errorMetrics(registry);
  const merged = Registry.merge([registry, processRegistry()]);
  return { body: await merged.metrics(), contentType: merged.contentType };
}
