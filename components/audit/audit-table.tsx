import type { AuditRecord } from '@/lib/audit/record';
import { DateTime } from '../ui/date-time';
import { TextLink } from '../ui/link';
import { EmptyRow, Table, Td, Th } from '../ui/table';

const ACTIONS: Record<string, string> = {
  'backup-config.save': 'Saved backup configuration',
  'backup-config.remove-override': 'Removed own backup configuration',
  'backup.exclude': 'Excluded from backup',
  'backup.include': 'Included in backup again',
  'restore.start': 'Started a restore',
  'restore.resolve': 'Decided the restore conflicts',
  'restore.confirm': 'Confirmed the restore plan',
  'restore.abort': 'Aborted a restore',
  'restore.retry': 'Retried a failed restore step',
  'restore.finish': 'Marked a restore as finished by hand',
  'sign-in': 'Signed in',
  'sign-in.failed': 'Failed sign-in',
  'sign-in.paused': 'Sign-in paused',
  'sign-out': 'Signed out',
  'backup.unblock': 'Unblocked backups (stoney cloud)',
  'objective.set': 'Set the recovery point objective',
};

const values = (v: string[]) => (v.length === 0 ? <span className="text-muted">(none)</span> : <span className="font-mono">{v.join(', ')}</span>);

/** The audit trail, newest first: who changed which entry when, attribute by attribute. */
export function AuditTable({ records, timeZone, names }: { records: AuditRecord[]; timeZone: string; names: Record<string, string> }) {
  return (
    <Table label="Audit trail">
      <thead>
        <tr>
          <Th>When</Th>
          <Th>Who</Th>
          <Th>What</Th>
          <Th>Entry</Th>
          <Th>Changes (before → after)</Th>
        </tr>
      </thead>
      <tbody>
        {records.length === 0 && <EmptyRow colSpan={5}>No change has been recorded.</EmptyRow>}
        {records.map((r) => (
          <tr key={r.id}>
            <Td>
              <DateTime value={r.at} timeZone={timeZone} />
            </Td>
            <Td title={r.actor.dn || undefined}>{r.actor.name || r.actor.login}</Td>
            <Td className="max-w-xs">
              <div className="font-medium">{ACTIONS[r.action] ?? r.action}</div>
              {r.capability && <div className="text-xs text-muted">with the {r.capability} right</div>}
              {r.note && <div className="text-xs text-muted">{r.note}</div>}
            </Td>
            <Td className="max-w-xs">
              {r.machineUuid ? (
                <TextLink href={`/machines/${r.machineUuid}`}>{names[r.machineUuid] ?? r.machineUuid}</TextLink>
              ) : r.poolUuid ? (
                <TextLink href={`/pools/${r.poolUuid}`}>{names[r.poolUuid] ?? r.poolUuid}</TextLink>
              ) : r.action.startsWith('sign-') ? (
                'Sign-in'
              ) : (
                'Cloud-wide'
              )}
              <div className="break-all font-mono text-xs text-muted">{r.targetDn}</div>
            </Td>
            <Td className="text-xs">
              <ul className="space-y-0.5">
                {r.changes.map((c) => (
                  <li key={c.attribute}>
                    <span className="font-mono text-muted">{c.attribute}</span>: {values(c.before)} → {values(c.after)}
                  </li>
                ))}
              </ul>
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
