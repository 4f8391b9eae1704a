import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { UndoPanel } from '@/components/restore/undo-panel';
import { PageHeader } from '@/components/ui/card';
import { TextLink } from '@/components/ui/link';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { env } from '@/lib/env';
import { iterationRef } from '@/lib/restore/service';
import { loadUndoPage } from '@/lib/restore/undo-service';

export const metadata: Metadata = { title: 'Undo a restore' };
export const dynamic = 'force-dynamic';

export default async function UndoPage({ params }: { params: Promise<{ uuid: string; iteration: string }> }) {
  const { uuid, iteration } = await params;
  const result = await attempt(() => loadUndoPage(iterationRef(uuid, iteration)));
  if (!result.ok) {
    if (result.code === 'not-found') notFound();
    return <LoadError message={result.error} code={result.code} />;
  }
  const { view } = result.data;
  return (
    <>
      <PageHeader
        title={
          <>
            Undo the restore of {view.machineName} <span className="font-normal text-muted">from iteration</span>{' '}
            <span className="font-mono">{iteration}</span>
          </>
        }
        subtitle={
          <>
            <TextLink href="/machines">Machines</TextLink> / <TextLink href={`/machines/${view.machineUuid}`}>{view.machineName}</TextLink>{' '}
            / <TextLink href={`/machines/${view.machineUuid}/iterations/${iteration}`}>{iteration}</TextLink> /{' '}
            <TextLink href={`/machines/${view.machineUuid}/restore/${iteration}`}>restore</TextLink> / undo
          </>
        }
      />
      <UndoPanel data={result.data} timeZone={env().consoleTimeZone} />
    </>
  );
}
