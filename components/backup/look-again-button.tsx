'use client';

import { useState, useTransition } from 'react';
import { Button } from '../ui/field';

type Result = { ok: true; data: { kind: string; reason: string } } | { ok: false; error: string };

export function LookAgainButton({ refresh }: { refresh: (input: Record<string, never>) => Promise<Result> }) {
  const [result, setResult] = useState<Result | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <span className="flex items-center gap-2">
      {result && !result.ok && <span className="text-xs text-status-failed">{result.error}</span>}
      <Button type="button" tone="secondary" disabled={pending} onClick={() => startTransition(async () => setResult(await refresh({})))}>
        {pending ? 'Looking…' : 'Look again'}
      </Button>
    </span>
  );
}
