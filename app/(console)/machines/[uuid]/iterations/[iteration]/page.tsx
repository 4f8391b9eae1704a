import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { IterationFilesTable } from '@/components/iterations/iteration-files-table';
import { IterationState } from '@/components/iterations/iteration-state';
import { Card, Notice, PageHeader } from '@/components/ui/card';
import { formatBytes } from '@/components/ui/format';
import { TextLink } from '@/components/ui/link';
import { EntryProblems, LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { requireAccess } from '@/lib/auth/access';
import { can } from '@/lib/auth/capabilities';
import { isRestoreMode } from '@/lib/backup/modes';
import { env } from '@/lib/env';
import { toIterationRow } from '@/lib/inventory/iteration-rows';
import { loadIteration } from '@/lib/inventory/iteration';
import { iterationRef } from '@/lib/restore/service';
import { keptForIteration } from '@/lib/restore/undo-service';
import { NodeFiles } from './_components/node-files';

export const metadata: Metadata = { title: 'Iteration' };
export const dynamic = 'force-dynamic';

export default async function IterationPage({ params }: { params: Promise<{ uuid: string; iteration: string }> }) {
  const { uuid, iteration: name } = await params;
  const result = await attempt(() => loadIteration(uuid, name));
  if (!result.ok) {
    if (result.code === 'not-found') notFound();
    return <LoadError message={result.error} code={result.code} />;
  }
  const { machine, iteration, name: iterationName, folderOnNode, openRestore, files, effective, activity, kind } = result.data;
  const timeZone = env().consoleTimeZone;
  const { grants } = await requireAccess();
  const mayRestore = can(grants, 'restore', machine.poolUuid?.toLowerCase() ?? null);
  // A restore of this iteration that kept what it replaced can be undone from here (its page checks whether it still can).
  const kept = mayRestore ? await attempt(() => keptForIteration(iterationRef(machine.uuid, iterationName))) : null;
  const undo = kept?.ok && kept.data && kept.data.status !== 'undone' && kept.data.status !== 'restore-open' ? kept.data : null;
  // A leaf that holds the restore of an iteration without a leaf leads to that restore, not one of its own.
  const restoreLink = !mayRestore
    ? null
    : openRestore
      ? {
          href: `/machines/${machine.uuid}/restore/${openRestore}`,
          label: openRestore === iterationName ? 'Open the restore' : `Open the restore of ${openRestore}`,
        }
      : !iteration
        ? { href: `/machines/${machine.uuid}/restore/${iterationName}`, label: 'Restore this iteration…' }
        : iteration.mode.toLowerCase() === 'finished' || isRestoreMode(iteration.mode)
          ? {
              href: `/machines/${machine.uuid}/restore/${iteration.name}`,
              label: iteration.mode.toLowerCase() === 'finished' ? 'Restore this iteration…' : 'Open the restore',
            }
          : null;
  return (
    <>
      <PageHeader
        title={
          <>
            Iteration <span className="font-mono">{iterationName}</span>
          </>
        }
        actions={
          restoreLink || undo ? (
            <div className="flex flex-wrap gap-3">
              {undo && (
                <Link
                  href={`/machines/${machine.uuid}/restore/${iterationName}/undo`}
                  className="rounded-md border border-brand bg-surface px-4 py-2 font-semibold text-brand"
                >
                  {undo.status === 'kept' ? 'Undo this restore…' : 'Open the undo'}
                </Link>
              )}
              {restoreLink && (
                <Link href={restoreLink.href} className="rounded-md bg-brand px-4 py-2 font-semibold text-brand-ink">
                  {restoreLink.label}
                </Link>
              )}
            </div>
          ) : null
        }
        subtitle={
          <>
            <TextLink href="/machines">Machines</TextLink> / <TextLink href={`/machines/${machine.uuid}`}>{machine.name}</TextLink> /{' '}
            {iterationName}
          </>
        }
      />
      <EntryProblems problems={result.data.problems} />
      {activity && activity.kind !== 'running' && (
        <Notice tone="error" title={activity.kind === 'stuck' ? 'Stuck' : 'Failed'}>
          <p data-testid="iteration-activity">{activity.text}</p>
          {activity.next && (
            <p className="mt-1 text-sm">
              <span className="font-semibold">What to do: </span>
              {activity.next}
            </p>
          )}
        </Notice>
      )}
      {iteration && openRestore && (
        <Notice title="This leaf holds another iteration's restore">
          <p data-testid="leaf-holds-restore">
            Iteration <span className="font-mono">{openRestore}</span> exists only on the node, and its restore is open: this leaf holds the
            restore&apos;s modes until it ends (the stoney wrapper skips the machine meanwhile), then it gets its own mode, state and return
            value back.
          </p>
        </Notice>
      )}
      {!iteration ? (
        <Card title="Where this iteration stands">
          <p data-testid="only-on-node">
            <strong>Only on the node.</strong> The directory has no leaf for this iteration: the stoney wrapper keeps one leaf per machine
            (its last run) and replaces it every night, so older iterations are their folders on node {machine.node ?? 'unknown'}
            {folderOnNode ? (
              <>
                {' '}
                (<span className="font-mono text-xs">{folderOnNode.path}</span>, {folderOnNode.files.length} files,{' '}
                {formatBytes(folderOnNode.totalBytes)})
              </>
            ) : null}
            .{' '}
            {openRestore
              ? 'Its restore is open.'
              : 'It can be restored like an iteration with a leaf; the machine’s one leaf holds the restore meanwhile.'}
          </p>
        </Card>
      ) : (
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Where this iteration stands">
            <IterationState uuid={machine.uuid} initial={toIterationRow(iteration, kind)} timeZone={timeZone} />
          </Card>
          <Card title="Directory entry">
            <p className="mb-3 break-all font-mono text-xs text-muted">{iteration.dn}</p>
            <table className="w-full text-left" aria-label="Iteration attributes">
              <tbody>
                {[
                  ['sstProvisioningMode', iteration.mode],
                  ['sstProvisioningState', iteration.state],
                  ['sstProvisioningReturnValue', iteration.returnValue ?? '—'],
                  ['sstProvisioningExecutionDate', iteration.executionDate ?? '—'],
                  ['sstProvisioningExecutionTime', iteration.executionTimes.join(', ') || '—'],
                ].map(([label, value]) => (
                  <tr key={String(label)} className="border-b border-line">
                    <th scope="row" className="py-1 pr-4 font-mono text-xs font-normal text-muted">
                      {label}
                    </th>
                    <td className="py-1 font-mono text-xs">{String(value)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </div>
      )}
      <div className="mt-6">
        <Card title="Files on the node">
          {files.ok ? (
            <>
              <p className="mb-1 text-muted">
                On node <strong className="text-ink">{machine.node ?? 'unknown'}</strong>, from the{' '}
                {effective.level === 'none' ? 'default' : effective.level} backup root, the iteration folder should be:
              </p>
              <p className="mb-3 break-all font-mono text-xs" data-testid="iteration-folder">
                {files.folder}/
              </p>
              <Suspense fallback={<IterationFilesTable expected={files.files} timeZone={timeZone} />}>
                <NodeFiles view={{ machine, files }} timeZone={timeZone} />
              </Suspense>
            </>
          ) : (
            <Notice tone="warning">{files.reason}</Notice>
          )}
        </Card>
      </div>
    </>
  );
}
