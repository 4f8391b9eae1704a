import type { RestoreStep } from '@/lib/restore/view';
import { cn } from '../ui/cn';

const marks = { done: '✓', running: '…', pending: '', failed: '✕' } as const;
const tones = {
  done: 'bg-status-protected text-white',
  running: 'bg-status-running text-white animate-pulse',
  pending: 'border border-line bg-surface text-muted',
  failed: 'bg-status-failed text-white',
} as const;

export function StepsList({ steps }: { steps: RestoreStep[] }) {
  return (
    <ol className="space-y-1.5" aria-label="Restore steps">
      {steps.map((s, i) => (
        <li key={s.key} className="flex items-center gap-2" data-status={s.status}>
          <span className={cn('flex h-5 w-5 shrink-0 items-center justify-center rounded-full text-xs font-semibold', tones[s.status])} aria-hidden>
            {marks[s.status] || i + 1}
          </span>
          <span className={cn(s.status === 'pending' && 'text-muted', s.status === 'failed' && 'font-semibold text-status-failed')}>
            {i < 3 ? 'Phase 1 · ' : 'Phase 2 · '}
            {s.label}
          </span>
          <span className="sr-only">({s.status})</span>
        </li>
      ))}
    </ol>
  );
}
