import { statusLabel, type ActivityKind, type MachineStatus, type Protection } from '@/lib/backup/status';
import { StatusBadge } from '../ui/status-badge';

export function MachineStatusBadge({ status, reason }: { status: MachineStatus; reason?: string }) {
  return (
    <StatusBadge tone={status} title={reason}>
      {statusLabel(status)}
    </StatusBadge>
  );
}

/** Protection first, blocked and the activity beside it: a running backup or a blocked machine never hides a stale one. */
export function MachineStatusBadges({
  protection,
  activity,
  blocked = null,
  clone,
}: {
  protection: Protection;
  activity: { kind: ActivityKind; text: string } | null;
  blocked?: string | null;
  clone?: boolean;
}) {
  return (
    <span className="inline-flex flex-wrap items-center gap-1" data-testid="status-badges">
      <StatusBadge tone={protection}>{clone ? 'Excluded · dynamic clone' : statusLabel(protection)}</StatusBadge>
      {blocked && (
        <StatusBadge tone="blocked" title={blocked}>
          {statusLabel('blocked')}
        </StatusBadge>
      )}
      {activity && (
        <StatusBadge tone={activity.kind} title={activity.text}>
          {statusLabel(activity.kind)}
        </StatusBadge>
      )}
    </span>
  );
}
