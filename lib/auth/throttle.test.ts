import { describe, expect, it } from 'vitest';
import { expiredFailures, failureTime, failureValue, pausedUntil, recentFailures } from './throttle';

const rule = { maxFailures: 10, windowMs: 15 * 60_000, lockMs: 30_000 };
const at = (...times: number[]) => times.map((t, i) => failureValue(t, `r${i}`));
const T = 1_800_000_000_000;

describe('sign-in throttling', () => {
  it('allows ten failures in the window; the tenth pauses sign-in, so the eleventh attempt in a minute is refused', () => {
    const nine = at(...Array.from({ length: 9 }, (_, i) => T + i * 5000));
    expect(pausedUntil(nine, rule, T + 45_000)).toBeNull();
    const ten = [...nine, ...at(T + 50_000)];
    expect(pausedUntil(ten, rule, T + 51_000)).toBe(T + 50_000 + 30_000);
    expect(pausedUntil(ten, rule, T + 80_001)).toBeNull();
  });

  it('doubles the pause for each failure after it, up to the window', () => {
    const times = Array.from({ length: 10 }, (_, i) => T + i);
    expect(pausedUntil(at(...times, T + 100_000), rule, T + 100_001)).toBe(T + 100_000 + 60_000);
    expect(pausedUntil(at(...times, T + 100_000, T + 200_000), rule, T + 200_001)).toBe(T + 200_000 + 120_000);
    const many = at(...Array.from({ length: 40 }, (_, i) => T + i));
    expect(pausedUntil(many, rule, T + 100)).toBe(T + 39 + rule.windowMs);
  });

  it('forgets failures that left the window', () => {
    const old = at(...Array.from({ length: 10 }, (_, i) => T + i));
    const now = T + rule.windowMs + 10;
    expect(recentFailures(old, rule.windowMs, now)).toEqual([]);
    expect(pausedUntil(old, rule, now)).toBeNull();
    expect(expiredFailures([...old, 'garbage', ...at(now - 1)], rule.windowMs, now)).toEqual([...old, 'garbage']);
  });

  it('reads its own values and nothing else', () => {
    expect(failureTime(failureValue(T, 'ab12'))).toBe(T);
    expect(failureTime('x-1')).toBeNull();
    expect(failureTime('')).toBeNull();
    // Values sort in time order as text, which is how concurrent attempts are ranked.
    expect(failureValue(T, 'ff') < failureValue(T + 1, '00')).toBe(true);
  });
});
