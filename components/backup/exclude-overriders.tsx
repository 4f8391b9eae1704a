'use client';

import { useState, useTransition } from 'react';
import { Button } from '../ui/field';

type Result = { ok: true; data: { results: { uuid: string; outcome: string; message: string }[] } } | { ok: false; error: string };

/** FOSS-Cloud: the machines of an excluded pool that fc-brokerd still backs up, with a way to exclude them too. */
export function ExcludeOverriders({ uuid, machines, exclude }: { uuid: string; machines: { uuid: string; name: string }[]; exclude: (input: { uuid: string }) => Promise<Result> }) {
  const [result, setResult] = useState<Result | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="space-y-2" data-testid="still-backed-up">
      <p>
        Still backed up although the pool is excluded, because fc-brokerd reads their own configuration instead of the pool&apos;s:{' '}
        <span className="font-medium">{machines.map((m) => m.name).join(', ')}</span>.
      </p>
      <Button type="button" tone="danger" disabled={pending} onClick={() => startTransition(async () => setResult(await exclude({ uuid })))}>
        {pending ? 'Working…' : `Exclude ${machines.length === 1 ? 'it' : `these ${machines.length} machines`} too`}
      </Button>
      {result && (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'text-sm' : 'text-sm text-status-failed'}>
          {result.ok ? result.data.results.map((r) => `${machines.find((m) => m.uuid === r.uuid)?.name ?? r.uuid}: ${r.message}`).join(' ') : result.error}
        </p>
      )}
    </div>
  );
}
