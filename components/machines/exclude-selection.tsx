'use client';

import { useActionState } from 'react';
import { setMachinesExcludedAction } from '@/app/(console)/machines/actions';
import { Button } from '../ui/field';

/**
 * The form behind the machine list's checkboxes and row buttons (they join it through the
 * `form` attribute, so the table itself stays a server component).
 */
export function ExcludeSelection({ formId, names }: { formId: string; names: Record<string, string> }) {
  const [state, formAction, pending] = useActionState(setMachinesExcludedAction, null);
  const selectAll = (checked: boolean) => {
    for (const box of document.querySelectorAll<HTMLInputElement>(`input[form="${formId}"][name="uuid"]`)) box.checked = checked;
  };
  const changed = state?.ok ? state.data.results.filter((r) => r.outcome === 'changed') : [];
  const refused = state?.ok ? state.data.results.filter((r) => r.outcome === 'refused') : [];
  return (
    <form id={formId} action={formAction} className="mb-3 flex flex-wrap items-center gap-2" aria-label="Exclude or include machines">
      <span className="text-muted">Selected machines:</span>
      <Button type="button" tone="secondary" onClick={() => selectAll(true)}>
        Select all on this page
      </Button>
      <Button type="button" tone="secondary" onClick={() => selectAll(false)}>
        Clear selection
      </Button>
      <Button type="submit" name="intent" value="exclude" tone="danger" disabled={pending}>
        Exclude selected
      </Button>
      <Button type="submit" name="intent" value="include" disabled={pending}>
        Include selected
      </Button>
      {pending && <span className="text-muted">Working…</span>}
      {state && (
        <div
          role={state.ok && refused.length === 0 ? 'status' : 'alert'}
          className="basis-full text-sm"
          data-testid="exclude-selection-result"
        >
          {!state.ok && <p className="text-status-failed">{state.fieldErrors?.uuids ?? state.error}</p>}
          {state.ok && (
            <>
              <p>
                {state.data.intent === 'exclude' ? 'Excluded' : 'Included'} {changed.length} {changed.length === 1 ? 'machine' : 'machines'}
                {changed.length > 0 ? `: ${changed.map((r) => names[r.uuid] ?? r.uuid).join(', ')}` : ''}.
                {state.data.results.length > changed.length + refused.length && ' The others needed no change.'}
              </p>
              {refused.map((r) => (
                <p key={r.uuid} className="text-status-failed">
                  {names[r.uuid] ?? r.uuid}: {r.message}
                </p>
              ))}
            </>
          )}
        </div>
      )}
    </form>
  );
}
