import type { CopyProgress } from '@/lib/restore/service';
import { formatBytes, formatDuration } from '../ui/format';

export function ProgressPanel({ progress }: { progress: CopyProgress }) {
  const percent = progress.total === 0 ? 100 : Math.floor((progress.copied / progress.total) * 100);
  return (
    <div className="space-y-2" aria-label="Copy progress">
      <div className="h-3 w-full overflow-hidden rounded-full bg-canvas" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div className="h-full bg-status-running transition-all" style={{ width: `${percent}%` }} />
      </div>
      <p data-testid="copy-progress">
        {formatBytes(progress.copied)} of {formatBytes(progress.total)} copied ({percent}%)
        {progress.etaSeconds !== null && progress.copied < progress.total ? ` · about ${formatDuration(progress.etaSeconds)} left` : ''}
      </p>
      <ul className="text-xs text-muted">
        {progress.files.map((f) => (
          <li key={f.name} className="font-mono">
            {f.name}: {formatBytes(f.copied)} / {formatBytes(f.total)}
          </li>
        ))}
      </ul>
    </div>
  );
}
