'use client';

import type { Preflight } from '@/lib/restore/phase1';
import { startRestoreAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/actions';
import { formatBytes } from '../ui/format';
import { useRestoreAction } from './use-restore-action';

export function PreflightPanel({ uuid, iteration, preflight }: { uuid: string; iteration: string; preflight: Preflight }) {
  const { run, pending, error } = useRestoreAction();
  return (
    <div className="space-y-4">
      <ul className="space-y-2" aria-label="Pre-flight checks">
        {preflight.checks.map((c) => (
          <li key={c.label} className="flex gap-2">
            <span aria-hidden className={c.ok ? 'text-status-protected' : 'text-status-failed'}>
              {c.ok ? '✓' : '✕'}
            </span>
            <span>
              <span className="font-medium">{c.label}</span>
              <span className="sr-only">{c.ok ? ' (passed)' : ' (failed)'}</span>
              <br />
              <span className="text-muted">{c.detail}</span>
            </span>
          </li>
        ))}
      </ul>
      {preflight.largeFiles.length > 0 && (
        <p className="text-muted">
          Large files to copy in phase 2: {preflight.largeFiles.map((f) => `${f.name} (${formatBytes(f.size)})`).join(', ')}.
        </p>
      )}
      <p>
        Phase 1 copies only the domain XML and the LDIF of this iteration into a fresh retain folder and shows every difference with the live
        machine. Nothing live changes until you confirm the plan.
      </p>
      {error && (
        <p role="alert" className="text-status-failed">
          {error}
        </p>
      )}
      <button
        type="button"
        disabled={!preflight.ok || pending}
        onClick={() => run(startRestoreAction, { uuid, iteration })}
        className="rounded-md bg-brand px-4 py-2 font-semibold text-brand-ink disabled:opacity-50"
      >
        {pending ? 'Copying the small files…' : 'Start phase 1: unretain the small files'}
      </button>
    </div>
  );
}
