'use client';

import { useCallback, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/**
 * Around a server-rendered SVG chart: a tooltip for the cell under the pointer or with the
 * keyboard focus, and arrow-key movement between cells, so a chart with hundreds of cells is one
 * stop in the tab order. Cells are elements with `data-cell` and an `aria-label` (the tooltip's
 * text); rows are the `data-row` elements holding them. Without JavaScript the cells keep their
 * labels for screen readers and the first cell stays reachable.
 */
type Tip = { text: string; center: number; top: number; bottom: number; frameWidth: number };

export function ChartFrame({ children, label, className }: { children: ReactNode; label: string; className?: string }) {
  const frame = useRef<HTMLDivElement>(null);
  const tipRef = useRef<HTMLDivElement>(null);
  const [tip, setTip] = useState<Tip | null>(null);

  const show = useCallback((target: EventTarget | null) => {
    const root = frame.current;
    const cell = target instanceof Element ? target.closest('[data-cell]') : null;
    if (!root || !cell || !root.contains(cell)) return;
    const box = cell.getBoundingClientRect();
    const outer = root.getBoundingClientRect();
    setTip({ text: cell.getAttribute('aria-label') ?? '', center: box.left + box.width / 2 - outer.left, top: box.top - outer.top, bottom: box.bottom - outer.top, frameWidth: outer.width });
  }, []);

  // Placed once its size is known: centred on the cell, kept inside the frame, above the cell
  // unless there is no room.
  useLayoutEffect(() => {
    const el = tipRef.current;
    if (!el || !tip) return;
    const width = el.offsetWidth;
    const height = el.offsetHeight;
    el.style.left = `${Math.max(0, Math.min(tip.center - width / 2, tip.frameWidth - width))}px`;
    el.style.top = `${tip.top - height - 6 >= 0 ? tip.top - height - 6 : tip.bottom + 6}px`;
  }, [tip]);

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
    const sameColumn = (other: Element | undefined) => (other ? cellsOf(other)[Math.min(c, cellsOf(other).length - 1)] : undefined);
    let next: Element | undefined;
    if (event.key === 'ArrowRight') next = cellsOf(row)[c + 1];
    else if (event.key === 'ArrowLeft') next = cellsOf(row)[c - 1];
    else if (event.key === 'ArrowDown') next = sameColumn(rows[r + 1]);
    else if (event.key === 'ArrowUp') next = sameColumn(rows[r - 1]);
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
      className="relative"
      onMouseOver={(e) => show(e.target)}
      onMouseLeave={() => setTip(null)}
      onFocus={(e) => show(e.target)}
      onBlur={() => setTip(null)}
      onKeyDown={move}
    >
      {/* The chart scrolls on narrow screens; the tooltip sits outside the scrolling part so it is never cut off. */}
      <div className={className}>{children}</div>
      {tip && tip.text && (
        <div
          ref={tipRef}
          role="tooltip"
          data-testid="chart-tooltip"
          className="pointer-events-none absolute z-10 max-w-xs rounded-md bg-ink px-2 py-1 text-xs text-white shadow-lg"
          style={{ left: 0, top: 0, width: 'max-content' }}
        >
          {tip.text}
        </div>
      )}
    </div>
  );
}
