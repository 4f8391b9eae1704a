import type { NightState } from '@/lib/backup/night-states';

/**
 * Fills for the night states: a colour and a pattern each, so the grid reads without colour
 * too (solid = good, crossed = failed, grid = stuck, stripes across = running, diagonal stripes
 * = missing, dots = excluded, outlines = nothing was due or no record).
 *
 * The fills are rules in app/globals.css (`.night-fill[data-state=…]`), so a cell carries only
 * its state: a page of thousands of cells stays small, and no style element is needed (the
 * content security policy admits style sheets from the console only). The patterns they name
 * are defined once per page, by NightPatternDefs in the console's layout.
 */
const COLORS = {
  failed: '#b42318',
  stuck: '#8a1538',
  running: '#1d5fc2',
  missing: '#b54708',
  missingBg: '#fdf0e1',
  excluded: '#4b5563',
  excludedBg: '#eceff3',
} as const;

/** Once per page: the patterns the night fills refer to (`url(#night-<state>)`). */
export function NightPatternDefs() {
  return (
    <svg aria-hidden width="0" height="0" className="absolute" focusable="false">
      <defs>
        <pattern id="night-failed" width="6" height="6" patternUnits="userSpaceOnUse">
          <rect width="6" height="6" fill={COLORS.failed} />
          <path d="M0 0L6 6M6 0L0 6" stroke="#ffffff" strokeWidth="1.2" />
        </pattern>
        <pattern id="night-stuck" width="5" height="5" patternUnits="userSpaceOnUse">
          <rect width="5" height="5" fill={COLORS.stuck} />
          <path d="M0 2.5H5M2.5 0V5" stroke="#ffffff" strokeWidth="1" />
        </pattern>
        <pattern id="night-running" width="4" height="4" patternUnits="userSpaceOnUse">
          <rect width="4" height="4" fill={COLORS.running} />
          <path d="M0 1H4" stroke="#ffffff" strokeWidth="1" />
        </pattern>
        <pattern id="night-missing" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="5" height="5" fill={COLORS.missingBg} />
          <path d="M0 0V5" stroke={COLORS.missing} strokeWidth="2.2" />
        </pattern>
        <pattern id="night-excluded" width="4" height="4" patternUnits="userSpaceOnUse">
          <rect width="4" height="4" fill={COLORS.excludedBg} />
          <circle cx="2" cy="2" r="0.9" fill={COLORS.excluded} />
        </pattern>
      </defs>
    </svg>
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

export function NightLegend() {
  return (
    <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted" aria-label="Legend">
      {LEGEND.map(({ state, label }) => (
        <li key={state} className="flex items-center gap-1.5">
          <svg width="14" height="14" aria-hidden>
            <rect className="night-fill" data-state={state} x="0.5" y="0.5" width="13" height="13" rx="2" />
          </svg>
          {label}
        </li>
      ))}
    </ul>
  );
}
