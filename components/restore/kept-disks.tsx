import Link from 'next/link';
import type { KeptStatus, KeptView } from '@/lib/restore/kept-records';
import { DateTime } from '../ui/date-time';
import { formatBytes } from '../ui/format';
import { StatusBadge, type Tone } from '../ui/status-badge';
import { DiscardKeptButton } from './discard-kept-button';

const STATUS: Record<KeptStatus, { tone: Tone; text: string }> = {
  'restore-open': { tone: 'running', text: 'Restore not finished' },
  kept: { tone: 'protected', text: 'Kept' },
  undoing: { tone: 'running', text: 'Being undone' },
  'undo-failed': { tone: 'failed', text: 'Undo failed' },
  undone: { tone: 'excluded', text: 'Undone' },
};

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * The machine page's list of what its restores kept: the disk images each restore replaced (by
 * rename, on the node), until an undo, a discard or the end of the retention. Only the newest
 * restore can be undone; older ones can only be discarded.
 */
export function KeptDisks({
  uuid,
  views,
  mayRestore,
  timeZone,
}: {
  uuid: string;
  views: KeptView[];
  mayRestore: boolean;
  timeZone: string;
}) {
  if (views.length === 0) {
    return <p className="text-muted">No restore of this machine keeps anything: there is no restore to undo.</p>;
  }
  const newest = views[0];
  return (
    <ul className="space-y-4" aria-label="Kept disks">
      {views.map((view) => {
        const status = STATUS[view.status];
        const undoable = view === newest && view.status === 'kept';
        return (
          <li key={view.id} className="rounded-md border border-line p-3" data-testid="kept-restore" data-status={view.status}>
            <div className="flex flex-wrap items-center justify-between gap-2">
              <p>
                Restore of iteration <span className="font-mono">{view.iteration}</span>
                {view.restoredAt ? (
                  <>
                    , finished <DateTime value={view.restoredAt} timeZone={timeZone} />
                  </>
                ) : null}{' '}
                by {view.restoredBy} <StatusBadge tone={status.tone}>{status.text}</StatusBadge>
              </p>
              <p className="text-sm text-muted">
                {view.heldBytes > 0 ? `${formatBytes(view.heldBytes)} on ${view.node}` : 'nothing held'}
                {view.keptUntil ? (
                  <>
                    {' '}
                    · until <DateTime value={view.keptUntil} timeZone={timeZone} />
                  </>
                ) : null}
              </p>
            </div>
            {view.images.some((i) => i.held) && (
              <table className="mt-2 w-full text-left text-sm" aria-label={`Kept images of the restore of ${view.iteration}`}>
                <tbody>
                  {view.images
                    .filter((i) => i.held)
                    .map((i) => (
                      <tr key={i.target} className="border-t border-line">
                        <td className="py-1 pr-3 font-medium">{i.target}</td>
                        <td className="break-all py-1 pr-3 font-mono text-xs" title={i.kept}>
                          {base(i.kept)}
                        </td>
                        <td className="whitespace-nowrap py-1 text-right">{formatBytes(i.allocatedBytes)}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            )}
            {view.status === 'kept' && view !== newest && (
              <p className="mt-2 text-sm text-muted">
                A later restore of this machine replaced these disks again: this one can only be discarded.
              </p>
            )}
            {mayRestore && (
              <div className="mt-3 flex flex-wrap items-start gap-3">
                {undoable && (
                  <Link
                    href={`/machines/${uuid}/restore/${view.iteration}/undo`}
                    className="rounded-md bg-brand px-3 py-1.5 text-sm font-semibold text-brand-ink"
                  >
                    Undo this restore…
                  </Link>
                )}
                {(view.status === 'undoing' || view.status === 'undo-failed' || view.status === 'undone') && view === newest && (
                  <Link href={`/machines/${uuid}/restore/${view.iteration}/undo`} className="text-sm text-brand underline">
                    {view.status === 'undone' ? 'The undo’s journal' : 'Open the undo'}
                  </Link>
                )}
                {(view.status === 'kept' || view.status === 'restore-open') && <DiscardKeptButton uuid={uuid} view={view} />}
              </div>
            )}
          </li>
        );
      })}
    </ul>
  );
}
