import type { ActionResult } from '@/lib/action-result';

/** An action's answer below the button that ran it: what it did, or why not in the failure colour. */
export function ActionMessage<T>({ result, text, testId }: { result: ActionResult<T> | null; text: (data: T) => string; testId?: string }) {
  if (!result) return null;
  return (
    <p role={result.ok ? 'status' : 'alert'} data-testid={testId} className={result.ok ? 'text-sm' : 'text-sm text-status-failed'}>
      {result.ok ? text(result.data) : result.error}
    </p>
  );
}

/** Why an action was refused, where the action's own result is not kept (the restore hooks keep only the sentence). */
export function ActionError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="text-status-failed">
      {error}
    </p>
  );
}
