'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';

type Result = { ok: true; data: unknown } | { ok: false; error: string; fieldErrors?: Record<string, string> };

/** Runs a restore server action, shows its refusal in words, and re-reads the page on success. */
export function useRestoreAction() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const run = (action: (input: unknown) => Promise<Result>, input: unknown, onData?: (data: unknown) => void) => {
    setError(null);
    startTransition(async () => {
      const result = await action(input);
      if (!result.ok) {
        setError(result.error);
        return;
      }
      onData?.(result.data);
      router.refresh();
    });
  };
  return { run, pending, error, setError };
}
