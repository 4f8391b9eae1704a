import { cn } from './cn';

export type Tone = 'protected' | 'failed' | 'stuck' | 'blocked' | 'running' | 'stale' | 'never' | 'excluded';

const tones: Record<Tone, string> = {
  protected: 'bg-status-protected-bg text-status-protected border-status-protected/30',
  failed: 'bg-status-failed-bg text-status-failed border-status-failed/30',
  stuck: 'bg-status-stuck-bg text-status-stuck border-status-stuck/30',
  blocked: 'bg-status-failed-bg text-status-failed border-status-failed/30',
  running: 'bg-status-running-bg text-status-running border-status-running/30',
  stale: 'bg-status-stale-bg text-status-stale border-status-stale/30',
  never: 'bg-status-never-bg text-status-never border-status-never/30',
  excluded: 'bg-status-excluded-bg text-status-excluded border-status-excluded/30',
};

const dots: Record<Tone, string> = {
  protected: 'bg-status-protected',
  failed: 'bg-status-failed',
  stuck: 'bg-status-stuck',
  blocked: 'bg-status-failed',
  running: 'bg-status-running animate-pulse',
  stale: 'bg-status-stale',
  never: 'bg-status-never',
  excluded: 'bg-status-excluded',
};

export function StatusBadge({ tone, children, title }: { tone: Tone; children: React.ReactNode; title?: string }) {
  return (
    <span title={title} className={cn('inline-flex items-center gap-1.5 whitespace-nowrap rounded-full border px-2 py-0.5 text-xs font-medium', tones[tone])}>
      <span aria-hidden className={cn('h-1.5 w-1.5 rounded-full', dots[tone])} />
      {children}
    </span>
  );
}

/** Iteration health uses the same palette as machine status. */
export function healthTone(health: 'finished' | 'failed' | 'running' | 'pending'): Tone {
  return health === 'finished' ? 'protected' : health === 'failed' ? 'failed' : 'running';
}
