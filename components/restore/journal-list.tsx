import type { TimedRecord } from '@/lib/restore/journal';
import { DateTime } from '../ui/date-time';
import { formatBytes } from '../ui/format';

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

function describe(r: TimedRecord): string {
  switch (r.step) {
    case 'started':
      return `Restore started by ${r.by} on node ${r.node}; ${r.executor === 'daemon' ? 'the node daemon executes the node steps' : 'this console executes the node steps over SSH'}.`;
    case 'commanded':
      return `Asked the node daemon: ${r.mode} (state 0).`;
    case 'daemon-answered':
      return `The node daemon answered ${r.mode}${r.returnValue !== 0 ? ` (return value ${r.returnValue})` : ''}.`;
    case 'followed':
      return `The ${r.by} moved the iteration to ${r.mode} by itself; the console follows.`;
    case 'waiting-for-broker':
      return `Leaving the broker up to ${r.seconds} s to stop the machine and ask for the restore itself.`;
    case 'xml-installed':
      return 'The resolved XML replaced the unretained copy the node daemon restores from.';
    case 'domain-defined':
      return 'The resolved XML became the domain definition.';
    case 'small-files-copied':
      return 'Domain XML and LDIF copied into the retain folder.';
    case 'resolved': {
      const n = Object.keys(r.decisions).length;
      return `${n === 0 ? `Nothing to decide (checked by ${r.by})` : `${n === 1 ? 'One difference' : `${n} differences`} decided by ${r.by}`}; resolved LDIF and XML written.`;
    }
    case 'confirmed':
      return `Plan confirmed by ${r.by}; phase 2 started.`;
    case 'large-file-copied':
      return `${base(r.file)} copied (${formatBytes(r.bytes)}).`;
    case 'large-files-verified':
      return r.checked
        ? `Every copy checked against the backup (size and checksum${r.staged?.length ? ', qemu-img check' : ''}) and written out to disk.`
        : 'Every copy checked (size, qemu-img check).';
    case 'machine-stopped':
      return r.how === 'was-not-running'
        ? 'The machine was not running.'
        : r.how === 'destroy'
          ? 'The machine did not shut down in time and was destroyed.'
          : r.how === 'by-broker'
            ? 'The broker stopped the machine.'
            : 'The machine was shut down.';
    case 'before-kept':
      return 'The domain XML, directory entries and live images the restore replaces were recorded; they are kept for an undo.';
    case 'domain-undefined':
      return r.wasDefined ? 'The domain was undefined.' : 'The domain was not defined.';
    case 'image-moved':
      return r.kept
        ? `Disk ${r.disk}: ${base(r.to)} renamed to ${base(r.kept)} (kept), the checked copy renamed into its place.`
        : r.kept === null
          ? `Disk ${r.disk}: the checked copy renamed to ${base(r.to)}.`
          : `Disk ${r.disk}: the backup's image moved over ${base(r.to)}.`;
    case 'directory-restored':
      return `Directory entries written (${r.changes} ${r.changes === 1 ? 'change' : 'changes'}).`;
    case 'domain-started': {
      const how =
        r.how === 'restore-with-state'
          ? 'The machine was restored from its saved state'
          : r.how === 'by-daemon'
            ? 'The node daemon restored the machine; the console checked it runs with the backup’s images'
            : 'The domain was defined from the resolved XML and started';
      return r.downtime ? `${how}; it was stopped for ${r.downtime.seconds.toFixed(2)} s.` : `${how}.`;
    }
    case 'undo-started':
      return `${r.by} started to undo this restore.`;
    case 'undone':
      return `The restore was undone (started by ${r.by}): the machine is back as it was before.`;
    case 'undo-cancelled':
      return `${r.by} called the undo off before it changed the machine.`;
    case 'failed':
      return `Failed while ${r.during} (return value ${r.returnValue}${r.exitCode !== undefined ? `, exit code ${r.exitCode}` : ''}${r.by === 'daemon' ? ', answered by the node daemon' : ''}).`;
    case 'retried':
      return `Retried by ${r.by}${r.withoutState ? ', without the saved state' : ''}.`;
    case 'resumed':
      return `Continued by console ${r.by} after a restart (last step: ${r.after}).`;
    case 'aborted':
      return `Aborted by ${r.by}.`;
    case 'finished':
      return r.by ? `Marked as finished by ${r.by}.` : 'Restore finished.';
  }
}

/** Full paths on hover, so the list stays readable. */
function title(r: TimedRecord): string | undefined {
  if (r.step === 'image-moved') return `${r.from} → ${r.to}${r.kept ? `; ${r.to} → ${r.kept}` : ''}`;
  if (r.step === 'before-kept' || r.step === 'undo-started' || r.step === 'undone' || r.step === 'undo-cancelled')
    return `kept record ${r.record}`;
  if (r.step === 'large-files-verified' && r.checked)
    return r.checked.map((c) => `${c.file}: ${c.bytes} bytes, cksum ${c.checksum}`).join('\n');
  if (r.step === 'machine-stopped' && r.requestedAt) return `asked to stop at ${r.requestedAt}`;
  if (r.step === 'large-file-copied') return `${r.file}: ${r.bytes} bytes`;
  if (r.step === 'started')
    return `retain folder ${r.retainFolder}\nbackup folder ${r.backupFolder}${r.executorReason ? `\n${r.executorReason}` : ''}`;
  if (r.step === 'xml-installed') return r.path;
  if (r.step === 'failed') return r.reason;
  if (r.step === 'finished' && r.remains) return r.remains.join('\n');
  return undefined;
}

export function JournalList({ records, timeZone }: { records: TimedRecord[]; timeZone: string }) {
  return (
    <ol className="space-y-1 text-sm" aria-label="Restore journal">
      {records.map((r, i) => (
        <li key={`${r.at}-${i}`} className="flex gap-3" data-step={r.step}>
          <span className="shrink-0 text-muted">
            <DateTime value={r.at} timeZone={timeZone} />
          </span>
          <span className={r.step === 'failed' ? 'min-w-0 wrap-anywhere text-status-failed' : 'min-w-0 wrap-anywhere'} title={title(r)}>
            {describe(r)}
          </span>
        </li>
      ))}
    </ol>
  );
}
