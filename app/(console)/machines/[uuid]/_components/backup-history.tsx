import { BackupChart } from '@/components/charts/backup-chart';
import type { ChartBar } from '@/lib/inventory/machine-chart';
import { readIterationSizes } from '@/lib/inventory/iteration-sizes';
import type { MachineView } from '@/lib/inventory/machine';

/**
 * The chart with each iteration's size, asked from the node. Rendered inside <Suspense> with
 * the chart without sizes as fallback, so a slow or unreachable node never holds up the page.
 */
export async function BackupChartWithSizes({ view, bars }: { view: Pick<MachineView, 'machine' | 'disks' | 'effective'>; bars: ChartBar[] }) {
  const sizes = await readIterationSizes(view);
  return (
    <BackupChart
      id="backup-chart"
      machineUuid={view.machine.uuid}
      bars={bars}
      sizes={sizes.ok ? { state: 'ok', sizes: sizes.sizes } : { state: 'unavailable', reason: sizes.reason }}
    />
  );
}
