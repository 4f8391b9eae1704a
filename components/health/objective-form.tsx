'use client';

import { useState, useTransition } from 'react';
import { setObjectiveAction } from '@/app/(console)/actions';
import type { ActionResult } from '@/lib/action-result';
import { ActionMessage } from '../ui/action-message';
import { Button, Field, TextInput } from '../ui/field';

type Result = ActionResult<{ message: string; warnings: string[] }>;

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
  editable = true,
}: {
  id: string;
  currentHours: number | null;
  /** What applies when nothing is set here. */
  defaultText: string;
  /** What applies now, in words. */
  effectiveText: string;
  /** The pool's UUID; none for the cloud-wide objective. */
  uuid?: string;
  /** false: the person may not configure here; the objective is only stated. */
  editable?: boolean;
}) {
  const [hours, setHours] = useState(currentHours === null ? '' : String(currentHours));
  const [result, setResult] = useState<Result | null>(null);
  const [pending, startTransition] = useTransition();
  const submit = (value: string) =>
    startTransition(async () => {
      const r = await setObjectiveAction({ hours: value, ...(uuid ? { uuid } : {}) });
      setResult(r);
      if (r.ok) setHours(value);
    });
  const fieldError = result && !result.ok ? result.fieldErrors?.hours : undefined;
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
      <div className="flex flex-wrap items-start gap-2">
        <Field id={id} label="Recovery point objective (hours; empty for the default)" hint={`Default: ${defaultText}.`} error={fieldError}>
          <TextInput
            id={id}
            name="hours"
            inputMode="decimal"
            width="auto"
            className="w-32"
            value={hours}
            onChange={(e) => setHours(e.target.value)}
            placeholder="default"
            invalid={Boolean(fieldError)}
          />
        </Field>
        <div className="flex gap-2 pt-6">
          <Button type="submit" pending={pending} pendingLabel="Saving…">
            Save
          </Button>
          {currentHours !== null && (
            <Button type="button" tone="secondary" disabled={pending} onClick={() => submit('')}>
              Use the default
            </Button>
          )}
        </div>
      </div>
      {/* A refused value is said below the field; any other answer below the form. */}
      <ActionMessage result={fieldError ? null : result} testId={`${id}-result`} text={(d) => [d.message, ...d.warnings].join(' ')} />
    </form>
  );
}
