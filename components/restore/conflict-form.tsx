'use client';

import { useState } from 'react';
import type { ConflictDto } from '@/lib/restore/service';
import { abortRestoreAction, resolveConflictsAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/actions';
import { cn } from '../ui/cn';
import { useRestoreAction } from './use-restore-action';

type Decision = { choice: 'live' | 'backup' | 'value'; value?: string };

const kindLabel: Record<string, string> = {
  setting: 'LDIF + XML',
  'ldap-attribute': 'Directory',
  'ldap-entry': 'Directory entry',
  xml: 'Domain XML',
};

/** Every difference between backup and live machine, each decided by the administrator. */
export function ConflictForm({ uuid, iteration, data }: { uuid: string; iteration: string; data: ConflictDto }) {
  const [decisions, setDecisions] = useState<Record<string, Decision>>(data.decisions ?? {});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const { run, pending, error } = useRestoreAction();
  const abort = useRestoreAction();
  const set = (id: string, d: Decision) => setDecisions((prev) => ({ ...prev, [id]: d }));
  const all = (choice: 'live' | 'backup') => setDecisions(Object.fromEntries(data.conflicts.map((c) => [c.id, { choice }])));
  const undecided = data.conflicts.filter((c) => !decisions[c.id]).length;

  if (data.identityMismatch) {
    return (
      <div role="alert" className="rounded-md border border-status-failed/30 bg-status-failed-bg p-4 text-status-failed">
        <p className="font-semibold">This backup belongs to another machine. Restoring it is refused.</p>
        <p className="text-ink">{data.identityMismatch}</p>
      </div>
    );
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setErrors({});
        run(resolveConflictsAction, { uuid, iteration, decisions }, (result) => {
          const r = result as { ok: boolean; errors?: Record<string, string> };
          if (!r.ok && r.errors) setErrors(r.errors);
        });
      }}
      className="space-y-4"
    >
      <p>
        {data.conflicts.length === 0
          ? 'The backup and the live machine do not differ: the directory entries and the domain XML stay as they are.'
          : `${data.conflicts.length} differences between the backup and the live machine. Decide each one; related settings in the directory and the domain XML change together.`}{' '}
        <span className="text-muted">
          ({data.unchanged.ldapEntries} directory entries and {data.unchanged.xmlSettings} XML settings are identical.)
        </span>
      </p>
      {data.conflicts.length > 0 && (
        <div className="flex gap-2">
          <button type="button" onClick={() => all('backup')} className="rounded-md border border-line px-3 py-1">
            Take the backup for all
          </button>
          <button type="button" onClick={() => all('live')} className="rounded-md border border-line px-3 py-1">
            Keep live for all
          </button>
        </div>
      )}
      <div className="overflow-x-auto rounded-lg border border-line">
        <table className="w-full text-left" aria-label="Conflicts">
          <thead className="bg-canvas text-xs uppercase tracking-wide text-muted">
            <tr>
              <th className="px-3 py-2">Setting</th>
              <th className="px-3 py-2">Live now</th>
              <th className="px-3 py-2">In the backup</th>
              <th className="px-3 py-2">Decision</th>
            </tr>
          </thead>
          <tbody>
            {data.conflicts.map((c) => {
              const d = decisions[c.id];
              const name = `decision-${c.id}`;
              return (
                <tr key={c.id} className={cn('border-t border-line align-top', c.collision && 'bg-status-stale-bg')} data-conflict={c.id}>
                  <td className="px-3 py-2">
                    <div className="font-medium">{c.label}</div>
                    <div className="text-xs text-muted">{kindLabel[c.kind] ?? c.kind}</div>
                    {c.collision && (
                      <div role="note" className="mt-1 text-xs font-semibold text-status-stale">
                        ⚠ {c.collision}
                      </div>
                    )}
                  </td>
                  <td className="max-w-xs break-all px-3 py-2 font-mono text-xs">{c.live}</td>
                  <td className="max-w-xs break-all px-3 py-2 font-mono text-xs">{c.backup}</td>
                  <td className="px-3 py-2">
                    <fieldset aria-label={`Decision for ${c.label}`} className="space-y-1">
                      <label className="flex items-center gap-1.5">
                        <input type="radio" name={name} checked={d?.choice === 'live'} onChange={() => set(c.id, { choice: 'live' })} /> Keep live
                      </label>
                      <label className="flex items-center gap-1.5">
                        <input type="radio" name={name} checked={d?.choice === 'backup'} onChange={() => set(c.id, { choice: 'backup' })} /> Take backup
                      </label>
                      {c.allowValue && (
                        <label className="flex items-center gap-1.5">
                          <input type="radio" name={name} checked={d?.choice === 'value'} onChange={() => set(c.id, { choice: 'value', value: d?.value ?? '' })} />
                          <span>Value:</span>
                          <input
                            aria-label={`Value for ${c.label}`}
                            value={d?.choice === 'value' ? (d.value ?? '') : ''}
                            onChange={(e) => set(c.id, { choice: 'value', value: e.target.value })}
                            className="w-40 rounded border border-line px-1.5 py-0.5 font-mono text-xs"
                          />
                        </label>
                      )}
                      {errors[c.id] && <p className="text-xs text-status-failed">{errors[c.id]}</p>}
                    </fieldset>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="text-muted">
        {data.stateFile === 'saved-state'
          ? data.restoreWithoutState
            ? 'The backup has a saved state, but the configuration says to restore without state: the machine will be defined and started fresh.'
            : 'The backup has a saved state: the machine will resume where it was when the backup was taken.'
          : 'The machine was not running when the backup was taken: it will be defined from the resolved XML and started.'}
      </p>
      {(error || Object.keys(errors).length > 0) && (
        <p role="alert" className="text-status-failed">
          {error ?? 'Some decisions are not valid; see the marked rows.'}
        </p>
      )}
      <div className="flex flex-wrap gap-3">
        <button type="submit" disabled={pending || undecided > 0} className="rounded-md bg-brand px-4 py-2 font-semibold text-brand-ink disabled:opacity-50">
          {pending ? 'Writing the resolved files…' : undecided > 0 ? `Decide ${undecided} more` : 'Review the plan'}
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
      {abort.error && <p role="alert" className="text-status-failed">{abort.error}</p>}
    </form>
  );
}
