'use client';

import { useState, useTransition } from 'react';
import { unblockMachineAction } from '@/app/(console)/_backup/actions';
import { ActionMessage } from '../ui/action-message';
import { Button } from '../ui/field';

type Result = Awaited<ReturnType<typeof unblockMachineAction>>;

/**
 * stoney cloud: one action that puts a blocked machine back into a state the wrapper accepts,
 * keeping its files. Rendered whether or not the machine is blocked, so that the answer stays on
 * the page after the refresh that shows the machine unblocked.
 */
export function UnblockButton({ uuid, blocked }: { uuid: string; blocked: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [pending, startTransition] = useTransition();
  if (!blocked && !result) return null;
  return (
    <div className="mt-3 space-y-2" data-testid="blocked">
      {!blocked ? null : !confirming ? (
        <Button type="button" onClick={() => setConfirming(true)}>
          Unblock backups of this machine
        </Button>
      ) : (
        <div className="flex flex-wrap items-center gap-2">
          <span>Only directory entries change; every file on the node stays, and what is removed is kept in the audit record.</span>
          <Button
            type="button"
            pending={pending}
            pendingLabel="Unblocking…"
            onClick={() => startTransition(async () => setResult(await unblockMachineAction({ uuid })))}
          >
            Yes, unblock
          </Button>
          <Button type="button" tone="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </Button>
        </div>
      )}
      <ActionMessage result={result} testId="unblock-result" text={(d) => [d.message, ...d.warnings].join(' ')} />
    </div>
  );
}
