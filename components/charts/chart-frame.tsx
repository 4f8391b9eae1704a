'use client';

import { useCallback, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/**
 * Around a server-rendered SVG chart: a tooltip for the cell under the pointer or with the
 * keyboard focus, and arrow-key movement between cells, so a chart with hundreds of cells is one
 * stop in the tab order. Cells are elements with `data-cell` and an `aria-label` (the tooltip's
 * text); rows are the `data-row` elements holding them. Without JavaScript the cells keep their
 * labels for screen readers and the first cell stays reachable.
 */
export function ChartFrame({ children, label, className }: { children: ReactNode; label: string; className?: string }) {
  const frame = useRef<HTMLDivElement>(null);
  const [tip, setTip] = useState<{ text: string; x: number; y: number; below: boolean } | null>(null);

  const show = useCallback((target: EventTarget | null) => {
    const root = frame.current;
    const cell = target instanceof Element ? target.closest('[data-cell]') : null;
    if (!root || !cell || !root.contains(cell)) return;
    const box = cell.getBoundingClientRect();
    const outer = root.getBoundingClientRect();
    const x = Math.min(Math.max(box.left + box.width / 2 - outer.left, 90), Math.max(90, outer.width - 90));
    const below = box.top - outer.top < 48;
    setTip({ text: cell.getAttribute('aria-label') ?? '', x, y: below ? box.bottom - outer.top + 6 : box.top - outer.top - 6, below });
  }, []);

  const move = useCallback((event: KeyboardEvent<HTMLDivElement>) => {
    const root = frame.current;
    const cell = event.target instanceof Element ? event.target.closest('[data-cell]') : null;
    if (!root || !cell) return;
    const rows = [...root.querySelectorAll('[data-row]')];
    const cellsOf = (row: Element) => [...row.querySelectorAll('[data-cell]')];
    const row = cell.closest('[data-row]');
    if (!row) return;
    const r = rows.indexOf(row);
    const c = cellsOf(row).indexOf(cell);
    let next: Element | undefined;
    if (event.key === 'ArrowRight') next = cellsOf(row)[c + 1];
    else if (event.key === 'ArrowLeft') next = cellsOf(row)[c - 1];
    else if (event.key === 'ArrowDown') next = rows[r + 1] && cellsOf(rows[r + 1])[Math.min(c, cellsOf(rows[r + 1]).length - 1)];
    else if (event.key === 'ArrowUp') next = rows[r - 1] && cellsOf(rows[r - 1])[Math.min(c, cellsOf(rows[r - 1]).length - 1)];
    else if (event.key === 'Home') next = cellsOf(row)[0];
    else if (event.key === 'End') next = cellsOf(row).at(-1);
    else if (event.key === 'Escape') {
      setTip(null);
      return;
    } else return;
    event.preventDefault();
    if (!next) return;
    // Roving tab stop: only the focused cell is in the tab order.
    cell.setAttribute('tabindex', '-1');
    next.setAttribute('tabindex', '0');
    (next as HTMLElement | SVGElement).focus();
  }, []);

  return (
    <div
      ref={frame}
      role="group"
      aria-label={label}
      className={`relative ${className ?? ''}`}
      onMouseOver={(e) => show(e.target)}
      onMouseLeave={() => setTip(null)}
      onFocus={(e) => show(e.target)}
      onBlur={() => setTip(null)}
      onKeyDown={move}
    >
      {children}
      {tip && tip.text && (
        <div
          role="tooltip"
          data-testid="chart-tooltip"
          className="pointer-events-none absolute z-10 max-w-xs -translate-x-1/2 rounded-md bg-ink px-2 py-1 text-xs text-white shadow-lg"
          style={{ left: tip.x, top: tip.y, transform: `translate(-50%, ${tip.below ? '0' : '-100%'})` }}
        >
          {tip.text}
        </div>
      )}
    </div>
  );
}
