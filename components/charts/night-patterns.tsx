import type { NightState } from '@/lib/backup/night-states';

/**
 * Fills for the night states: a colour and a pattern each, so the grid reads without colour
 * too (solid = good, crossed = failed, grid = stuck, stripes across = running, diagonal stripes
 * = missing, dots = excluded, outlines = nothing was due). Ids carry a prefix: a page can show
 * several charts.
 */
const COLORS = {
  good: '#17803d',
  failed: '#b42318',
  stuck: '#8a1538',
  running: '#1d5fc2',
  missing: '#b54708',
  missingBg: '#fdf0e1',
  excluded: '#4b5563',
  excludedBg: '#eceff3',
  line: '#b8c2ce',
  canvas: '#f4f6f8',
} as const;

export function nightFill(prefix: string, state: NightState): { fill: string; stroke?: string; strokeDasharray?: string } {
  switch (state) {
    case 'good':
      return { fill: COLORS.good };
    case 'failed':
    case 'stuck':
    case 'running':
    case 'missing':
    case 'excluded':
      return { fill: `url(#${prefix}-${state})` };
    case 'unplanned':
      return { fill: '#ffffff', stroke: COLORS.line };
    case 'waiting':
      return { fill: '#ffffff', stroke: COLORS.running, strokeDasharray: '2 2' };
    default:
      return { fill: COLORS.canvas };
  }
}

export function NightPatterns({ prefix }: { prefix: string }) {
  return (
    <defs>
      <pattern id={`${prefix}-failed`} width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" fill={COLORS.failed} />
        <path d="M0 0L6 6M6 0L0 6" stroke="#ffffff" strokeWidth="1.2" />
      </pattern>
      <pattern id={`${prefix}-stuck`} width="5" height="5" patternUnits="userSpaceOnUse">
        <rect width="5" height="5" fill={COLORS.stuck} />
        <path d="M0 2.5H5M2.5 0V5" stroke="#ffffff" strokeWidth="1" />
      </pattern>
      <pattern id={`${prefix}-running`} width="4" height="4" patternUnits="userSpaceOnUse">
        <rect width="4" height="4" fill={COLORS.running} />
        <path d="M0 1H4" stroke="#ffffff" strokeWidth="1" />
      </pattern>
      <pattern id={`${prefix}-missing`} width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="5" height="5" fill={COLORS.missingBg} />
        <path d="M0 0V5" stroke={COLORS.missing} strokeWidth="2.2" />
      </pattern>
      <pattern id={`${prefix}-excluded`} width="4" height="4" patternUnits="userSpaceOnUse">
        <rect width="4" height="4" fill={COLORS.excludedBg} />
        <circle cx="2" cy="2" r="0.9" fill={COLORS.excluded} />
      </pattern>
    </defs>
  );
}

/** Legend entries in the order the grid explains them. */
export const LEGEND: readonly { state: NightState; label: string }[] = [
  { state: 'good', label: 'good backup' },
  { state: 'failed', label: 'failed' },
  { state: 'stuck', label: 'stuck' },
  { state: 'running', label: 'running' },
  { state: 'missing', label: 'missing (one was due)' },
  { state: 'excluded', label: 'excluded' },
  { state: 'unplanned', label: 'none planned' },
  { state: 'waiting', label: 'planned later today' },
  { state: 'unrecorded', label: 'no record' },
];

export function NightLegend({ prefix }: { prefix: string }) {
  return (
    <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted" aria-label="Legend">
      {LEGEND.map(({ state, label }) => {
        const f = nightFill(prefix, state);
        return (
          <li key={state} className="flex items-center gap-1.5">
            <svg width="14" height="14" aria-hidden>
              <rect x="0.5" y="0.5" width="13" height="13" rx="2" fill={f.fill} stroke={f.stroke ?? 'none'} strokeDasharray={f.strokeDasharray} />
            </svg>
            {label}
          </li>
        );
      })}
    </ul>
  );
}
