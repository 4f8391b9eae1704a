'use client';

import { useState, useTransition } from 'react';
import { Button } from '../ui/field';

type RemoveResult = { ok: true; data: { message: string } } | { ok: false; error: string };

/** Removes an override after a second click; the entry's iterations are never touched. */
export function RemoveOverride({
  ids,
  token,
  what,
  present,
  remove,
}: {
  ids: Record<string, string>;
  token: string;
  what: 'machine' | 'pool';
  /** Whether there is an own configuration to remove; the result stays visible after it is gone. */
  present: boolean;
  remove: (input: Record<string, string>) => Promise<RemoveResult>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<RemoveResult | null>(null);
  const [pending, startTransition] = useTransition();
  if (!present && !result) return null;
  return (
    <div className="mt-6 space-y-2 border-t border-line pt-4">
      {!present ? null : !confirming ? (
        <Button type="button" tone="danger" onClick={() => setConfirming(true)}>
          Remove this {what}&apos;s own configuration
        </Button>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          <span>The {what} will follow the configuration above it again. Its backup iterations stay.</span>
          <Button type="button" tone="danger" disabled={pending} onClick={() => startTransition(async () => setResult(await remove({ ...ids, token })))}>
            {pending ? 'Removing…' : 'Yes, remove it'}
          </Button>
          <Button type="button" tone="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </Button>
        </div>
      )}
      {result && (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'text-sm' : 'text-sm text-status-failed'}>
          {result.ok ? result.data.message : result.error}
        </p>
      )}
    </div>
  );
}
