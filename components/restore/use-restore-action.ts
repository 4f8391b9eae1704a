'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/action-result';

const NO_ANSWER = 'The console did not answer. Reload the page to see where the restore stands; reloading repeats nothing.';

/**
 * Runs a restore server action, shows its refusal in words (and per-field sentences), and
 * re-reads the page on success. A transport failure is a sentence too, never an exception.
 */
export function useRestoreAction() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const run = <I>(action: (input: I) => Promise<ActionResult<unknown>>, input: I, onDone?: () => void) => {
    setError(null);
    setFieldErrors({});
    startTransition(async () => {
      let result: ActionResult<unknown>;
      try {
        result = await action(input);
      } catch {
        setError(NO_ANSWER);
        return;
      }
      if (!result.ok) {
        setError(result.error);
        setFieldErrors(result.fieldErrors ?? {});
        return;
      }
      onDone?.();
      router.refresh();
    });
  };
  return { run, pending, error, fieldErrors };
}
