'use client';

import { useId, useState } from 'react';
import type { Conflict } from '@/lib/diff/conflicts';
import type { ConflictDto } from '@/lib/restore/service';
import { resolveConflictsAction } from '@/app/(console)/machines/[uuid]/restore/[iteration]/actions';
import { Notice } from '../ui/card';
import { cn } from '../ui/cn';
import { AbortButton } from './abort-button';
import { useRestoreAction } from './use-restore-action';
import { Button } from '../ui/field';

type Choice = 'live' | 'backup' | 'value';
type Decision = { choice: Choice; value?: string };

const kindLabel: Record<Conflict['kind'], string> = {
  setting: 'Directory and domain XML, decided together',
  'ldap-attribute': 'Directory attribute',
  'ldap-entry': 'Directory entry',
  xml: 'Domain XML only',
};

/** Where an LDAP place is, in the administrator's words: the machine entry, a device below it, the DHCP reservation. */
function ldapWhere(dn: string, machineUuid: string): string {
  const lower = dn.toLowerCase();
  const machine = `sstvirtualmachine=${machineUuid.toLowerCase()}`;
  if (lower.startsWith(`${machine},`)) return 'machine entry';
  const below = lower.indexOf(`,${machine},`);
  if (below > 0) return dn.slice(0, below);
  if (lower.startsWith(`cn=${machineUuid.toLowerCase()},`) && lower.includes('ou=dhcp')) return 'DHCP reservation';
  return dn;
}

/** An attribute's values, or a whole entry's LDIF lines; null when the entry is absent on that side. */
function ldapValue(values: string[] | null): string {
  if (values === null) return '(no such entry)';
  if (values.length === 0) return '(not set)';
  return values.join('\n');
}

interface Row {
  key: string;
  where: string;
  title?: string;
  live: string;
  backup: string;
}

/** Every place a conflict touches, live against backup, one row each. */
function rowsOf(conflict: Conflict, machineUuid: string): Row[] {
  const rows: Row[] = [];
  for (const place of conflict.ldap) {
    const whole = place.attribute === null;
    rows.push({
      key: `ldap ${place.dn} ${place.attribute ?? ''}`,
      where: `Directory · ${whole ? 'entry' : place.attribute} · ${ldapWhere(place.dn, machineUuid)}`,
      title: place.dn,
      live: ldapValue(place.live),
      backup: ldapValue(place.backup),
    });
  }
  for (const place of conflict.xml) {
    rows.push({
      key: `xml ${place.path}`,
      where: `Domain XML · ${place.path}`,
      live: place.live ?? '(absent)',
      backup: place.backup ?? '(absent)',
    });
  }
  return rows;
}

/** Server errors come keyed by conflict id, or (from input validation) as decisions.<id>.<field>. */
function errorsById(fieldErrors: Record<string, string>, conflicts: Conflict[]): { byId: Record<string, string>; other: string[] } {
  const byId: Record<string, string> = {};
  const other: string[] = [];
  for (const [key, message] of Object.entries(fieldErrors)) {
    const path = key.startsWith('decisions.') ? key.slice('decisions.'.length) : key;
    const conflict = conflicts.find((c) => path === c.id || path.startsWith(`${c.id}.`));
    if (conflict) byId[conflict.id] ??= message;
    else other.push(message);
  }
  return { byId, other };
}

function ConflictCard({
  conflict,
  machineUuid,
  decision,
  error,
  onDecide,
}: {
  conflict: Conflict;
  machineUuid: string;
  decision: Decision | undefined;
  error: string | undefined;
  onDecide: (d: Decision) => void;
}) {
  const id = useId();
  const name = `decision-${id}`;
  const rows = rowsOf(conflict, machineUuid);
  const chosen = decision?.choice;
  const option = (choice: 'live' | 'backup') => {
    const refused = conflict.refused[choice];
    return (
      <div key={choice}>
        <label className={cn('flex items-start gap-2', refused && 'text-muted')}>
          <input
            type="radio"
            name={name}
            className="mt-1"
            checked={chosen === choice}
            disabled={Boolean(refused)}
            onChange={() => onDecide({ choice })}
          />
          <span className="break-words">{conflict.choices[choice]}</span>
        </label>
        {refused && <p className="ml-6 text-xs text-status-failed">Not possible: {refused}</p>}
      </div>
    );
  };
  return (
    <fieldset
      aria-labelledby={`${id}-label`}
      aria-invalid={error ? true : undefined}
      data-conflict={conflict.id}
      data-decision={chosen ?? ''}
      className={cn(
        'rounded-lg border p-4',
        error ? 'border-status-failed' : chosen ? 'border-line' : 'border-status-stale/50',
        conflict.collision && 'bg-status-stale-bg',
      )}
    >
      <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
        <h3 id={`${id}-label`} className="font-semibold">
          {conflict.label}
        </h3>
        <span className="text-xs text-muted">{kindLabel[conflict.kind]}</span>
      </div>
      {conflict.collision && (
        <p role="note" className="mb-2 text-sm font-semibold text-status-stale">
          ⚠ {conflict.collision}
        </p>
      )}
      {conflict.note && <p className="mb-2 text-sm text-status-stale">{conflict.note}</p>}
      <div className="overflow-x-auto">
        <table className="w-full table-fixed text-left text-sm" aria-label={`${conflict.label}: live against backup`}>
          <thead className="text-xs uppercase tracking-wide text-muted">
            <tr>
              <th className="w-[34%] py-1 pr-3 font-medium">Where</th>
              <th className={cn('w-[33%] px-2 py-1 font-medium', chosen === 'live' && 'text-status-protected')}>
                Live now{chosen === 'live' ? ' · kept' : ''}
              </th>
              <th className={cn('w-[33%] px-2 py-1 font-medium', chosen === 'backup' && 'text-status-protected')}>
                In the backup{chosen === 'backup' ? ' · taken' : ''}
              </th>
            </tr>
          </thead>
          <tbody>
            <tr className="border-t border-line font-medium">
              <td className="py-1.5 pr-3">In short</td>
              <td
                className={cn('whitespace-pre-wrap break-words px-2 py-1.5', chosen === 'live' && 'bg-status-protected-bg')}
                data-side="live"
              >
                {conflict.live}
              </td>
              <td
                className={cn('whitespace-pre-wrap break-words px-2 py-1.5', chosen === 'backup' && 'bg-status-protected-bg')}
                data-side="backup"
              >
                {conflict.backup}
              </td>
            </tr>
            {rows.map((r) => {
              const differs = r.live !== r.backup;
              return (
                <tr key={r.key} className="border-t border-line align-top">
                  <td className="break-words py-1 pr-3 font-mono text-xs text-muted" title={r.title}>
                    {r.where}
                  </td>
                  <td
                    className={cn(
                      'whitespace-pre-wrap break-words px-2 py-1 font-mono text-xs',
                      differs && 'text-status-stale',
                      chosen === 'live' && 'bg-status-protected-bg',
                    )}
                  >
                    {r.live}
                  </td>
                  <td
                    className={cn(
                      'whitespace-pre-wrap break-words px-2 py-1 font-mono text-xs',
                      differs && 'text-status-stale',
                      chosen === 'backup' && 'bg-status-protected-bg',
                    )}
                  >
                    {r.backup}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="mt-3 space-y-1.5" role="radiogroup" aria-label={`Decision for ${conflict.label}`}>
        {option('live')}
        {option('backup')}
        {conflict.allowValue && (
          <div>
            <label className="flex items-start gap-2">
              <input
                type="radio"
                name={name}
                className="mt-1"
                checked={chosen === 'value'}
                onChange={() => onDecide({ choice: 'value', value: decision?.value ?? '' })}
              />
              <span>Write another value</span>
            </label>
            <div className="ml-6 mt-1">
              <input
                aria-label={`Value for ${conflict.label}`}
                aria-describedby={`${id}-hint`}
                aria-invalid={error && chosen === 'value' ? true : undefined}
                value={chosen === 'value' ? (decision?.value ?? '') : ''}
                onChange={(e) => onDecide({ choice: 'value', value: e.target.value })}
                className="w-full max-w-md rounded border border-line px-2 py-1 font-mono text-sm"
              />
              <p id={`${id}-hint`} className="text-xs text-muted">
                {conflict.valueHint}
              </p>
            </div>
          </div>
        )}
      </div>
      {error && (
        <p className="mt-2 text-sm font-medium text-status-failed" data-testid="decision-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** Phase 1, step 5: every difference between backup and live machine, each decided by the administrator. */
export function ConflictForm({
  uuid,
  iteration,
  data,
  onResolved,
  onCancel,
  onAborted,
}: {
  uuid: string;
  iteration: string;
  data: ConflictDto;
  onResolved?: () => void;
  /** When changing earlier decisions: back to the plan as it was. */
  onCancel?: () => void;
  onAborted?: () => void;
}) {
  const [decisions, setDecisions] = useState<Record<string, Decision>>(data.decisions ?? {});
  // A refusal stays next to its difference until that decision is changed.
  const [changed, setChanged] = useState<Set<string>>(new Set());
  const { run, pending, error, fieldErrors } = useRestoreAction();
  const set = (id: string, d: Decision) => {
    setDecisions((prev) => ({ ...prev, [id]: d }));
    setChanged((prev) => new Set(prev).add(id));
  };
  const all = (choice: 'live' | 'backup') => {
    const taken = data.conflicts.filter((c) => !c.refused[choice]);
    setDecisions((prev) => ({ ...prev, ...Object.fromEntries(taken.map((c) => [c.id, { choice }])) }));
    setChanged((prev) => new Set([...prev, ...taken.map((c) => c.id)]));
  };
  const undecided = data.conflicts.filter((c) => !decisions[c.id]).length;
  const { byId: allErrors, other } = errorsById(fieldErrors, data.conflicts);
  const byId = Object.fromEntries(Object.entries(allErrors).filter(([id]) => !changed.has(id)));
  const stale = Object.keys(allErrors).length > 0 && Object.keys(byId).length === 0 && other.length === 0;

  if (data.identityMismatch) {
    return (
      <div className="space-y-3">
        <div role="alert" className="rounded-md border border-status-failed/30 bg-status-failed-bg p-4 text-status-failed">
          <p className="font-semibold">This backup belongs to another machine. Restoring it is refused.</p>
          <p className="text-ink">{data.identityMismatch}</p>
        </div>
        <AbortButton uuid={uuid} iteration={iteration} onAborted={onAborted} />
      </div>
    );
  }

  const inconsistent = [...data.inconsistencies.live.map((t) => `Live: ${t}`), ...data.inconsistencies.backup.map((t) => `Backup: ${t}`)];
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        // Only the chosen side's data goes back; the server recomputes everything else from the live state.
        const sent = Object.fromEntries(
          Object.entries(decisions).map(([id, d]) => [
            id,
            d.choice === 'value' ? { choice: 'value' as const, value: d.value ?? '' } : { choice: d.choice },
          ]),
        );
        setChanged(new Set());
        run(resolveConflictsAction, { uuid, iteration, decisions: sent }, onResolved);
      }}
      className="space-y-4"
      aria-label="Decisions"
    >
      <p>
        {data.conflicts.length === 0 ? (
          'The backup and the live machine do not differ: the directory entries and the domain XML stay as they are.'
        ) : (
          <>
            <strong>
              {data.conflicts.length === 1 ? 'One difference' : `${data.conflicts.length} differences`} between the backup and the live
              machine.
            </strong>{' '}
            Decide each one: keep what is live, take what the backup has, or write another value. A setting kept in both the directory and
            the domain XML is decided once and written to both.
          </>
        )}{' '}
        <span className="text-muted">
          ({data.unchanged.ldapEntries} directory entries and {data.unchanged.xmlSettings} XML settings are the same on both sides and stay
          as they are.)
        </span>
      </p>
      {inconsistent.length > 0 && (
        <Notice tone="warning" title="The directory and the domain XML already disagree">
          <ul className="list-disc pl-5">
            {inconsistent.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
        </Notice>
      )}
      {data.conflicts.length > 1 && (
        <div className="flex flex-wrap items-center gap-2">
          <Button type="button" tone="secondary" onClick={() => all('backup')}>
            Take the backup for all
          </Button>
          <Button type="button" tone="secondary" onClick={() => all('live')}>
            Keep live for all
          </Button>
          <span className="text-sm text-muted" data-testid="decided-count">
            {data.conflicts.length - undecided} of {data.conflicts.length} decided
          </span>
        </div>
      )}
      <div className="space-y-3">
        {data.conflicts.map((c) => (
          <ConflictCard
            key={c.id}
            conflict={c}
            machineUuid={uuid}
            decision={decisions[c.id]}
            error={byId[c.id]}
            onDecide={(d) => set(c.id, d)}
          />
        ))}
      </div>
      <p className="text-muted">
        {data.stateFile === 'saved-state'
          ? data.restoreWithoutState
            ? 'The backup has a saved state, but the backup configuration says to restore without state: the machine will be defined from the resolved XML and started fresh.'
            : 'The backup has a saved state: the machine will resume where it was when the backup was taken.'
          : data.stateFile === 'not-running'
            ? 'The machine was not running when the backup was taken: it will be defined from the resolved XML and started.'
            : 'The backup has no state file: the machine will be defined from the resolved XML and started.'}
      </p>
      {((error && !stale) || other.length > 0) && (
        <div role="alert" className="text-status-failed" data-testid="decisions-error">
          {error && !stale && <p>{error}</p>}
          {other.map((t) => (
            <p key={t}>{t}</p>
          ))}
        </div>
      )}
      <div className="flex flex-wrap items-start gap-3">
        <Button type="submit" disabled={pending || undecided > 0}>
          {pending
            ? 'Writing the resolved files…'
            : undecided > 0
              ? `Decide ${undecided === 1 ? 'one more difference' : `${undecided} more differences`}`
              : 'Review the plan'}
        </Button>
        {onCancel && (
          <Button type="button" tone="secondary" onClick={onCancel}>
            Back to the plan unchanged
          </Button>
        )}
        <AbortButton uuid={uuid} iteration={iteration} onAborted={onAborted} />
      </div>
      <p className="text-xs text-muted">
        Reviewing the plan writes only the resolved LDIF and XML into the retain folder. Aborting removes the retain folder and puts the
        iteration back to finished; nothing live has changed in either case.
      </p>
    </form>
  );
}
