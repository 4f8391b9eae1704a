import { Table, Td, Th } from '../ui/table';

export type NodeScheduleView = {
  node: string;
  timeZone: string;
  fromNode: boolean;
  lines: { source: string; line: string }[] | null;
  reason: string | null;
};

/** stoney cloud: the crontab lines that start the wrapper, per node, as read from the nodes. */
export function NodeSchedule({ rows }: { rows: NodeScheduleView[] }) {
  if (rows.length === 0) return <p className="text-muted">No node to look at.</p>;
  return (
    <Table label="Crontab lines that start the stoney wrapper">
      <thead>
        <tr>
          <Th>Node</Th>
          <Th>Time zone</Th>
          <Th>Crontab line</Th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.node}>
            <Td className="whitespace-nowrap">{row.node}</Td>
            <Td className="text-xs">
              {row.timeZone}
              <span className="text-muted"> ({row.fromNode ? 'read from the node' : 'NODE_TIME_ZONE; the node did not tell'})</span>
            </Td>
            <Td className="text-xs">
              {row.lines === null ? (
                <span className="text-muted">Not read: {row.reason ?? 'unknown'}</span>
              ) : row.lines.length === 0 ? (
                <span className="text-status-failed">No line runs LDAPKVMWrapper.pl: nothing backs up the machines on this node.</span>
              ) : (
                row.lines.map((l) => (
                  <p key={`${l.source} ${l.line}`} data-testid="crontab-line">
                    <span className="font-mono">{l.line}</span> <span className="text-muted">({l.source})</span>
                  </p>
                ))
              )}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
