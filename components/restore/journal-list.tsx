import type { TimedRecord } from '@/lib/restore/journal';
import { DateTime } from '../ui/date-time';

function describe(r: TimedRecord): string {
  switch (r.step) {
    case 'started': return `Restore started by ${r.by} on node ${r.node}.`;
    case 'small-files-copied': return 'XML and LDIF copied into the retain folder.';
    case 'resolved': return `Conflicts resolved by ${r.by}; resolved LDIF and XML written.`;
    case 'confirmed': return `Plan confirmed by ${r.by}.`;
    case 'large-file-copied': return `${r.file} copied (${r.bytes} bytes).`;
    case 'large-files-verified': return 'Every copy checked (size, qemu-img check).';
    case 'machine-stopped': return r.how === 'was-not-running' ? 'The machine was not running.' : `The machine was stopped (${r.how === 'destroy' ? 'destroyed after the shutdown timeout' : 'shut down'}).`;
    case 'domain-undefined': return r.wasDefined ? 'The domain was undefined.' : 'The domain was not defined.';
    case 'image-moved': return `Disk ${r.disk}: ${r.from} moved to ${r.to}.`;
    case 'directory-restored': return `Directory entries restored (${r.changes} changes).`;
    case 'domain-started': return r.how === 'restore-with-state' ? 'The machine was restored from its saved state.' : 'The domain was defined from the resolved XML and started.';
    case 'failed': return `Failed while ${r.during}: ${r.reason}`;
    case 'retried': return `Continued by ${r.by}.`;
    case 'resumed': return `Continued by console ${r.by} after a restart (last step: ${r.after}).`;
    case 'aborted': return `Aborted by ${r.by}.`;
    case 'finished': return 'Restore finished.';
  }
}

export function JournalList({ records, timeZone }: { records: TimedRecord[]; timeZone: string }) {
  return (
    <ol className="space-y-1 text-sm" aria-label="Restore journal">
      {records.map((r, i) => (
        <li key={`${r.at}-${i}`} className="flex gap-3">
          <span className="shrink-0 text-muted">
            <DateTime value={r.at} timeZone={timeZone} />
          </span>
          <span className={r.step === 'failed' ? 'text-status-failed' : undefined}>{describe(r)}</span>
        </li>
      ))}
    </ol>
  );
}
