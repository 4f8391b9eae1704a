import type { IterationFile } from '@/lib/backup/iteration-files';
import type { IterationFilesOnNode } from '@/lib/inventory/iteration-node-files';
import { Notice } from '../ui/card';
import { DateTime } from '../ui/date-time';
import { formatBytes } from '../ui/format';
import { StatusBadge } from '../ui/status-badge';
import { Table, Td, Th } from '../ui/table';

const KINDS = { xml: 'libvirt domain XML', ldif: 'directory export (LDIF)', state: 'saved machine state', disk: 'disk image' } as const;

function What({ file }: { file: IterationFile }) {
  return (
    <>
      {KINDS[file.kind]}
      {file.disk ? ` (${file.disk})` : ''}
      {file.kind === 'state' ? ' — or a short text saying the machine was not running' : ''}
    </>
  );
}

/**
 * The files an iteration should have, and what the node holds under those names. `result`
 * undefined means the node is still being asked (the table shows the expected files only).
 */
export function IterationFilesTable({
  expected,
  result,
  timeZone,
}: {
  expected: IterationFile[];
  result?: IterationFilesOnNode;
  timeZone: string;
}) {
  const onNode = result?.ok ? new Map(result.files.map((f) => [f.name, f.onNode])) : null;
  const missing = result?.ok ? result.files.filter((f) => !f.onNode.exists).length : 0;
  return (
    <>
      {result === undefined && (
        <p className="mb-3 text-muted" role="status">
          Asking the node which of these files it has…
        </p>
      )}
      {result && !result.ok && (
        <Notice tone="warning" title={result.node ? `Node ${result.node} could not be asked` : 'The node cannot be asked'}>
          <p data-testid="node-files-error">{result.reason}</p>
        </Notice>
      )}
      {result?.ok && !result.folderExists && (
        <Notice tone="warning" title="The folder does not exist on the node">
          <p data-testid="node-files-summary">
            Node {result.node} has no folder {result.folder}: none of this iteration&apos;s files are there.
          </p>
        </Notice>
      )}
      {result?.ok && result.folderExists && (
        <p className="mb-3" data-testid="node-files-summary">
          {missing === 0 ? (
            <>
              All {result.files.length} files are on node {result.node}.
            </>
          ) : (
            <span className="text-status-failed">
              {missing} of {result.files.length} files are missing on node {result.node}.
            </span>
          )}
        </p>
      )}
      <Table label="Expected files">
        <thead>
          <tr>
            <Th>File</Th>
            <Th>What it holds</Th>
            <Th>On the node</Th>
            <Th>Modified</Th>
          </tr>
        </thead>
        <tbody>
          {expected.map((f) => {
            const found = onNode?.get(f.name);
            return (
              <tr key={f.name} data-file-kind={f.kind}>
                <Td className="break-all font-mono text-xs">{f.name}</Td>
                <Td>
                  <What file={f} />
                </Td>
                <Td className="whitespace-nowrap" data-testid="file-on-node">
                  {found === undefined ? (
                    <span className="text-muted">—</span>
                  ) : found.exists ? (
                    <span title={`${found.sizeBytes} bytes`}>{formatBytes(found.sizeBytes)}</span>
                  ) : (
                    <StatusBadge tone="failed">missing</StatusBadge>
                  )}
                </Td>
                <Td>{found?.exists ? <DateTime value={found.modifiedAt} timeZone={timeZone} /> : <span className="text-muted">—</span>}</Td>
              </tr>
            );
          })}
        </tbody>
      </Table>
      {result?.ok && result.others.length > 0 && (
        <div className="mt-4">
          <p className="mb-2 text-muted">Other entries in the folder, not part of this iteration:</p>
          <Table label="Other files in the folder">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Type</Th>
                <Th>Size</Th>
              </tr>
            </thead>
            <tbody>
              {result.others.map((o) => (
                <tr key={o.name}>
                  <Td className="break-all font-mono text-xs">{o.name}</Td>
                  <Td>{o.type}</Td>
                  <Td>{formatBytes(o.sizeBytes)}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
    </>
  );
}
