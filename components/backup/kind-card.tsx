import { Card, Notice } from '../ui/card';
import { Table, Td, Th } from '../ui/table';
import { LookAgainButton } from './look-again-button';

export type KindCardProps = {
  kindLabel: string;
  setting: string;
  by: 'setting' | 'evidence' | 'default';
  reason: string;
  evidence: { kind: string; kindLabel: string; strength: 'strong' | 'hint'; source: string; text: string }[];
  conflicts: string[];
  rules: { schedule: string; exclusion: string; retention: string; health: string };
  nodes: (
    | { node: string; read: true; timeZone: string | null; timeZoneRaw: string | null; wrapperLines: string[] }
    | { node: string; read: false; reason: string }
  )[];
  nodesConfigured: boolean;
  checkedAt: string;
};

/** The Configuration page's account of which kind of installation the console serves, and why. */
export function KindCard(p: KindCardProps) {
  return (
    <Card title="Kind of installation" actions={<LookAgainButton />}>
      <div className="space-y-3">
        <p>
          <span className="text-muted">The console applies the rules of </span>
          <span className="font-semibold" data-testid="installation-kind">
            {p.kindLabel}
          </span>
          .
        </p>
        <p data-testid="installation-reason">{p.reason}</p>
        {p.conflicts.length > 0 && (
          <Notice tone="warning" title="Signs of the other kind">
            <ul className="list-disc pl-5">
              {p.conflicts.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          </Notice>
        )}
        <dl className="grid gap-2 text-sm md:grid-cols-2">
          {(
            [
              ['Schedule', p.rules.schedule],
              ['Exclusion', p.rules.exclusion],
              ['Retention', p.rules.retention],
              ['Health', p.rules.health],
            ] as const
          ).map(([label, text]) => (
            <div key={label}>
              <dt className="font-medium">{label}</dt>
              <dd className="text-muted">{text}</dd>
            </div>
          ))}
        </dl>
        <details>
          <summary className="cursor-pointer text-brand">What the directory and the nodes show ({p.evidence.length})</summary>
          <ul className="mt-2 list-disc space-y-1 pl-5 text-sm" data-testid="installation-evidence">
            {p.evidence.length === 0 && <li className="text-muted">Nothing that tells the kind.</li>}
            {p.evidence.map((e) => (
              <li key={e.text}>
                {e.text}{' '}
                <span className="text-muted">
                  ({e.strength === 'strong' ? 'conclusive' : 'a hint'} for {e.kindLabel})
                </span>
              </li>
            ))}
          </ul>
          {!p.nodesConfigured ? (
            <p className="mt-2 text-muted">Node access is not configured, so the nodes&apos; crontabs and time zones were not read.</p>
          ) : (
            <div className="mt-3">
              <Table label="What the nodes say">
                <thead>
                  <tr>
                    <Th>Node</Th>
                    <Th>Time zone</Th>
                    <Th>Crontab lines for LDAPKVMWrapper.pl</Th>
                  </tr>
                </thead>
                <tbody>
                  {p.nodes.map((n) => (
                    <tr key={n.node}>
                      <Td>{n.node}</Td>
                      {n.read ? (
                        <>
                          <Td className="text-xs">
                            {n.timeZone ?? <span className="text-muted">not told ({n.timeZoneRaw ?? 'nothing'})</span>}
                          </Td>
                          <Td className="font-mono text-xs">
                            {n.wrapperLines.length === 0 ? (
                              <span className="font-sans text-muted">none</span>
                            ) : (
                              n.wrapperLines.map((l) => <p key={l}>{l}</p>)
                            )}
                          </Td>
                        </>
                      ) : (
                        <Td colSpan={2} className="text-xs text-status-failed">
                          {n.reason}
                        </Td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </Table>
            </div>
          )}
          <p className="mt-2 text-xs text-muted">
            Looked at {p.checkedAt} UTC; the console looks again every five minutes. INSTALLATION_KIND is{' '}
            {p.setting === 'detect' ? 'not set (detect)' : p.setting}.
          </p>
        </details>
      </div>
    </Card>
  );
}
