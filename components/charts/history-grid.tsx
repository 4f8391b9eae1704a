'use client';

import { expandCounts, totalsText, type GridNight, type GridRow, type NightCounts } from '@/lib/inventory/history-view';
import { NIGHT_LABELS, NIGHT_STATES, nightStateOf, type NightState } from '@/lib/backup/night-states';
import { ChartFrame } from './chart-frame';
import { NightLegend } from './night-patterns';

/**
 * The last nights of many machines (or pools) as a grid: a row each, a column per night, and
 * per night the totals below. Rendered on the server like every component; it is a client
 * component so that the page sends each row as one short string (and a pool's counts as
 * numbers) instead of hundreds of SVG elements, and for the tooltips and arrow keys. Each cell
 * carries only its position, its state and its words; its fill comes from the console's style
 * sheet (night-patterns.tsx), which keeps a page of a thousand cells small.
 */

export type { GridNight, GridRow };

const LABEL_W = 200;
const COL = 24;
/** A cell is CELL - 1 wide and CELL - 3 high, set in app/globals.css (.night-cell). */
const CELL = 18;
const ROW = 20;
const HEAD = 30;
const BAR = 44;

const TOTAL_ROWS: readonly { key: string; label: string; states: NightState[] }[] = [
  { key: 'good', label: 'good', states: ['good'] },
  { key: 'failed', label: 'failed or stuck', states: ['failed', 'stuck'] },
  { key: 'missing', label: 'missing', states: ['missing'] },
  { key: 'excluded', label: 'excluded', states: ['excluded'] },
];
const BAR_STATES: readonly NightState[] = ['good', 'running', 'failed', 'stuck', 'missing', 'excluded'];
const STATE_INDEX = Object.fromEntries(NIGHT_STATES.map((s, i) => [s, i])) as Record<NightState, number>;

const short = (text: string, max = 28) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function HistoryGrid({
  id,
  title,
  nights,
  rows,
  totals,
  totalsLabel = 'All machines',
}: {
  id: string;
  title: string;
  nights: GridNight[];
  rows: GridRow[];
  /** Per night, the counts of the whole group (NIGHT_STATES order). */
  totals?: NightCounts;
  totalsLabel?: string;
}) {
  const width = LABEL_W + nights.length * COL + 8;
  const gridTop = HEAD;
  const totalsTop = gridTop + rows.length * ROW + (rows.length > 0 ? 14 : 0);
  const height = totals ? totalsTop + BAR + TOTAL_ROWS.length * 14 + 22 : gridTop + rows.length * ROW + 4;
  const x = (i: number) => LABEL_W + i * COL;
  const sum = (counts: readonly number[], states: readonly NightState[]) => states.reduce((a, s) => a + (counts[STATE_INDEX[s]] ?? 0), 0);
  const maxTotal = totals ? Math.max(1, ...totals.map((t) => sum(t, BAR_STATES))) : 1;
  // Only the first cell is in the tab order; ChartFrame's arrow keys hand the stop on (setting
  // tabindex as they go), so the other cells need no attribute of their own.
  let tabbed = false;
  const tabIndex = () => {
    if (tabbed) return undefined;
    tabbed = true;
    return 0;
  };
  return (
    <ChartFrame label={title} className="overflow-x-auto">
      <svg id={id} width={width} height={height} viewBox={`0 0 ${width} ${height}`} className="block font-sans" data-testid={`${id}-svg`}>
        <g aria-hidden fill="#5b6676" fontSize="9">
          {nights.map((n, i) => (
            <g key={n.date}>
              {n.weekend && <rect x={x(i) - 2} y={HEAD - 12} width={COL} height={height - HEAD + 12} fill="#f4f6f8" />}
              {(i === 0 || n.dayOfMonth === 1) && (
                <text x={x(i)} y={9}>
                  {n.monthName}
                </text>
              )}
              <text x={x(i) + CELL / 2} y={HEAD - 4} textAnchor="middle">
                {n.dayOfMonth}
              </text>
            </g>
          ))}
        </g>
        {rows.map((row, r) => {
          const label = (
            <text x={0} y={13} fontSize="11" fill={row.href ? '#1f5f8b' : '#1c2430'}>
              <title>{row.label}</title>
              {short(row.label)}
            </text>
          );
          return (
            // The row is placed once; its cells carry only x (their size is in the style sheet).
            <g key={row.key} data-row={row.key} data-testid={`${id}-row`} transform={`translate(0 ${gridTop + r * ROW})`}>
              {row.href ? <a href={row.href}>{label}</a> : label}
              {nights.map((n, i) => {
                const state = nightStateOf(row.cells[i] ?? 'n');
                const counts = row.counts?.[i];
                return (
                  <rect
                    key={n.date}
                    className="night-cell"
                    data-cell=""
                    data-state={state}
                    role="img"
                    aria-label={`${row.label}, ${n.label}: ${counts ? totalsText(expandCounts(counts)) : NIGHT_LABELS[state]}`}
                    tabIndex={tabIndex()}
                    x={x(i)}
                  />
                );
              })}
            </g>
          );
        })}
        {totals && (
          <g data-row="totals" data-testid={`${id}-totals`}>
            <text x={0} y={totalsTop + BAR - 16} fontSize="11" fontWeight="600" fill="#1c2430">
              <tspan>{short(totalsLabel, 30)}</tspan>
              <tspan x={0} dy={13} fontWeight="400">
                per night
              </tspan>
            </text>
            {nights.map((n, i) => {
              const t = totals[i] ?? [];
              let top = totalsTop + BAR;
              return (
                <g key={n.date} data-cell="" role="img" aria-label={`${totalsLabel}, ${n.label}: ${totalsText(expandCounts(t))}`} tabIndex={tabIndex()} className="outline-none focus:[&>rect:first-child]:stroke-ink">
                  <rect x={x(i)} y={totalsTop} width={CELL - 1} height={BAR} fill="transparent" />
                  {BAR_STATES.map((s) => {
                    const h = (sum(t, [s]) / maxTotal) * (BAR - 2);
                    if (h <= 0) return null;
                    top -= h;
                    return <rect key={s} className="night-fill" data-state={s} x={x(i)} y={top} width={CELL - 1} height={h} />;
                  })}
                </g>
              );
            })}
            {TOTAL_ROWS.map((row, k) => {
              const y = totalsTop + BAR + 12 + k * 14;
              return (
                <g key={row.key} data-testid={`${id}-total-${row.key}`} fontSize="9" textAnchor="middle" fill="#1c2430">
                  <text x={LABEL_W - 6} y={y} textAnchor="end" fill="#5b6676">
                    {row.label}
                  </text>
                  {nights.map((n, i) => (
                    <text key={n.date} x={x(i) + CELL / 2} y={y} data-night={n.date}>
                      {sum(totals[i] ?? [], row.states)}
                    </text>
                  ))}
                </g>
              );
            })}
          </g>
        )}
      </svg>
      <NightLegend />
    </ChartFrame>
  );
}
