import type { Metadata } from 'next';
import { NodeList } from '@/components/nodes/node-list';
import { PageHeader } from '@/components/ui/card';
import { EntryProblems, LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { env } from '@/lib/env';
import { loadNodes } from '@/lib/inventory/nodes';

export const metadata: Metadata = { title: 'Nodes' };
export const dynamic = 'force-dynamic';

export default async function NodesPage() {
  const result = await attempt(loadNodes);
  if (!result.ok) return <LoadError message={result.error} code={result.code} />;
  const view = result.data;
  return (
    <>
      <PageHeader
        title="Nodes"
        subtitle={`${view.nodes.length} VM nodes · ${view.nodes.filter((n) => n.reachable).length} reachable over SSH`}
      />
      <EntryProblems problems={view.problems} />
      <NodeList initial={view} timeZone={env().consoleTimeZone} />
    </>
  );
}
