import Link from 'next/link';
import { formatBytes } from '../ui/format';
import { TextLink } from '../ui/link';
import { Table, Td, Th } from '../ui/table';

export type NodeIterationRow = {
  name: string;
  /** In the directory as the machine's leaf. */
  inDirectory: boolean;
  leafMode: string | null;
  /** Only on the node, under an iteration's name (restorable from its folder). */
  onlyOnNode: boolean;
  /** The folder on the node, or null when there is none. */
  folder: { path: string; files: { name: string; sizeBytes: number; type: string }[]; totalBytes: number } | null;
};

/**
 * stoney cloud: the directory keeps only the last run; every older iteration is a folder on the
 * node. Both are listed together, marking which is which; an iteration only on the node is
 * restored from here (its open restore, if any, is linked instead).
 */
export function NodeIterations({
  uuid,
  node,
  folder,
  rows,
  mayRestore,
  openRestores,
}: {
  uuid: string;
  node: string;
  folder: string;
  rows: NodeIterationRow[];
  mayRestore: boolean;
  /** Iterations whose restore is open. */
  openRestores: string[];
}) {
  return (
    <div className="space-y-2">
      <p className="text-muted">
        Folders in <span className="font-mono text-xs">{folder}</span> on node {node}, beside the leaf in the directory.
      </p>
      <Table label="Iterations on the node">
        <thead>
          <tr>
            <Th>Iteration</Th>
            <Th>Where</Th>
            <Th>Files</Th>
            <Th className="text-right">Size</Th>
            <Th>
              <span className="sr-only">Restore</span>
            </Th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.name} data-testid="node-iteration">
              <Td className="whitespace-nowrap font-mono text-xs">
                {row.inDirectory || row.onlyOnNode ? <TextLink href={`/machines/${uuid}/iterations/${row.name}`}>{row.name}</TextLink> : row.name}
              </Td>
              <Td className="text-xs" data-testid="node-iteration-where">
                {row.inDirectory && row.folder
                  ? `directory leaf (${row.leafMode}) and folder on the node`
                  : row.inDirectory
                    ? `directory leaf only (${row.leafMode}); no folder on the node`
                    : 'only on the node'}
              </Td>
              <Td className="text-xs">
                {row.folder ? (
                  <details>
                    <summary className="cursor-pointer">{row.folder.files.length} files</summary>
                    <ul className="mt-1 space-y-0.5">
                      {row.folder.files.map((f) => (
                        <li key={f.name} className="font-mono" data-testid="node-iteration-file">
                          {f.name} <span className="text-muted" title={`${f.sizeBytes} bytes`}>{formatBytes(f.sizeBytes)}</span>
                        </li>
                      ))}
                    </ul>
                  </details>
                ) : (
                  '—'
                )}
              </Td>
              <Td className="whitespace-nowrap text-right text-xs" title={row.folder ? `${row.folder.totalBytes} bytes` : undefined}>
                {row.folder ? formatBytes(row.folder.totalBytes) : '—'}
              </Td>
              <Td className="whitespace-nowrap text-right text-xs">
                {!mayRestore || !row.onlyOnNode ? null : openRestores.includes(row.name) ? (
                  <Link href={`/machines/${uuid}/restore/${row.name}`} className="font-medium text-status-running hover:underline">
                    Open restore
                  </Link>
                ) : (
                  <Link href={`/machines/${uuid}/restore/${row.name}`} className="text-brand hover:underline" aria-label={`Restore ${row.name} from the node`}>
                    Restore…
                  </Link>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
