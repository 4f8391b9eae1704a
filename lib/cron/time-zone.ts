/**
 * Time-zone arithmetic on top of Intl.DateTimeFormat, so the console needs no
 * time-zone library and follows the IANA data of the runtime.
 *
 * A "wall" value is a local date and time encoded as if it were UTC
 * milliseconds (Date.UTC of the local fields); an "instant" is a real point in
 * time. offset = wall - instant.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export type WallFields = { year: number; month: number; day: number; hour: number; minute: number; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Throws a RangeError naming the zone, instead of Intl's generic message. */
export function assertTimeZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone)) throw new RangeError(`Unknown time zone '${timeZone}'`);
}

export function wallFieldsAt(instantMs: number, timeZone: string): WallFields {
  const out: WallFields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(instantMs)) {
    if (part.type in out) out[part.type as keyof WallFields] = Number(part.value);
  }
  return out;
}

export function wallMsOf(fields: WallFields): number {
  return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
}

/** The zone's UTC offset at an instant, in milliseconds (whole seconds). */
export function offsetAt(instantMs: number, timeZone: string): number {
  const whole = Math.floor(instantMs / 1000) * 1000;
  return wallMsOf(wallFieldsAt(whole, timeZone)) - whole;
}

export type WallResolution =
  | { kind: 'normal'; at: number; offset: number }
  /** The wall time occurs twice; `first`/`second` are its two instants. */
  | { kind: 'overlap'; first: number; second: number; transition: number; offsetBefore: number; offsetAfter: number }
  /** The wall time does not exist; clocks jump over it at `transition`. */
  | { kind: 'gap'; transition: number; offsetBefore: number; offsetAfter: number };

/** First instant (whole second) in (lo, hi] whose offset differs from the one at lo. */
function findTransition(lo: number, hi: number, timeZone: string): number {
  const before = offsetAt(lo, timeZone);
  let loS = Math.floor(lo / 1000);
  let hiS = Math.ceil(hi / 1000);
  while (hiS - loS > 1) {
    const mid = Math.floor((loS + hiS) / 2);
    if (offsetAt(mid * 1000, timeZone) === before) loS = mid;
    else hiS = mid;
  }
  return hiS * 1000;
}

/**
 * Maps a local wall time to the instant(s) it denotes. Assumes at most one
 * offset change within a day of it, which holds for every current zone.
 */
export function resolveWallTime(wallMs: number, timeZone: string): WallResolution {
  const offsetBefore = offsetAt(wallMs - DAY_MS, timeZone);
  const offsetAfter = offsetAt(wallMs + DAY_MS, timeZone);
  const valid = [...new Set([offsetBefore, offsetAfter])]
    .map((offset) => ({ at: wallMs - offset, offset }))
    .filter(({ at, offset }) => offsetAt(at, timeZone) === offset)
    .sort((a, b) => a.at - b.at);
  if (valid.length === 2) {
    const [first, second] = valid;
    return {
      kind: 'overlap',
      first: first.at,
      second: second.at,
      transition: findTransition(first.at, second.at, timeZone),
      offsetBefore,
      offsetAfter,
    };
  }
  if (valid.length === 1) return { kind: 'normal', at: valid[0].at, offset: valid[0].offset };
  if (offsetAfter > offsetBefore) {
    return {
      kind: 'gap',
      transition: findTransition(wallMs - offsetAfter, wallMs - offsetBefore, timeZone),
      offsetBefore,
      offsetAfter,
    };
  }
  // Only reachable with two offset changes within a day; take the earlier reading.
  return { kind: 'normal', at: wallMs - offsetBefore, offset: offsetBefore };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** 'YYYY-MM-DD HH:mm' of a wall value. */
export function formatWallMinute(wallMs: number): string {
  const d = new Date(wallMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** 'HH:mm' of a wall value. */
export function formatWallClock(wallMs: number): string {
  const d = new Date(wallMs);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** 'YYYY-MM-DD HH:mm' of an instant in a zone. */
export function formatLocalMinute(instantMs: number, timeZone: string): string {
  return formatWallMinute(instantMs + offsetAt(instantMs, timeZone));
}

/** 'YYYYMMDDThhmmssZ' in UTC: the iteration-name format. */
export function formatUtcCompact(instantMs: number): string {
  const d = new Date(instantMs);
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`
  );
}

/** 'UTC+02:00' */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(offsetMs) / MINUTE_MS);
  return `UTC${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}
