'use client';

import { useState, useTransition } from 'react';
import { Button } from '../ui/field';

type ToggleResult = { ok: true; data: { message: string; warnings: string[] } } | { ok: false; error: string };

/** Excludes a machine or pool from backup, or includes it again; says what it did. */
export function ExcludeToggle({
  uuid,
  excluded,
  what,
  setExcluded,
}: {
  uuid: string;
  excluded: boolean;
  what: 'machine' | 'pool';
  setExcluded: (input: { uuid: string; intent: 'exclude' | 'include' }) => Promise<ToggleResult>;
}) {
  const [result, setResult] = useState<ToggleResult | null>(null);
  const [pending, startTransition] = useTransition();
  const intent = excluded ? 'include' : 'exclude';
  return (
    <div className="space-y-2">
      <Button
        type="button"
        tone={excluded ? 'primary' : 'danger'}
        disabled={pending}
        onClick={() => startTransition(async () => setResult(await setExcluded({ uuid, intent })))}
      >
        {pending ? 'Working…' : excluded ? `Include this ${what} in backups again` : `Exclude this ${what} from backup`}
      </Button>
      {result && (
        <p role={result.ok ? 'status' : 'alert'} data-testid="exclude-result" className={result.ok ? 'text-sm' : 'text-sm text-status-failed'}>
          {result.ok ? [result.data.message, ...result.data.warnings].join(' ') : result.error}
        </p>
      )}
    </div>
  );
}
