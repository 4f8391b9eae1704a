import { describe, expect, it } from 'vitest';
import {
  HOUR_MS,
  assertTimeZone,
  formatLocalMinute,
  formatOffset,
  formatUtcCompact,
  isValidTimeZone,
  offsetAt,
  resolveWallTime,
} from './time-zone';

const utc = (iso: string): number => Date.parse(iso);

describe('time zones', () => {
  it('recognises IANA names', () => {
    expect(isValidTimeZone('Europe/Zurich')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(() => assertTimeZone('Mars/Olympus')).toThrow("Unknown time zone 'Mars/Olympus'");
  });

  it('computes offsets in winter and summer', () => {
    expect(offsetAt(utc('2026-01-15T12:00:00Z'), 'Europe/Zurich')).toBe(HOUR_MS);
    expect(offsetAt(utc('2026-07-15T12:00:00Z'), 'Europe/Zurich')).toBe(2 * HOUR_MS);
    expect(offsetAt(utc('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-4 * HOUR_MS);
    expect(offsetAt(utc('2026-07-15T12:00:00Z'), 'UTC')).toBe(0);
  });

  it('resolves a normal wall time', () => {
    expect(resolveWallTime(utc('2026-06-01T03:00:00Z'), 'Europe/Zurich')).toEqual({
      kind: 'normal',
      at: utc('2026-06-01T01:00:00Z'),
      offset: 2 * HOUR_MS,
    });
  });

  it('finds the spring-forward gap and its transition', () => {
    expect(resolveWallTime(utc('2026-03-29T02:30:00Z'), 'Europe/Zurich')).toEqual({
      kind: 'gap',
      transition: utc('2026-03-29T01:00:00Z'),
      offsetBefore: HOUR_MS,
      offsetAfter: 2 * HOUR_MS,
    });
  });

  it('finds both instants of a fall-back overlap', () => {
    expect(resolveWallTime(utc('2026-10-25T02:30:00Z'), 'Europe/Zurich')).toEqual({
      kind: 'overlap',
      first: utc('2026-10-25T00:30:00Z'),
      second: utc('2026-10-25T01:30:00Z'),
      transition: utc('2026-10-25T01:00:00Z'),
      offsetBefore: 2 * HOUR_MS,
      offsetAfter: HOUR_MS,
    });
  });

  it('formats', () => {
    expect(formatLocalMinute(utc('2026-03-29T01:00:00Z'), 'Europe/Zurich')).toBe('2026-03-29 03:00');
    expect(formatUtcCompact(utc('2026-03-29T01:02:03Z'))).toBe('20260329T010203Z');
    expect(formatOffset(2 * HOUR_MS)).toBe('UTC+02:00');
    expect(formatOffset(-5.5 * HOUR_MS)).toBe('UTC-05:30');
  });
});
