import Link from 'next/link';
import { PROTECTION_STATES, RIGHT_NOW_STATES, statusLabel, type MachineStatus } from '@/lib/backup/status';
import { cn } from '../ui/cn';

const accents: Record<MachineStatus, string> = {
  protected: 'border-t-status-protected text-status-protected',
  running: 'border-t-status-running text-status-running',
  failed: 'border-t-status-failed text-status-failed',
  stuck: 'border-t-status-stuck text-status-stuck',
  blocked: 'border-t-status-failed text-status-failed',
  stale: 'border-t-status-stale text-status-stale',
  never: 'border-t-status-never text-status-never',
  excluded: 'border-t-status-excluded text-status-excluded',
};

const hints: Record<MachineStatus, string> = {
  protected: 'good backup within the objective',
  stale: 'last good backup too old',
  never: 'no good backup at all',
  excluded: 'not backed up on purpose',
  failed: 'a step failed; nothing retries it',
  stuck: 'a step has not moved for too long',
  running: 'backup, restore or prune under way',
  blocked: 'stoney wrapper skips it every night',
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Two rows: where each machine's last good backup stands (these add up to all machines), and
 * what is happening right now (on top of that: a stale machine can also be running or blocked).
 */
export function StatusCounts({ counts, total, kind, href = (s) => `/machines?status=${s}`, notes }: {
  counts: Record<MachineStatus, number>;
  total: number;
  /** Blocked exists only on stoney cloud (the wrapper's choice); elsewhere its tile shows only if something is. */
  kind: 'foss-cloud' | 'stoney-cloud';
  href?: (status: MachineStatus) => string;
  notes?: Partial<Record<MachineStatus, string>>;
}) {
  const rightNow = RIGHT_NOW_STATES.filter((s) => s !== 'blocked' || kind === 'stoney-cloud' || counts.blocked > 0);
  const tile = (status: MachineStatus, share: boolean) => (
    <Link
      key={status}
      href={href(status)}
      data-testid={`count-${status}`}
      className={cn('rounded-lg border border-line border-t-4 bg-surface p-3 shadow-sm hover:shadow', accents[status])}
    >
      <div className="text-2xl font-semibold tabular-nums" aria-label={`${statusLabel(status)}: ${counts[status]}`}>
        {counts[status]}
      </div>
      <div className="font-medium text-ink">{statusLabel(status)}</div>
      <div className="text-xs text-muted">
        {notes?.[status] ?? hints[status]}
        {share && ` · ${total === 0 ? 0 : Math.round((counts[status] / total) * 100)}%`}
      </div>
    </Link>
  );
  return (
    <div className="space-y-3">
      <section aria-label="Machines by their last good backup">
        <h2 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-muted">
          Last good backup · {plural(total, 'machine', 'machines')}
        </h2>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">{PROTECTION_STATES.map((s) => tile(s, true))}</div>
      </section>
      <section aria-label="Machines by what is happening now">
        <h2 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-muted">Right now</h2>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">{rightNow.map((s) => tile(s, false))}</div>
      </section>
    </div>
  );
}
