'use client';

import { useQuery } from '@tanstack/react-query';
import type { NodeCheck, NodeDiskUsage, NodesView } from '@/lib/inventory/nodes';
import { Card, Facts, Notice } from '../ui/card';
import { DateTime } from '../ui/date-time';
import { formatBytes } from '../ui/format';
import { StatusBadge } from '../ui/status-badge';
import { Table, Td, Th } from '../ui/table';

const POLL_MS = 30_000;

async function fetchNodes(): Promise<NodesView> {
  const response = await fetch('/api/nodes', { cache: 'no-store' });
  if (!response.ok) throw new Error((await response.json().catch(() => null))?.error ?? `The console answered ${response.status}.`);
  return ((await response.json()) as { nodes: NodesView }).nodes;
}

/** Every node: the address used, whether the console can reach it (or exactly why not), and how full its backup folders are. */
export function NodeList({ initial, timeZone }: { initial: NodesView; timeZone: string }) {
  // staleTime: the server just checked every node; asking again on mount would double the SSH work.
  const query = useQuery({ queryKey: ['nodes'], queryFn: fetchNodes, initialData: initial, staleTime: POLL_MS, refetchInterval: POLL_MS });
  const view = query.data;
  return (
    <div className="space-y-6">
      <p className="text-muted" data-testid="nodes-checked-at">
        Checked at <DateTime value={view.checkedAt} timeZone={timeZone} />, again every {POLL_MS / 1000} s.
        {query.isFetching && <span className="ml-2">Checking…</span>}
      </p>
      {query.isError && <Notice tone="error">Refreshing failed: {query.error.message}</Notice>}
      {!view.configured && (
        <Notice tone="warning" title="The console is not configured to reach the nodes">
          Set NODE_SSH_PRIVATE_KEY_FILE and NODE_SSH_KNOWN_HOSTS_FILE (README, “Nodes”). Until then the console shows what the directory
          says, but cannot check files, start restores or show disk usage.
        </Notice>
      )}
      {view.nodes.length === 0 && <Notice tone="warning">The directory lists no nodes.</Notice>}
      {view.nodes.map((node) => (
        <NodeCard key={node.name} node={node} configured={view.configured} />
      ))}
    </div>
  );
}

function NodeCard({ node, configured }: { node: NodeCheck; configured: boolean }) {
  const endpoint = node.endpoint;
  return (
    <Card
      title={<span data-testid="node-name">{node.name}</span>}
      actions={
        !configured ? (
          <StatusBadge tone="excluded">Not checked</StatusBadge>
        ) : node.reachable ? (
          <StatusBadge tone="protected">Reachable</StatusBadge>
        ) : (
          <StatusBadge tone="failed">{node.error?.title ?? 'Unreachable'}</StatusBadge>
        )
      }
    >
      <section aria-label={`Node ${node.name}`} className="space-y-4">
        <Facts
          items={[
            {
              label: 'Address used',
              value: endpoint ? (
                <span data-testid="node-address">
                  <span className="font-mono">
                    {endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:{endpoint.port}
                  </span>{' '}
                  <span className="text-muted">
                    ({endpoint.source === 'NODE_ADDRESSES' ? 'from NODE_ADDRESSES' : 'internal address in the directory'})
                  </span>
                </span>
              ) : (
                '—'
              ),
            },
            { label: 'State in the directory', value: node.state ?? '—' },
            { label: 'Description', value: node.description ?? '—' },
            ...(node.latencyMs !== null ? [{ label: 'Answered in', value: `${node.latencyMs} ms` }] : []),
            ...(node.commandRunner ? [{ label: 'Commands', value: <CommandRunner state={node.commandRunner} /> }] : []),
            { label: 'Node daemon', value: <DaemonFact node={node} /> },
            {
              label: 'Kept disks',
              value: (
                <span data-testid="node-kept">
                  {node.kept === null
                    ? 'could not be read'
                    : node.kept.bytes === 0
                      ? 'none'
                      : `${formatBytes(node.kept.bytes)} kept by ${node.kept.restores} ${node.kept.restores === 1 ? 'restore' : 'restores'} for an undo (discard them on the machine pages to free the space)`}
                </span>
              ),
            },
          ]}
        />
        {node.error && (
          <Notice tone="error" title={node.error.title}>
            <p data-testid="node-error">{node.error.message}</p>
          </Notice>
        )}
        {node.disks.length > 0 && <DiskTable node={node.name} disks={node.disks} />}
      </section>
    </Card>
  );
}

/** Whether the node daemon runs there, so who executes restores on this node, and how the console knows. */
function DaemonFact({ node }: { node: NodeCheck }) {
  const d = node.daemon;
  const found = d.detected;
  return (
    <div data-testid="node-daemon" data-runs={d.runs} data-source={d.source}>
      <p>
        <strong>{d.runs ? 'Runs' : 'Does not run'}</strong>
        {' — '}
        {d.runs
          ? 'restores on this node are executed by the node daemon; the console asks it for each step.'
          : 'this console executes restores on this node over SSH.'}{' '}
        <span className="text-muted">({d.source === 'NODE_DAEMON' ? 'set by NODE_DAEMON' : 'found out over SSH'})</span>
      </p>
      <p className="text-sm text-muted" data-testid="node-daemon-summary">
        {d.summary}
      </p>
      {d.source === 'NODE_DAEMON' && found && found.runs !== d.runs && (
        <p className="text-sm text-status-stale" data-testid="node-daemon-disagrees">
          On the node the console found otherwise: {found.summary}
        </p>
      )}
      {found && found.evidence.length > 0 && (
        <details className="text-sm">
          <summary className="cursor-pointer text-muted">What the console found on the node</summary>
          <ul className="list-disc pl-5">
            {found.evidence.map((e) => (
              <li key={e} className="break-words">
                {e}
              </li>
            ))}
          </ul>
        </details>
      )}
      {d.probeError && d.source === 'NODE_DAEMON' && <p className="text-sm text-muted">{d.probeError}</p>}
    </div>
  );
}

/** Whether the node's commands go through the command runner or pay for a login shell each (README, "Nodes"). */
function CommandRunner({ state }: { state: NonNullable<NodeCheck['commandRunner']> }) {
  if (state.active) {
    return (
      <span data-testid="node-commands">
        through the command runner{' '}
        <span className="text-muted">
          ({state.runners} long-lived shell{state.runners === 1 ? '' : 's'} on the connection)
        </span>
      </span>
    );
  }
  return (
    <span data-testid="node-commands" className="text-status-stale">
      one login shell per command (slower): the command runner {state.reason}
    </span>
  );
}

function DiskTable({ node, disks }: { node: string; disks: NodeDiskUsage[] }) {
  return (
    <Table label={`Disk usage on ${node}`}>
      <thead>
        <tr>
          <Th>Folder</Th>
          <Th>Path</Th>
          <Th>Used</Th>
          <Th>Free</Th>
          <Th>Size</Th>
        </tr>
      </thead>
      <tbody>
        {disks.map((d) => (
          <tr key={`${d.purpose}:${d.path}`}>
            <Td>{d.purpose}</Td>
            <Td className="break-all font-mono text-xs">{d.path}</Td>
            {d.ok ? (
              <>
                <Td>
                  <UsageBar used={d.usedBytes} size={d.sizeBytes} />
                </Td>
                <Td className="whitespace-nowrap">{formatBytes(d.availableBytes)}</Td>
                <Td className="whitespace-nowrap" title={`${d.filesystem} on ${d.mountPoint}`}>
                  {formatBytes(d.sizeBytes)}
                </Td>
              </>
            ) : (
              <Td colSpan={3} className="text-status-failed">
                {d.reason}
              </Td>
            )}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function UsageBar({ used, size }: { used: number; size: number }) {
  const percent = size > 0 ? Math.round((used / size) * 100) : 0;
  const tone = percent >= 90 ? 'bg-status-failed' : percent >= 75 ? 'bg-status-stale' : 'bg-status-protected';
  return (
    <div className="min-w-40">
      <div className="whitespace-nowrap">
        {formatBytes(used)} ({percent}%)
      </div>
      <div
        role="meter"
        aria-label="Used"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className="mt-1 h-1.5 rounded bg-line"
      >
        <div className={`h-1.5 rounded ${tone}`} style={{ width: `${Math.min(100, percent)}%` }} />
      </div>
    </div>
  );
}
