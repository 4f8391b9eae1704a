import { describe, expect, it } from 'vitest';
import { parseCronField } from './cron-field';

function values(field: Parameters<typeof parseCronField>[0], text: string): number[] {
  const r = parseCronField(field, text);
  if (!r.ok) throw new Error(r.error);
  return r.values;
}

function error(field: Parameters<typeof parseCronField>[0], text: string): string {
  const r = parseCronField(field, text);
  if (r.ok) throw new Error(`expected '${text}' to be rejected`);
  return r.error;
}

describe('parseCronField', () => {
  it('reads *, numbers and lists', () => {
    expect(values('minute', '*')).toHaveLength(60);
    expect(values('hour', '3')).toEqual([3]);
    expect(values('minute', '0,30,15')).toEqual([0, 15, 30]);
    expect(values('hour', '00')).toEqual([0]);
    expect(values('minute', ' 5 ')).toEqual([5]);
  });

  it('reads ranges and steps', () => {
    expect(values('hour', '8-11')).toEqual([8, 9, 10, 11]);
    expect(values('hour', '*/6')).toEqual([0, 6, 12, 18]);
    expect(values('minute', '10-30/10')).toEqual([10, 20, 30]);
    expect(values('day', '*/10')).toEqual([1, 11, 21, 31]);
    expect(values('minute', '*/90')).toEqual([0]);
    expect(values('hour', '1-3,20-23/2')).toEqual([1, 2, 3, 20, 22]);
  });

  it('reads month and day names, case-insensitively, also in ranges', () => {
    expect(values('month', 'jan,JUL')).toEqual([1, 7]);
    expect(values('month', 'mar-may')).toEqual([3, 4, 5]);
    expect(values('dayOfWeek', 'mon-fri')).toEqual([1, 2, 3, 4, 5]);
    expect(values('dayOfWeek', 'Sun')).toEqual([0]);
  });

  it('folds day of week 7 onto Sunday', () => {
    expect(values('dayOfWeek', '7')).toEqual([0]);
    expect(values('dayOfWeek', '5-7')).toEqual([0, 5, 6]);
    expect(values('dayOfWeek', '*')).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("sets `any` from a leading '*', as cron does", () => {
    expect(parseCronField('day', '*')).toMatchObject({ ok: true, any: true });
    expect(parseCronField('day', '*/2')).toMatchObject({ ok: true, any: true });
    expect(parseCronField('dayOfWeek', '0-6')).toMatchObject({ ok: true, any: false });
  });

  it('rejects out-of-range numbers with the valid range', () => {
    expect(error('minute', '60')).toBe('minute 60 is out of range 0–59');
    expect(error('hour', '24')).toBe('hour 24 is out of range 0–23');
    expect(error('day', '0')).toBe('day of month 0 is out of range 1–31');
    expect(error('day', '32')).toBe('day of month 32 is out of range 1–31');
    expect(error('month', '13')).toBe('month 13 is out of range 1–12');
    expect(error('dayOfWeek', '8')).toBe('day of week 8 is out of range 0–7');
    expect(error('hour', '20-25')).toBe('hour 25 is out of range 0–23');
  });

  it('rejects malformed items', () => {
    expect(error('hour', '1-')).toBe("'1-' is not a number, range or step");
    expect(error('hour', '-1')).toBe("'-1' is not a number, range or step");
    expect(error('minute', 'abc')).toBe("'abc' is not a number, range or step");
    expect(error('minute', '1-2-3')).toBe("'1-2-3' is not a number, range or step");
    expect(error('minute', '*/x')).toBe("'*/x' is not a number, range or step");
    expect(error('minute', '*5')).toBe("'*5' is not a number, range or step");
    expect(error('minute', '1.5')).toBe("'1.5' is not a number, range or step");
    expect(error('month', 'january')).toBe("'january' is not a month name (jan–dec)");
    expect(error('dayOfWeek', 'monday')).toBe("'monday' is not a day name (sun–sat)");
  });

  it('rejects what Vixie cron rejects: bare steps, zero steps, backward ranges', () => {
    expect(error('minute', '5/15')).toBe("'5/15' needs a range before the step, e.g. '5-59/15'");
    expect(error('minute', '*/0')).toBe("step 0 in '*/0' is not allowed");
    expect(error('hour', '22-2')).toBe("hour range '22-2' runs backwards (start after end)");
  });

  it('rejects empty fields and empty list entries', () => {
    expect(error('hour', '')).toBe('hour is missing');
    expect(error('dayOfWeek', '  ')).toBe('day of week is missing');
    expect(error('minute', '1,,2')).toBe("empty entry in '1,,2'");
    expect(error('minute', '1,')).toBe("empty entry in '1,'");
  });
});
