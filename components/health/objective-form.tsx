'use client';

import { useState, useTransition } from 'react';
import { Button } from '../ui/field';

type Result = { ok: true; data: { message: string; warnings: string[] } } | { ok: false; error: string; fieldErrors?: Record<string, string> };

/**
 * The recovery point objective of the cloud or a pool: the age after which a machine without a
 * newer good backup counts as stale. Empty means the default, which the form states.
 */
export function ObjectiveForm({
  id,
  currentHours,
  defaultText,
  effectiveText,
  uuid,
  save,
  editable = true,
}: {
  id: string;
  currentHours: number | null;
  /** What applies when nothing is set here. */
  defaultText: string;
  /** What applies now, in words. */
  effectiveText: string;
  uuid?: string;
  save: (input: { hours: string; uuid?: string }) => Promise<Result>;
  /** false: the person may not configure here; the objective is only stated. */
  editable?: boolean;
}) {
  const [hours, setHours] = useState(currentHours === null ? '' : String(currentHours));
  const [result, setResult] = useState<Result | null>(null);
  const [pending, startTransition] = useTransition();
  const submit = (value: string) =>
    startTransition(async () => {
      const r = await save({ hours: value, ...(uuid ? { uuid } : {}) });
      setResult(r);
      if (r.ok) setHours(value);
    });
  const error = result && !result.ok ? (result.fieldErrors?.hours ?? result.error) : null;
  if (!editable) {
    return (
      <div className="space-y-1">
        <p data-testid={`${id}-effective`}>{effectiveText}</p>
        <p className="text-xs text-muted">Changing it needs the configure right{uuid ? ' for this pool' : ' for every pool'}.</p>
      </div>
    );
  }
  return (
    <form
      className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        submit(hours);
      }}
    >
      <p data-testid={`${id}-effective`}>{effectiveText}</p>
      <div className="flex flex-wrap items-end gap-2">
        <div className="flex flex-col gap-1">
          <label htmlFor={id} className="text-xs font-medium text-muted">
            Recovery point objective (hours; empty for the default)
          </label>
          <input
            id={id}
            name="hours"
            inputMode="decimal"
            value={hours}
            onChange={(e) => setHours(e.target.value)}
            placeholder="default"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : `${id}-hint`}
            className="w-32 rounded-md border border-line bg-surface px-2.5 py-1.5 font-mono text-sm"
          />
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? 'Saving…' : 'Save'}
        </Button>
        {currentHours !== null && (
          <Button type="button" tone="secondary" disabled={pending} onClick={() => submit('')}>
            Use the default
          </Button>
        )}
      </div>
      <p id={`${id}-hint`} className="text-xs text-muted">
        Default: {defaultText}.
      </p>
      {error && (
        <p id={`${id}-error`} role="alert" className="text-sm text-status-failed">
          {error}
        </p>
      )}
      {result?.ok && (
        <p role="status" className="text-sm" data-testid={`${id}-result`}>
          {[result.data.message, ...result.data.warnings].join(' ')}
        </p>
      )}
    </form>
  );
}
