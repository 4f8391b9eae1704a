'use client';

import { useState, useTransition } from 'react';
import { removeBackupOverrideAction } from '@/app/(console)/_backup/actions';
import { ActionMessage } from '../ui/action-message';
import { Button } from '../ui/field';

type Result = Awaited<ReturnType<typeof removeBackupOverrideAction>>;

/** Removes an override after a second click; the entry's iterations are never touched. */
export function RemoveOverride({
  target,
  token,
  present,
}: {
  target: { level: 'machine' | 'pool'; uuid: string };
  token: string;
  /** Whether there is an own configuration to remove; the result stays visible after it is gone. */
  present: boolean;
}) {
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [pending, startTransition] = useTransition();
  if (!present && !result) return null;
  return (
    <div className="mt-6 space-y-2 border-t border-line pt-4">
      {!present ? null : !confirming ? (
        <Button type="button" tone="danger" onClick={() => setConfirming(true)}>
          Remove this {target.level}&apos;s own configuration
        </Button>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          <span>The {target.level} will follow the configuration above it again. Its backup iterations stay.</span>
          <Button
            type="button"
            tone="danger"
            pending={pending}
            pendingLabel="Removing…"
            onClick={() => startTransition(async () => setResult(await removeBackupOverrideAction({ ...target, token })))}
          >
            Yes, remove it
          </Button>
          <Button type="button" tone="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </Button>
        </div>
      )}
      <ActionMessage result={result} text={(d) => d.message} />
    </div>
  );
}
