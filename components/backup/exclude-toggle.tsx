'use client';

import { useState, useTransition } from 'react';
import { setBackupExcludedAction } from '@/app/(console)/_backup/actions';
import { ActionMessage } from '../ui/action-message';
import { Button } from '../ui/field';

type Result = Awaited<ReturnType<typeof setBackupExcludedAction>>;

/** Excludes a machine or pool from backup, or includes it again; says what it did. */
export function ExcludeToggle({ target, excluded }: { target: { level: 'machine' | 'pool'; uuid: string }; excluded: boolean }) {
  const [result, setResult] = useState<Result | null>(null);
  const [pending, startTransition] = useTransition();
  const intent = excluded ? 'include' : 'exclude';
  return (
    <div className="space-y-2">
      <Button
        type="button"
        tone={excluded ? 'primary' : 'danger'}
        pending={pending}
        pendingLabel="Working…"
        onClick={() => startTransition(async () => setResult(await setBackupExcludedAction({ ...target, intent })))}
      >
        {excluded ? `Include this ${target.level} in backups again` : `Exclude this ${target.level} from backup`}
      </Button>
      <ActionMessage result={result} testId="exclude-result" text={(d) => [d.message, ...d.warnings].join(' ')} />
    </div>
  );
}
