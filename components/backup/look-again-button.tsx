'use client';

import { useState, useTransition } from 'react';
import { refreshInstallationAction } from '@/app/(console)/_backup/actions';
import { Button } from '../ui/field';

type Result = Awaited<ReturnType<typeof refreshInstallationAction>>;

export function LookAgainButton() {
  const [result, setResult] = useState<Result | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <span className="flex items-center gap-2">
      {result && !result.ok && <span className="text-xs text-status-failed">{result.error}</span>}
      <Button
        type="button"
        tone="secondary"
        pending={pending}
        pendingLabel="Looking…"
        onClick={() => startTransition(async () => setResult(await refreshInstallationAction({})))}
      >
        Look again
      </Button>
    </span>
  );
}
