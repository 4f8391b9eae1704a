'use client';

import { useState, useTransition } from 'react';
import { excludePoolOverridersAction } from '@/app/(console)/_backup/actions';
import { ActionMessage } from '../ui/action-message';
import { Button } from '../ui/field';

type Result = Awaited<ReturnType<typeof excludePoolOverridersAction>>;

/** FOSS-Cloud: the machines of an excluded pool that fc-brokerd still backs up, with a way to exclude them too. */
export function ExcludeOverriders({ uuid, machines }: { uuid: string; machines: { uuid: string; name: string }[] }) {
  const [result, setResult] = useState<Result | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="space-y-2" data-testid="still-backed-up">
      <p>
        Still backed up although the pool is excluded, because fc-brokerd reads their own configuration instead of the pool&apos;s:{' '}
        <span className="font-medium">{machines.map((m) => m.name).join(', ')}</span>.
      </p>
      <Button
        type="button"
        tone="danger"
        pending={pending}
        pendingLabel="Working…"
        onClick={() => startTransition(async () => setResult(await excludePoolOverridersAction({ uuid })))}
      >
        Exclude {machines.length === 1 ? 'it' : `these ${machines.length} machines`} too
      </Button>
      <ActionMessage
        result={result}
        text={(d) => d.results.map((r) => `${machines.find((m) => m.uuid === r.uuid)?.name ?? r.uuid}: ${r.message}`).join(' ')}
      />
    </div>
  );
}
