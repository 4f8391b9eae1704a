/**
 * Sign-in throttling, as pure rules over the times of recent failures (the directory keeps those,
 * see lib/ldap/sign-in-failures.ts, so every console instance counts the same failures).
 *
 * Up to `maxFailures` failures within the window are allowed. The failure that reaches the limit
 * pauses sign-in for `lockMs`; each further failure after a pause doubles it, up to the window
 * itself. During a pause the password is not even checked, so guessing stops.
 */
export interface ThrottleRule {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** Failures are stored as `<epoch ms>-<random>`, so two at the same moment stay two values. */
export function failureValue(now: number, random: string): string {
  return `${now}-${random}`;
}

export function failureTime(value: string): number | null {
  const ms = Number(value.split('-')[0]);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : null;
}

export function recentFailures(values: string[], windowMs: number, now: number): number[] {
  return values
    .map(failureTime)
    .filter((t): t is number => t !== null && t > now - windowMs && t <= now + 60_000)
    .sort((a, b) => a - b);
}

/** Until when sign-in is paused (epoch ms), or null when it is not. */
export function pausedUntil(values: string[], rule: ThrottleRule, now: number): number | null {
  const recent = recentFailures(values, rule.windowMs, now);
  if (recent.length < rule.maxFailures) return null;
  const doublings = Math.min(recent.length - rule.maxFailures, 20);
  const pause = Math.min(rule.windowMs, rule.lockMs * 2 ** doublings);
  const until = recent[recent.length - 1] + pause;
  return until > now ? until : null;
}

/** Values that have left the window and can be removed. */
export function expiredFailures(values: string[], windowMs: number, now: number): string[] {
  return values.filter((v) => {
    const t = failureTime(v);
    return t === null || t <= now - windowMs;
  });
}
