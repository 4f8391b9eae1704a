import type { RestoreStage, RestoreStep } from '@/lib/restore/view';
import { cn } from '../ui/cn';

const marks = { done: '✓', running: '…', pending: '', failed: '✕', yours: '?', skipped: '–' } as const;
const tones = {
  done: 'bg-status-protected text-white',
  running: 'bg-status-running text-white animate-pulse',
  pending: 'border border-line bg-surface text-muted',
  failed: 'bg-status-failed text-white',
  yours: 'bg-status-stale text-white',
  skipped: 'border border-line bg-surface text-muted',
} as const;
const words = {
  done: 'done',
  running: 'running now',
  pending: 'not yet',
  failed: 'failed',
  yours: 'waiting for you',
  skipped: 'skipped: the broker did it its way',
} as const;

/** The protocol's steps in two phases; while phase 1 waits for a decision, that step says so. */
export function StepsList({ steps, stage }: { steps: RestoreStep[]; stage: RestoreStage }) {
  const waitingForYou = stage === 'deciding' || stage === 'confirming' ? steps.find((s) => s.status === 'pending')?.key : undefined;
  const phases = [
    { title: 'Phase 1 · nothing live changes', steps: steps.slice(0, 3), offset: 0 },
    { title: 'Phase 2 · runs on the server', steps: steps.slice(3), offset: 3 },
  ];
  return (
    <div className="space-y-3">
      {phases.map((phase) => (
        <div key={phase.title}>
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">{phase.title}</h3>
          <ol className="space-y-1.5" aria-label={phase.title}>
            {phase.steps.map((s, i) => {
              const status = s.key === waitingForYou ? 'yours' : s.status;
              return (
                <li key={s.key} className="flex items-start gap-2" data-status={status}>
                  <span
                    className={cn(
                      'mt-0.5 flex h-5 w-5 shrink-0 items-center justify-center rounded-full text-xs font-semibold',
                      tones[status],
                    )}
                    aria-hidden
                  >
                    {marks[status] || phase.offset + i + 1}
                  </span>
                  <span
                    className={cn(
                      (status === 'pending' || status === 'skipped') && 'text-muted',
                      status === 'skipped' && 'line-through',
                      status === 'failed' && 'font-semibold text-status-failed',
                      (status === 'running' || status === 'yours') && 'font-semibold',
                    )}
                  >
                    {s.label}
                    {(status === 'running' || status === 'yours' || status === 'failed' || status === 'skipped') && (
                      <span aria-hidden className="font-normal text-muted">
                        {' '}
                        · {words[status]}
                      </span>
                    )}
                  </span>
                  <span className="sr-only">({words[status]})</span>
                </li>
              );
            })}
          </ol>
        </div>
      ))}
    </div>
  );
}
