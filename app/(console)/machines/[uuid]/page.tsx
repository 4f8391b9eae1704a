import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { BackupChart } from '@/components/charts/backup-chart';
import { HistoryGrid } from '@/components/charts/history-grid';
import { ConfigSummary } from '@/components/backup/config-summary';
import { ExcludeToggle } from '@/components/backup/exclude-toggle';
import { MachineScheduleView } from '@/components/backup/machine-schedule';
import { NodeIterations } from '@/components/backup/node-iterations';
import { ProgramTable } from '@/components/backup/program-table';
import { UnblockButton } from '@/components/backup/unblock-button';
import { IterationTable } from '@/components/iterations/iteration-table';
import { MachineStatusBadges } from '@/components/machines/machine-status';
import { KeptDisks } from '@/components/restore/kept-disks';
import { DeviceTables } from '@/components/machines/device-tables';
import { Card, Facts, Notice, PageHeader } from '@/components/ui/card';
import { DateTime } from '@/components/ui/date-time';
import { formatBytes } from '@/components/ui/format';
import { TextLink } from '@/components/ui/link';
import { EntryProblems, LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { requireAccess } from '@/lib/auth/access';
import { can } from '@/lib/auth/capabilities';
import { env } from '@/lib/env';
import { CLONE_REASON } from '@/lib/backup/status';
import { configRows } from '@/lib/inventory/config-rows';
import { gridNights, nightsNote } from '@/lib/inventory/history-view';
import { chartBars } from '@/lib/inventory/machine-chart';
import { toIterationRow } from '@/lib/inventory/iteration-rows';
import { loadMachine } from '@/lib/inventory/machine';
import { nodeIterationRows } from '@/lib/inventory/node-iteration-rows';
import { loadKeptDisks } from '@/lib/restore/undo-service';
import { BackupChartWithSizes } from './_components/backup-history';

export const metadata: Metadata = { title: 'Machine' };
export const dynamic = 'force-dynamic';

export default async function MachinePage({ params }: { params: Promise<{ uuid: string }> }) {
  const { uuid } = await params;
  const result = await attempt(() => loadMachine(uuid));
  if (!result.ok) {
    if (result.code === 'not-found') notFound();
    return <LoadError message={result.error} code={result.code} />;
  }
  const view = result.data;
  const { machine } = view;
  const { grants } = await requireAccess();
  const pool = machine.poolUuid?.toLowerCase() ?? null;
  const mayConfigure = can(grants, 'configure', pool);
  const mayRestore = can(grants, 'restore', pool);
  const timeZone = env().consoleTimeZone;
  const activity = view.activity;
  const nodeRows = view.nodeIterations?.ok ? nodeIterationRows(view.iterations, view.nodeIterations.folders) : [];
  const nodeFolders = view.nodeIterations?.ok ? view.nodeIterations.folders : null;
  const bars = chartBars(view.iterations, activity, nodeFolders);
  const tone =
    view.blocked || activity?.kind === 'failed' || activity?.kind === 'stuck'
      ? 'error'
      : view.protection === 'stale' || view.protection === 'never'
        ? 'warning'
        : 'info';
  const kept = await attempt(() => loadKeptDisks(machine.uuid));
  // Leaves that hold the restore of an iteration without a leaf (stoney cloud), by leaf.
  const held = view.openRestores.filter((r) => r.leaf !== r.iteration);
  const heldRestores = Object.fromEntries(held.map((r) => [r.leaf, r.iteration]));
  return (
    <>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-3">
            {machine.name}{' '}
            <MachineStatusBadges protection={view.protection} activity={activity} blocked={view.blocked} clone={view.clone} />
          </span>
        }
        subtitle={
          <>
            <TextLink href="/machines">Machines</TextLink>
            {view.pool && (
              <>
                {' '}
                / <TextLink href={`/pools/${view.pool.uuid}`}>{view.pool.name}</TextLink>
              </>
            )}{' '}
            / <span className="font-mono text-xs">{machine.uuid}</span>
          </>
        }
      />
      <Notice tone={tone} title="Backup status">
        <p data-testid="status-reason">{view.protectionReason}</p>
        {view.blocked && (
          <p className="mt-2 font-medium" data-testid="status-blocked">
            Blocked: {view.blocked}
          </p>
        )}
        {activity && (
          <div className="mt-2 space-y-1" data-testid="status-activity">
            <p className="font-medium">{activity.text}</p>
            {activity.since && (
              <p className="text-sm">
                In mode <span className="font-mono">{activity.mode}</span> since <DateTime value={activity.since} timeZone={timeZone} />.
              </p>
            )}
            {activity.limit && activity.kind !== 'stuck' && (
              <p className="text-sm text-muted">It counts as stuck after {activity.limit.basis}.</p>
            )}
            {activity.next && (
              <p className="text-sm" data-testid="status-next">
                <span className="font-semibold">What to do: </span>
                {activity.next}
              </p>
            )}
            <p className="text-sm">
              <TextLink href={`/machines/${machine.uuid}/iterations/${activity.iteration}`}>Iteration {activity.iteration}</TextLink>
            </p>
          </div>
        )}
        {view.protection === 'never' && (
          <p className="mt-2 text-sm text-muted" data-testid="status-objective">
            Recovery point objective: {view.objective.text}.
          </p>
        )}
        <p className="mt-2" data-testid="backup-verdict">
          <span className="font-medium">{view.verdict.backedUp ? 'Backed up by its scheduler: ' : 'Not backed up: '}</span>
          {view.verdict.reason} <span className="text-muted">({view.kindLabel} rules)</span>
        </p>
        {mayConfigure && <UnblockButton uuid={machine.uuid} blocked={view.verdict.blocked} />}
      </Notice>
      {view.nameMismatches.length > 0 && (
        <Notice tone="warning" title="Iteration names that do not fit the plan">
          <ul className="list-disc pl-5" data-testid="name-mismatches">
            {view.nameMismatches.slice(0, 10).map((m) => (
              <li key={m.name}>{m.problem}</li>
            ))}
          </ul>
        </Notice>
      )}
      {held.map((r) => (
        <Notice key={r.iteration} title="A restore from the node is open">
          <p data-testid="restore-from-node">
            {machine.name} is being restored from iteration <span className="font-mono">{r.iteration}</span>, which exists only on the node.
            Its leaf <span className="font-mono">{r.leaf}</span> holds the restore&apos;s modes until it ends, so the stoney wrapper skips
            the machine meanwhile; then the leaf gets its own mode, state and return value back.{' '}
            {mayRestore && <TextLink href={`/machines/${machine.uuid}/restore/${r.iteration}`}>Open the restore</TextLink>}
          </p>
        </Notice>
      ))}
      <EntryProblems problems={view.problems} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Machine">
          <Facts
            items={[
              {
                label: 'Pool',
                value: view.pool ? <TextLink href={`/pools/${view.pool.uuid}`}>{view.pool.name}</TextLink> : (machine.poolUuid ?? '—'),
              },
              { label: 'Node', value: machine.node ?? '—' },
              { label: 'Type', value: [machine.type, machine.subType].filter(Boolean).join(' · ') || '—' },
              { label: 'State (directory)', value: machine.runState ?? '—' },
              { label: 'Memory', value: formatBytes(machine.memoryBytes) },
              { label: 'vCPUs', value: machine.vcpus ?? '—' },
              {
                label: 'MAC / fixed IP',
                value: view.dhcp ? `${view.dhcp.mac ?? '—'} / ${view.dhcp.fixedAddress ?? '—'}` : 'no DHCP reservation',
              },
              { label: 'Last good backup', value: <DateTime value={view.lastGood} timeZone={timeZone} /> },
              { label: 'DN', value: <span className="break-all font-mono text-xs">{machine.dn}</span> },
            ]}
          />
        </Card>
        <Card title="Backup configuration">
          <ConfigSummary
            level={view.effective.level}
            reason={view.effective.reason}
            entryDn={view.effective.entry?.dn ?? null}
            rows={configRows(view.effective)}
            warnings={[...view.effective.warnings, ...view.planWarnings]}
            planText={view.planText}
          />
          <p className="mt-3">
            <span className="text-muted">Excluded from backup: </span>
            <span data-testid="excluded">
              {view.clone
                ? 'yes: it is a dynamic clone, which fc-brokerd never backs up'
                : view.effective.excluded
                  ? `yes (flag set on the ${view.effective.excludedBy} level)`
                  : 'no'}
            </span>
          </p>
          <p className="text-xs text-muted" data-testid="exclusion-reason">
            {view.effective.exclusionReason}
          </p>
          <div className="mt-3">
            <ProgramTable rows={view.programs} />
          </div>
          <div className="mt-3">
            <MachineScheduleView schedule={view.schedule} />
          </div>
          <div className="mt-4 space-y-3 border-t border-line pt-3">
            {view.clone ? (
              <p className="text-muted" data-testid="clone-note">
                {CLONE_REASON} The console writes no backup configuration under it; configure the golden image or the pool instead.{' '}
                <TextLink href={`/audit?machine=${machine.uuid}`}>Change history</TextLink>
              </p>
            ) : (
              <p className="flex flex-wrap gap-4">
                {mayConfigure && <TextLink href={`/machines/${machine.uuid}/backup`}>Edit backup configuration</TextLink>}
                <TextLink href={`/audit?machine=${machine.uuid}`}>Change history</TextLink>
              </p>
            )}
            {view.clone || !mayConfigure ? null : view.effective.excluded && view.effective.excludedBy !== 'machine' ? (
              <p className="text-muted">Excluded by the {view.effective.excludedBy} configuration; include it there.</p>
            ) : (
              <ExcludeToggle target={{ level: 'machine', uuid: machine.uuid }} excluded={view.effective.excluded} />
            )}
          </div>
        </Card>
      </div>
      {view.nodeIterations && (
        <div className="mt-6">
          <Card title={`Iterations on the node (${nodeRows.filter((r) => r.folder).length} folders)`}>
            {view.nodeIterations.ok ? (
              view.nodeIterations.exists ? (
                <NodeIterations
                  uuid={machine.uuid}
                  node={view.nodeIterations.node}
                  folder={view.nodeIterations.machineFolder}
                  rows={nodeRows}
                  mayRestore={mayRestore}
                  openRestores={view.openRestores.map((r) => r.iteration)}
                />
              ) : (
                <p className="text-muted">
                  Node {view.nodeIterations.node} has no folder{' '}
                  <span className="font-mono text-xs">{view.nodeIterations.machineFolder}</span>: no backup of this machine is there.
                </p>
              )
            ) : (
              <p className="text-status-failed" data-testid="node-iterations-error">
                The folders on the node could not be listed: {view.nodeIterations.reason}
              </p>
            )}
          </Card>
        </div>
      )}
      {(!kept.ok || kept.data.length > 0) && (
        <div className="mt-6">
          <Card title="Kept disks (to undo a restore)">
            {kept.ok ? (
              <KeptDisks uuid={machine.uuid} views={kept.data} mayRestore={mayRestore} timeZone={timeZone} />
            ) : (
              <p className="text-status-failed">The kept disks could not be read: {kept.error}</p>
            )}
          </Card>
        </div>
      )}
      <div className="mt-6">
        <Card title="Backups over time">
          {nodeFolders ? (
            <BackupChart
              id="backup-chart"
              machineUuid={machine.uuid}
              bars={bars}
              sizes={{ state: 'ok', sizes: Object.fromEntries(nodeFolders.map((f) => [f.name, f.totalBytes])) }}
            />
          ) : (
            <Suspense fallback={<BackupChart id="backup-chart" machineUuid={machine.uuid} bars={bars} sizes={{ state: 'loading' }} />}>
              <BackupChartWithSizes view={view} bars={bars} />
            </Suspense>
          )}
          <div className="mt-4">
            <h3 className="mb-1 font-semibold">The last {view.nights.length} nights</h3>
            <p className="mb-2 text-muted">{nightsNote(view.kind, env().nodeTimeZone)}</p>
            <HistoryGrid
              id="machine-nights"
              title={`${machine.name}, night by night`}
              nights={gridNights(view.nights)}
              rows={[{ key: machine.uuid, label: machine.name, cells: view.history }]}
            />
          </div>
        </Card>
      </div>
      <div className="mt-6">
        <Card title={`Backup iterations in the directory (${view.iterations.length})`}>
          <IterationTable
            uuid={machine.uuid}
            initial={view.iterations.map((i) => toIterationRow(i, view.kind))}
            timeZone={timeZone}
            mayRestore={mayRestore}
            heldRestores={heldRestores}
            stuck={activity?.kind === 'stuck' ? activity.iteration : null}
          />
        </Card>
      </div>
      <div className="mt-6">
        <DeviceTables disks={view.disks} interfaces={view.interfaces} />
      </div>
      <div className="mt-6">
        <Card title="Directory attributes">
          <details>
            <summary className="cursor-pointer text-brand">Show all {machine.attributes.length} attributes of the machine entry</summary>
            <table className="mt-3 w-full text-left" aria-label="Directory attributes">
              <tbody>
                {machine.attributes.map((a) => (
                  <tr key={a.name} className="border-b border-line">
                    <th scope="row" className="py-1 pr-4 align-top font-mono text-xs font-normal text-muted">
                      {a.name}
                    </th>
                    <td className="py-1 font-mono text-xs break-all">{a.values.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </Card>
      </div>
    </>
  );
}
