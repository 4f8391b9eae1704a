import Link from 'next/link';
import { STATUS_ORDER, statusLabel, type MachineStatus } from '@/lib/backup/status';
import { cn } from '../ui/cn';

const accents: Record<MachineStatus, string> = {
  protected: 'border-t-status-protected text-status-protected',
  running: 'border-t-status-running text-status-running',
  failed: 'border-t-status-failed text-status-failed',
  blocked: 'border-t-status-failed text-status-failed',
  stale: 'border-t-status-stale text-status-stale',
  never: 'border-t-status-never text-status-never',
  excluded: 'border-t-status-excluded text-status-excluded',
};

const hints: Record<MachineStatus, string> = {
  protected: 'last backup finished in time',
  running: 'backup or restore under way',
  failed: 'last iteration failed',
  blocked: 'stoney wrapper skips it every night',
  stale: 'no recent finished backup',
  never: 'no iteration at all',
  excluded: 'not backed up on purpose',
};

export function StatusCounts({ counts, total }: { counts: Record<MachineStatus, number>; total: number }) {
  return (
    <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-7" aria-label="Machines by backup status">
      {STATUS_ORDER.map((status) => (
        <Link
          key={status}
          href={`/machines?status=${status}`}
          data-testid={`count-${status}`}
          className={cn('rounded-lg border border-line border-t-4 bg-surface p-3 shadow-sm hover:shadow', accents[status])}
        >
          <div className="text-2xl font-semibold tabular-nums" aria-label={`${statusLabel(status)}: ${counts[status]}`}>
            {counts[status]}
          </div>
          <div className="font-medium text-ink">{statusLabel(status)}</div>
          <div className="text-xs text-muted">
            {hints[status]} · {total === 0 ? 0 : Math.round((counts[status] / total) * 100)}%
          </div>
        </Link>
      ))}
    </div>
  );
}
