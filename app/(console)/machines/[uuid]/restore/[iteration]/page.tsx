import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { RestoreWizard } from '@/components/restore/restore-wizard';
import { PageHeader } from '@/components/ui/card';
import { TextLink } from '@/components/ui/link';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { env } from '@/lib/env';
import { iterationRef, loadConflicts, loadPreflight, readRestoreStatus } from '@/lib/restore/service';

export const metadata: Metadata = { title: 'Restore' };
export const dynamic = 'force-dynamic';

export default async function RestorePage({ params }: { params: Promise<{ uuid: string; iteration: string }> }) {
  const { uuid, iteration } = await params;
  const status = await attempt(() => readRestoreStatus(iterationRef(uuid, iteration)));
  if (!status.ok) {
    if (status.code === 'not-found') notFound();
    return <LoadError message={status.error} code={status.code} />;
  }
  const ref = iterationRef(uuid, iteration);
  const stage = status.data.view.stage;
  const preflight = stage === 'not-a-restore' || stage === 'finished' ? await attempt(() => loadPreflight(ref)) : null;
  const conflicts = stage === 'deciding' || stage === 'confirming' ? await attempt(() => loadConflicts(ref)) : null;
  const problem = (preflight && !preflight.ok && preflight.error) || (conflicts && !conflicts.ok && conflicts.error) || null;
  const { machine } = status.data;
  return (
    <>
      <PageHeader
        title={
          <>
            Restore {machine.name} <span className="font-normal text-muted">from iteration</span>{' '}
            <span className="font-mono">{iteration}</span>
          </>
        }
        subtitle={
          <>
            <TextLink href="/machines">Machines</TextLink> / <TextLink href={`/machines/${machine.uuid}`}>{machine.name}</TextLink> /{' '}
            <TextLink href={`/machines/${machine.uuid}/iterations/${iteration}`}>{iteration}</TextLink> / restore
          </>
        }
      />
      {problem && <LoadError message={problem} />}
      <RestoreWizard
        status={status.data}
        preflight={preflight?.ok ? preflight.data : null}
        conflicts={conflicts?.ok ? conflicts.data : null}
        timeZone={env().consoleTimeZone}
      />
    </>
  );
}
