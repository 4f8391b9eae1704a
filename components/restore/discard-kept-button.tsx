'use client';

import { useState } from 'react';
import { discardKeptAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/undo/actions';
import type { KeptView } from '@/lib/restore/kept-records';
import { formatBytes } from '../ui/format';
import { useRestoreAction } from './use-restore-action';
import { ActionError } from '../ui/action-message';
import { Button } from '../ui/field';

/** Discard with its own confirmation: says what goes (which files, how much space) and that the restore can no longer be undone. */
export function DiscardKeptButton({ uuid, view }: { uuid: string; view: KeptView }) {
  const [asking, setAsking] = useState(false);
  const discard = useRestoreAction();
  const files = view.images.filter((i) => i.held);
  if (!asking) {
    return (
      <Button type="button" onClick={() => setAsking(true)} tone="danger" className="text-sm">
        Discard…
      </Button>
    );
  }
  return (
    <div
      role="group"
      aria-label={`Discard the kept disks of the restore of ${view.iteration}`}
      className="space-y-2 rounded-md border border-status-failed/30 bg-status-failed-bg p-3 text-sm"
    >
      <p>
        {files.length === 0
          ? 'No file is kept; only the record goes.'
          : `Removes ${files.length === 1 ? 'this file' : `these ${files.length} files`} from ${view.node}, freeing ${formatBytes(view.heldBytes)}:`}
      </p>
      {files.length > 0 && (
        <ul className="list-disc pl-5">
          {files.map((f) => (
            <li key={f.kept} className="break-all font-mono text-xs">
              {f.kept}
            </li>
          ))}
        </ul>
      )}
      <p>The restore of {view.iteration} can then no longer be undone. The live machine is not touched.</p>
      <ActionError error={discard.error} />
      <div className="flex flex-wrap gap-2">
        <Button
          type="button"
          tone="destructive"
          pending={discard.pending}
          pendingLabel="Discarding…"
          onClick={() => discard.run(discardKeptAction, { uuid, record: view.id }, () => setAsking(false))}
        >
          Discard the kept disks
        </Button>
        <Button type="button" onClick={() => setAsking(false)} tone="secondary">
          Keep them
        </Button>
      </div>
    </div>
  );
}
