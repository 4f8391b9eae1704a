'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Preflight } from '@/lib/restore/phase1';
import type { ConflictDto, RestoreStatus } from '@/lib/restore/service';
import { Card, Notice } from '../ui/card';
import { ConflictForm } from './conflict-form';
import { FailurePanel, ForeignPanel } from './failure-panel';
import { JournalList } from './journal-list';
import { PlanPanel } from './plan-panel';
import { PreflightPanel } from './preflight-panel';
import { ProgressPanel } from './progress-panel';
import { StepsList } from './steps-list';

const RUNNING = new Set(['copying-small-files', 'copying-large-files', 'restoring']);

async function fetchStatus(uuid: string, iteration: string): Promise<RestoreStatus> {
  const response = await fetch(`/api/restore/${encodeURIComponent(uuid)}/${encodeURIComponent(iteration)}`, { cache: 'no-store' });
  if (!response.ok) throw new Error((await response.json().catch(() => null))?.error ?? `The console answered ${response.status}.`);
  return (await response.json()) as RestoreStatus;
}

/** The restore page: the server renders the current stage; while something runs it polls and re-renders when the stage changes. */
export function RestoreWizard({
  status: initial,
  preflight,
  conflicts,
  timeZone,
}: {
  status: RestoreStatus;
  preflight: Preflight | null;
  conflicts: ConflictDto | null;
  timeZone: string;
}) {
  const router = useRouter();
  const { uuid } = initial.machine;
  const { iteration } = initial;
  const query = useQuery({
    queryKey: ['restore', uuid, iteration],
    queryFn: () => fetchStatus(uuid, iteration),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && RUNNING.has(q.state.data.view.stage) ? 1500 : false),
  });
  const status = query.data;
  const stage = status.view.stage;
  useEffect(() => {
    if (stage !== initial.view.stage) router.refresh();
  }, [stage, initial.view.stage, router]);
  const [editing, setEditing] = useState(false);

  return (
    <div className="grid gap-6 lg:grid-cols-[1fr_2fr]">
      <div className="space-y-6">
        <Card title="Steps">
          <StepsList steps={status.view.steps} />
          {status.view.driver && RUNNING.has(stage) && (
            <p className="mt-3 text-xs text-muted">
              Driven by console instance {status.view.driver.instance}
              {status.view.driver.stale ? ' (not heard from recently: another instance will take over)' : ''}.
            </p>
          )}
        </Card>
        {status.journal.length > 0 && (
          <Card title="Journal">
            <JournalList records={status.journal} timeZone={timeZone} />
          </Card>
        )}
      </div>
      <div className="space-y-6">
        {query.isError && <Notice tone="warning">Refreshing failed: {query.error.message}</Notice>}
        {(stage === 'not-a-restore' || stage === 'finished') && preflight && (
          <Card title="Pre-flight checks">
            <PreflightPanel uuid={uuid} iteration={iteration} preflight={preflight} />
          </Card>
        )}
        {stage === 'copying-small-files' && <Notice>Copying the domain XML and the LDIF into the retain folder…</Notice>}
        {(stage === 'deciding' || (stage === 'confirming' && editing)) && conflicts && (
          <Card title="Conflicts: backup against live machine">
            <ConflictForm uuid={uuid} iteration={iteration} data={conflicts} />
          </Card>
        )}
        {stage === 'confirming' && !editing && conflicts && (
          <Card title="The plan">
            <PlanPanel uuid={uuid} iteration={iteration} data={conflicts} onChange={() => setEditing(true)} />
          </Card>
        )}
        {stage === 'copying-large-files' && (
          <Card title="Phase 2: unretaining the large files">
            {status.progress ? <ProgressPanel progress={status.progress} /> : <p>Preparing the copy…</p>}
          </Card>
        )}
        {stage === 'restoring' && <Notice>Restoring the machine on {status.machine.node}. This runs on the server; you may close this page.</Notice>}
        {stage === 'foreign' && <ForeignPanel uuid={uuid} iteration={iteration} mode={status.view.mode} canAbort={status.view.canAbort} />}
        {stage === 'failed' && <FailurePanel uuid={uuid} iteration={iteration} view={status.view} />}
        {stage === 'finished' && (
          <Notice title="Restore finished">
            <p data-testid="restore-finished">
              {status.machine.name} was restored from iteration {iteration}. <Link className="text-brand underline" href={`/machines/${uuid}`}>Back to the machine</Link>
            </p>
          </Notice>
        )}
      </div>
    </div>
  );
}
