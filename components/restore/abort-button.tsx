'use client';

import { abortRestoreAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/actions';
import { useRestoreAction } from './use-restore-action';

/** Calls a restore off while nothing live has changed: the retain folder goes, the iteration is finished again. */
export function AbortButton({ uuid, iteration, onAborted, label = 'Abort the restore' }: { uuid: string; iteration: string; onAborted?: () => void; label?: string }) {
  const abort = useRestoreAction();
  return (
    <span className="inline-flex flex-col gap-1">
      <button
        type="button"
        disabled={abort.pending}
        onClick={() => abort.run(abortRestoreAction, { uuid, iteration }, onAborted)}
        className="rounded-md border border-status-failed bg-surface px-4 py-2 text-status-failed disabled:opacity-50"
      >
        {abort.pending ? 'Aborting…' : label}
      </button>
      {abort.error && (
        <span role="alert" className="text-sm text-status-failed">
          {abort.error}
        </span>
      )}
    </span>
  );
}
