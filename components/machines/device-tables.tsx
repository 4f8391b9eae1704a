import { Card } from '../ui/card';
import { formatBytes } from '../ui/format';
import { EmptyRow, Table, Td, Th } from '../ui/table';

export interface DiskView {
  target: string;
  device: string | null;
  bus: string | null;
  sourceFile: string | null;
  sourceName: string | null;
  capacityBytes: number | null;
  driverType: string | null;
}

export interface InterfaceView {
  name: string;
  bridge: string | null;
  model: string | null;
  mac: string | null;
}

export function DeviceTables({ disks, interfaces }: { disks: DiskView[]; interfaces: InterfaceView[] }) {
  return (
    <div className="grid gap-6 lg:grid-cols-[1.6fr_1fr]">
      <Card title={`Disks (${disks.length})`}>
        <Table label="Disks">
          <thead>
            <tr>
              <Th>Target</Th>
              <Th>Device</Th>
              <Th>Image</Th>
              <Th className="text-right">Capacity</Th>
            </tr>
          </thead>
          <tbody>
            {disks.length === 0 && <EmptyRow colSpan={4}>No disks in the directory.</EmptyRow>}
            {disks.map((d) => (
              <tr key={d.target}>
                <Td className="font-mono">{d.target}</Td>
                <Td>{[d.device, d.bus, d.driverType].filter(Boolean).join(' · ')}</Td>
                <Td className="break-all font-mono text-xs">{d.sourceFile ?? d.sourceName ?? '—'}</Td>
                <Td className="text-right whitespace-nowrap">{formatBytes(d.capacityBytes)}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
      <Card title={`Network interfaces (${interfaces.length})`}>
        <Table label="Network interfaces">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>MAC</Th>
              <Th>Bridge</Th>
            </tr>
          </thead>
          <tbody>
            {interfaces.length === 0 && <EmptyRow colSpan={3}>No interfaces in the directory.</EmptyRow>}
            {interfaces.map((n) => (
              <tr key={n.name}>
                <Td className="font-mono">{n.name}</Td>
                <Td className="font-mono">{n.mac ?? '—'}</Td>
                <Td>{[n.bridge, n.model].filter(Boolean).join(' · ')}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Card>
    </div>
  );
}
