'use client';

import type { ConflictDto } from '@/lib/restore/service';
import { abortRestoreAction, confirmRestoreAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/actions';
import { useRestoreAction } from './use-restore-action';

function List({ title, items, empty }: { title: string; items: string[]; empty: string }) {
  return (
    <div>
      <h3 className="font-semibold">{title}</h3>
      {items.length === 0 ? (
        <p className="text-muted">{empty}</p>
      ) : (
        <ul className="list-disc pl-5">
          {items.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The last stop before anything live changes. */
export function PlanPanel({ uuid, iteration, data, onChange }: { uuid: string; iteration: string; data: ConflictDto; onChange: () => void }) {
  const confirm = useRestoreAction();
  const abort = useRestoreAction();
  const plan = data.plan ?? { overwritten: [], kept: [], entriesAdded: [], entriesRemoved: [] };
  return (
    <div className="space-y-4" aria-label="Restore plan">
      <div className="grid gap-4 md:grid-cols-2">
        <List title="Will be overwritten with the backup" items={plan.overwritten} empty="No setting is overwritten." />
        <List title="Will be kept as it is live" items={plan.kept} empty="No live setting is kept." />
        <List title="Directory entries added back" items={plan.entriesAdded} empty="None." />
        <List title="Directory entries removed" items={plan.entriesRemoved} empty="None." />
      </div>
      <p className="font-medium" data-testid="restore-kind">
        {data.withState ? 'Restore with the saved state (virsh restore).' : 'Restore without state: define the domain from the resolved XML and start it.'}
      </p>
      <p className="text-muted">
        Every disk image is copied into the retain folder and checked before anything live changes. After you confirm, the restore runs on the
        server without further questions; you can close this page.
      </p>
      <div className="flex flex-wrap gap-3">
        <button
          type="button"
          disabled={confirm.pending}
          onClick={() => confirm.run(confirmRestoreAction, { uuid, iteration })}
          className="rounded-md bg-status-failed px-4 py-2 font-semibold text-white disabled:opacity-50"
        >
          {confirm.pending ? 'Starting…' : 'Confirm and restore'}
        </button>
        <button type="button" onClick={onChange} className="rounded-md border border-line px-4 py-2">
          Change decisions
        </button>
        <button
          type="button"
          disabled={abort.pending}
          onClick={() => abort.run(abortRestoreAction, { uuid, iteration })}
          className="rounded-md border border-status-failed px-4 py-2 text-status-failed"
        >
          Abort the restore
        </button>
      </div>
      {(confirm.error || abort.error) && (
        <p role="alert" className="text-status-failed">
          {confirm.error ?? abort.error}
        </p>
      )}
    </div>
  );
}
