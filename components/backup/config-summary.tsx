import { Notice } from '../ui/card';
import { Table, Td, Th } from '../ui/table';

export interface ConfigRowView {
  key: string;
  label: string;
  value: string;
  source: 'entry' | 'default';
  description: string;
}

const levelTitle: Record<string, string> = {
  machine: "The machine's own configuration",
  pool: "The pool's configuration",
  cloud: 'The cloud-wide configuration',
  none: 'No configuration',
};

export function ConfigSummary({
  level,
  reason,
  entryDn,
  rows,
  warnings,
  planText,
}: {
  level: string;
  reason: string;
  entryDn: string | null;
  rows: ConfigRowView[];
  warnings: string[];
  planText: string;
}) {
  return (
    <div className="space-y-3">
      <div>
        <p className="font-semibold" data-testid="config-level">
          {levelTitle[level] ?? level} applies
        </p>
        <p className="text-muted">{reason}</p>
        {entryDn && <p className="mt-1 break-all font-mono text-xs text-muted">{entryDn}</p>}
      </div>
      <p>
        <span className="text-muted">Plan: </span>
        <span className="font-medium" data-testid="plan-text">
          {planText}
        </span>
      </p>
      {warnings.map((w) => (
        <Notice key={w} tone="warning">
          {w}
        </Notice>
      ))}
      <Table label="Backup parameters">
        <thead>
          <tr>
            <Th>Parameter</Th>
            <Th>Value</Th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <Td title={row.description}>{row.label}</Td>
              <Td>
                <span className="font-mono text-xs">{row.value}</span>
                {row.source === 'default' && (
                  <span
                    className="ml-2 rounded bg-canvas px-1.5 py-0.5 text-xs text-muted"
                    title="Not set in the applying entry: the node daemon's documented default"
                  >
                    default
                  </span>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
