import { statusLabel, type MachineStatus } from '@/lib/backup/status';
import { StatusBadge } from '../ui/status-badge';

export function MachineStatusBadge({ status, reason }: { status: MachineStatus; reason?: string }) {
  return (
    <StatusBadge tone={status} title={reason}>
      {statusLabel(status)}
    </StatusBadge>
  );
}
