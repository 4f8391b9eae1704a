import { LEVEL_WORDS, type ProgramRow } from '@/lib/backup/programs';
import { Table, Td, Th } from '../ui/table';

export type ProgramRowView = ProgramRow;

/** Which program of the installation reads which level: no program merges levels, and they do not agree. */
export function ProgramTable({ rows }: { rows: ProgramRowView[] }) {
  return (
    <Table label="Which program reads which level">
      <thead>
        <tr>
          <Th>Program</Th>
          <Th>Reads</Th>
          <Th>From</Th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.program} data-testid="program-row">
            <Td className="font-medium">{row.program}</Td>
            <Td className="text-xs">{row.reads}</Td>
            <Td className="text-xs">
              <span className="font-medium" data-testid="program-level">
                {LEVEL_WORDS[row.level]}
              </span>
              <p className="text-muted">{row.reason}</p>
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
