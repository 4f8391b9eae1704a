export type CronFieldName = 'minute' | 'hour' | 'day' | 'month' | 'dayOfWeek';

export const CRON_FIELDS: readonly CronFieldName[] = ['minute', 'hour', 'day', 'month', 'dayOfWeek'];

export const CRON_FIELD_LABELS: Readonly<Record<CronFieldName, string>> = {
  minute: 'minute',
  hour: 'hour',
  day: 'day of month',
  month: 'month',
  dayOfWeek: 'day of week',
};

/**
 * `any` is cron's own notion: the field text starts with `*` (so `*` and
 * `*\/2` both count, `0-6` does not). Vixie cron uses exactly this test to
 * choose AND or OR between day of month and day of week, and the same test on
 * minute/hour to decide how a job behaves across daylight-saving changes.
 * `values` are sorted and unique; day of week 7 is folded onto 0 (Sunday).
 */
export type CronFieldResult = { ok: true; values: number[]; any: boolean } | { ok: false; error: string };

const BOUNDS: Readonly<Record<CronFieldName, readonly [number, number]>> = {
  minute: [0, 59],
  hour: [0, 23],
  day: [1, 31],
  month: [1, 12],
  dayOfWeek: [0, 7],
};

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export function cronFieldBounds(field: CronFieldName): readonly [number, number] {
  return BOUNDS[field];
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function badItem(item: string): { ok: false; error: string } {
  return { ok: false, error: `'${item}' is not a number, range or step` };
}

function parseBound(field: CronFieldName, token: string, item: string): Parsed<number> {
  const label = CRON_FIELD_LABELS[field];
  const [low, high] = BOUNDS[field];
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    if (n < low || n > high) return { ok: false, error: `${label} ${n} is out of range ${low}–${high}` };
    return { ok: true, value: n };
  }
  if (/^[a-z]+$/i.test(token)) {
    // Vixie cron matches the three-letter names only (strcasecmp), never "january".
    if (field === 'month') {
      const i = MONTH_NAMES.indexOf(token.toLowerCase());
      if (i >= 0) return { ok: true, value: i + 1 };
      return { ok: false, error: `'${token}' is not a month name (jan–dec)` };
    }
    if (field === 'dayOfWeek') {
      const i = DAY_NAMES.indexOf(token.toLowerCase());
      if (i >= 0) return { ok: true, value: i };
      return { ok: false, error: `'${token}' is not a day name (sun–sat)` };
    }
  }
  return badItem(item);
}

function parseStep(text: string, item: string): Parsed<number> {
  if (!/^\d+$/.test(text)) return badItem(item);
  const n = Number(text);
  if (n === 0) return { ok: false, error: `step 0 in '${item}' is not allowed` };
  return { ok: true, value: n };
}

function parseItem(field: CronFieldName, item: string): Parsed<number[]> {
  const label = CRON_FIELD_LABELS[field];
  const [low, high] = BOUNDS[field];
  const slash = item.indexOf('/');
  const base = slash < 0 ? item : item.slice(0, slash);
  let step = 1;
  if (slash >= 0) {
    const parsed = parseStep(item.slice(slash + 1), item);
    if (!parsed.ok) return parsed;
    step = parsed.value;
  }

  let from: number;
  let to: number;
  if (base === '*') {
    from = low;
    to = high;
  } else {
    const dash = base.indexOf('-');
    if (dash < 0) {
      const single = parseBound(field, base, item);
      if (!single.ok) return single;
      // Vixie cron rejects "5/15" (only FreeBSD reads it as 5-max/15); say how to write it.
      if (slash >= 0) {
        return { ok: false, error: `'${item}' needs a range before the step, e.g. '${base}-${high}/${step}'` };
      }
      return { ok: true, value: [single.value] };
    }
    const a = parseBound(field, base.slice(0, dash), item);
    if (!a.ok) return base.slice(0, dash) === '' ? badItem(item) : a;
    const b = parseBound(field, base.slice(dash + 1), item);
    if (!b.ok) return base.slice(dash + 1) === '' ? badItem(item) : b;
    if (a.value > b.value) return { ok: false, error: `${label} range '${base}' runs backwards (start after end)` };
    from = a.value;
    to = b.value;
  }
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return { ok: true, value: values };
}

/** Parses one crontab field with the grammar Vixie cron accepts. */
export function parseCronField(field: CronFieldName, text: string): CronFieldResult {
  const label = CRON_FIELD_LABELS[field];
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: `${label} is missing` };
  const set = new Set<number>();
  for (const item of trimmed.split(',')) {
    if (item === '') return { ok: false, error: `empty entry in '${trimmed}'` };
    const parsed = parseItem(field, item);
    if (!parsed.ok) return parsed;
    for (const v of parsed.value) set.add(field === 'dayOfWeek' && v === 7 ? 0 : v);
  }
  return { ok: true, values: [...set].sort((x, y) => x - y), any: trimmed.startsWith('*') };
}
