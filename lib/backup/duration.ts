const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** A rough length for "… ago": "5 minutes" (up to two hours), "3 hours", "2 days", "3 weeks", "4 months", "2 years". */
export function formatDuration(ms: number): string {
  const t = Math.max(0, ms);
  if (t < MINUTE) return 'less than a minute';
  if (t < 120 * MINUTE) return plural(Math.round(t / MINUTE), 'minute');
  if (t < 48 * HOUR) return plural(Math.round(t / HOUR), 'hour');
  if (t < 14 * DAY) return plural(Math.round(t / DAY), 'day');
  if (t < 9 * WEEK) return plural(Math.round(t / WEEK), 'week');
  if (t < 730 * DAY) return plural(Math.round(t / (30 * DAY)), 'month');
  return plural(Math.round(t / (365 * DAY)), 'year');
}

function every(n: number, unit: string): string {
  return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
}

/**
 * A plan's period in words: "every day", "every 2 hours", "every week",
 * "every month". A daylight-saving change stretches a daily period to 25
 * hours, so whole days and weeks are matched within an hour.
 */
export function formatPeriod(ms: number): string {
  const near = (unit: number, tolerance: number): number | null => {
    const n = Math.round(ms / unit);
    return n >= 1 && Math.abs(ms - n * unit) <= tolerance ? n : null;
  };
  if (ms >= 28 * DAY - HOUR && ms <= 31 * DAY + HOUR) return 'every month';
  if (ms >= 365 * DAY - HOUR && ms <= 366 * DAY + HOUR) return 'every year';
  if (ms >= DAY - HOUR) {
    const weeks = near(WEEK, HOUR);
    if (weeks !== null) return every(weeks, 'week');
    const days = near(DAY, HOUR);
    if (days !== null) return every(days, 'day');
  }
  if (ms >= HOUR) {
    const hours = near(HOUR, MINUTE);
    if (hours !== null) return every(hours, 'hour');
  }
  const minutes = near(MINUTE, 1000);
  if (minutes !== null && ms < HOUR) return every(minutes, 'minute');
  return `about every ${formatDuration(ms)}`;
}
