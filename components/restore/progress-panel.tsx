import type { CopyProgress } from '@/lib/restore/service';
import { cn } from '../ui/cn';
import { formatBytes, formatDuration } from '../ui/format';

/** Phase 2, step 7: bytes copied of total (sizes in the retain folder against the backup's), with the time left at the rate so far. */
export function ProgressPanel({ progress }: { progress: CopyProgress }) {
  const percent = progress.total === 0 ? 100 : Math.floor((progress.copied / progress.total) * 100);
  const left =
    progress.etaSeconds !== null && progress.copied < progress.total
      ? `about ${formatDuration(progress.etaSeconds)} left`
      : progress.copied < progress.total
        ? 'time left not known yet'
        : 'checking the copies';
  return (
    <div className="space-y-3" aria-label="Copy progress">
      <div
        className="h-3 w-full overflow-hidden rounded-full bg-canvas"
        role="progressbar"
        aria-label="Copied"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="h-full bg-status-running transition-all" style={{ width: `${percent}%` }} />
      </div>
      <p data-testid="copy-progress">
        <strong>
          {formatBytes(progress.copied)} of {formatBytes(progress.total)} copied ({percent}%)
        </strong>{' '}
        · <span data-testid="copy-eta">{left}</span>
      </p>
      <table className="w-full text-left text-sm" aria-label="Files being copied">
        <tbody>
          {progress.files.map((f) => {
            const state = f.copied >= f.total && f.total > 0 ? 'copied' : f.copied > 0 ? 'copying' : 'waiting';
            return (
              <tr key={f.name} className="border-t border-line" data-state={state}>
                <td className="break-all py-1 pr-3 font-mono text-xs">{f.name}</td>
                <td className="whitespace-nowrap py-1 pr-3 text-right">
                  {formatBytes(f.copied)} / {formatBytes(f.total)}
                </td>
                <td
                  className={cn(
                    'whitespace-nowrap py-1 text-xs',
                    state === 'copied' ? 'text-status-protected' : state === 'copying' ? 'text-status-running' : 'text-muted',
                  )}
                >
                  {state}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
