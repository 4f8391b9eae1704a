'use client';

import { abortRestoreAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/actions';
import { useRestoreAction } from './use-restore-action';
import { Button } from '../ui/field';

/** Calls a restore off while nothing live has changed: the retain folder goes, the iteration is finished again. */
export function AbortButton({
  uuid,
  iteration,
  onAborted,
  label = 'Abort the restore',
}: {
  uuid: string;
  iteration: string;
  onAborted?: () => void;
  label?: string;
}) {
  const abort = useRestoreAction();
  return (
    <span className="inline-flex flex-col gap-1">
      <Button
        type="button"
        tone="danger"
        pending={abort.pending}
        pendingLabel="Aborting…"
        onClick={() => abort.run(abortRestoreAction, { uuid, iteration }, onAborted)}
      >
        {label}
      </Button>
      {abort.error && (
        <span role="alert" className="text-sm text-status-failed">
          {abort.error}
        </span>
      )}
    </span>
  );
}
