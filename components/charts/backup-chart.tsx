'use client';

import type { ChartBar } from '@/lib/inventory/machine-chart';
import { ChartFrame } from './chart-frame';
import { formatBytes, formatDuration } from '../ui/format';

/**
 * A machine's backups over time: one bar per iteration, its steps stacked (snapshot, merge,
 * retain, as long as the node daemon recorded them), the result below it as a coloured and
 * patterned mark with a letter, and the iteration's size on the node where the node told it.
 */

export type ChartSizes = { state: 'loading' } | { state: 'unavailable'; reason: string } | { state: 'ok'; sizes: Record<string, number> };

const STEPS = [
  { key: 'snapshot', label: 'snapshot', fill: '#1f5f8b' },
  { key: 'merge', label: 'merge', fill: 'url(#STEP-merge)' },
  { key: 'retain', label: 'retain', fill: 'url(#STEP-retain)' },
] as const;

const RESULT_MARK: Readonly<Record<ChartBar['result'], string>> = { good: '✓', failed: '✕', stuck: '!', running: '…', unrecorded: '?' };

const LEFT = 64;
const COL = 52;
const BAR_W = 34;
const PLOT_H = 150;
const TOP = 10;

/** Axis ticks: "0", "5 min", "2 h", "1 h 30 min". */
function axisLabel(seconds: number): string {
  if (seconds === 0) return '0';
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  if (h === 0) return m > 0 ? `${m} min` : `${Math.round(seconds)} s`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

function niceMax(seconds: number): number {
  const steps = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  return steps.find((s) => s >= seconds) ?? Math.ceil(seconds / 86400) * 86400;
}

function barText(bar: ChartBar, size: number | null | undefined): string {
  const parts = STEPS.filter((s) => bar.steps[s.key] !== null).map((s) => `${s.label} ${formatDuration(bar.steps[s.key] ?? 0)}`);
  if (bar.steps.downtime !== null) parts.push(`downtime ${formatDuration(bar.steps.downtime)}`);
  const sizeText = size === undefined ? '' : size === null ? '; size not known' : `; ${formatBytes(size)} on the node`;
  return `${bar.name} (${bar.date}): ${bar.resultText}; ${parts.length > 0 ? parts.join(', ') : 'no step times recorded'}${sizeText}`;
}

export function BackupChart({ id, machineUuid, bars, sizes }: { id: string; machineUuid: string; bars: ChartBar[]; sizes: ChartSizes }) {
  const total = (b: ChartBar) => (b.steps.snapshot ?? 0) + (b.steps.merge ?? 0) + (b.steps.retain ?? 0);
  const max = niceMax(Math.max(60, ...bars.map(total)));
  const sizeOf = (b: ChartBar): number | null | undefined => (sizes.state === 'ok' ? (sizes.sizes[b.name] ?? null) : undefined);
  const maxSize = sizes.state === 'ok' ? Math.max(1, ...bars.map((b) => sizeOf(b) ?? 0)) : 1;
  const width = LEFT + Math.max(1, bars.length) * COL + 10;
  const markY = TOP + PLOT_H + 8;
  const sizeTop = markY + 44;
  const height = sizeTop + 40;
  const y = (seconds: number) => TOP + PLOT_H - (seconds / max) * PLOT_H;
  return (
    <ChartFrame label="Backups over time" className="overflow-x-auto">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} className="block font-sans" data-testid={`${id}-svg`}>
        <defs>
          <pattern id={`${id}-merge`} width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="5" height="5" fill="#8fb1d0" />
            <path d="M0 0V5" stroke="#1f5f8b" strokeWidth="1.6" />
          </pattern>
          <pattern id={`${id}-retain`} width="4" height="4" patternUnits="userSpaceOnUse">
            <rect width="4" height="4" fill="#d5e2ee" />
            <circle cx="2" cy="2" r="1" fill="#1f5f8b" />
          </pattern>
        </defs>
        <g aria-hidden fontSize="9" fill="#5b6676">
          {[0, max / 2, max].map((s) => (
            <g key={s}>
              <line x1={LEFT - 4} x2={width - 6} y1={y(s)} y2={y(s)} stroke="#dde3ea" />
              <text x={LEFT - 8} y={y(s) + 3} textAnchor="end">
                {axisLabel(s)}
              </text>
            </g>
          ))}
          <text x={0} y={markY + 12}>result</text>
          <text x={0} y={sizeTop + 14}>size on node</text>
        </g>
        <g data-row="iterations">
          {bars.map((bar, i) => {
            const x = LEFT + i * COL + (COL - BAR_W) / 2;
            let top = TOP + PLOT_H;
            const size = sizeOf(bar);
            // Only an iteration the directory has has a page; a folder on the node alone is a plain cell.
            const Cell = bar.inDirectory ? 'a' : 'g';
            return (
              <Cell
                key={bar.name}
                {...(bar.inDirectory ? { href: `/machines/${machineUuid}/iterations/${bar.name}` } : { role: 'img' })}
                data-cell
                data-iteration={bar.name}
                data-result={bar.result}
                aria-label={barText(bar, size)}
                tabIndex={i === bars.length - 1 ? 0 : -1}
                className="outline-none [&:focus>rect:first-child]:stroke-ink"
              >
                <rect x={x - 4} y={TOP} width={BAR_W + 8} height={sizeTop + 34 - TOP} fill="transparent" strokeWidth={2} />
                {STEPS.map((s) => {
                  const seconds = bar.steps[s.key] ?? 0;
                  if (seconds <= 0) return null;
                  const h = Math.max(1, (seconds / max) * PLOT_H);
                  top -= h;
                  return <rect key={s.key} data-step={s.key} x={x} y={top} width={BAR_W} height={h} fill={s.fill.replace('STEP', id)} stroke="#1f5f8b" strokeWidth={0.5} />;
                })}
                <rect className="night-fill" data-state={bar.result} x={x} y={markY} width={BAR_W} height={14} rx={2} />
                <text x={x + BAR_W / 2} y={markY + 26} fontSize="10" textAnchor="middle" fill="#1c2430" aria-hidden>
                  {RESULT_MARK[bar.result]} {bar.date}
                </text>
                {size !== undefined && size !== null && (
                  <>
                    <rect x={x} y={sizeTop + 20 - (size / maxSize) * 18} width={BAR_W} height={Math.max(1, (size / maxSize) * 18)} fill="#b8c2ce" />
                    <text x={x + BAR_W / 2} y={sizeTop + 32} fontSize="8.5" textAnchor="middle" fill="#1c2430" aria-hidden data-size={size}>
                      {formatBytes(size)}
                    </text>
                  </>
                )}
              </Cell>
            );
          })}
        </g>
        {bars.length === 0 && (
          <text x={LEFT} y={TOP + PLOT_H / 2} fontSize="12" fill="#5b6676">
            No iteration in the directory yet.
          </text>
        )}
      </svg>
      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted" aria-label="Legend">
        {STEPS.map((s) => (
          <li key={s.key} className="flex items-center gap-1.5">
            <svg width="14" height="14" aria-hidden>
              <rect x="0.5" y="0.5" width="13" height="13" fill={s.fill.replace('STEP', id)} stroke="#1f5f8b" strokeWidth={0.5} />
            </svg>
            {s.label}
          </li>
        ))}
        <li>result: ✓ good · ✕ failed · ! stuck · … running{bars.some((b) => !b.inDirectory) && ' · ? only a folder on the node (no record in the directory)'}</li>
        <li data-testid={`${id}-sizes`}>
          {sizes.state === 'loading' ? 'sizes: asking the node…' : sizes.state === 'unavailable' ? `sizes not shown: ${sizes.reason}` : 'sizes: apparent bytes of each iteration folder on the node'}
        </li>
      </ul>
    </ChartFrame>
  );
}
