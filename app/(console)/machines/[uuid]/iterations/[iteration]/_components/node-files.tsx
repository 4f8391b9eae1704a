import { IterationFilesTable } from '@/components/iterations/iteration-files-table';
import type { IterationView } from '@/lib/inventory/iteration';
import { readIterationFilesOnNode } from '@/lib/inventory/iteration-node-files';

/**
 * Asks the node which of the iteration's files it has. Rendered inside <Suspense>, so an
 * unreachable node (which can take NODE_SSH_TIMEOUT_MS to say so) never holds up the page.
 */
export async function NodeFiles({ view, timeZone }: { view: Pick<IterationView, 'machine' | 'files'>; timeZone: string }) {
  const result = await readIterationFilesOnNode(view);
  return <IterationFilesTable expected={view.files.ok ? view.files.files : []} result={result} timeZone={timeZone} />;
}
