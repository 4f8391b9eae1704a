/**
 * Who a session cookie stands for, reused for CONSOLE_AUTH_CACHE_SECONDS: every page, poll and
 * action needs it, and asking the directory each time would be several searches per request.
 * It is kept short because other console instances and directory administrators change sessions,
 * roles and groups; their changes take effect here after at most that long. Signing out on this
 * instance forgets the entry at once.
 *
 * Kept on globalThis: Next.js may load this module once per route bundle, and a sign-out handled
 * by one route must be seen by all of them.
 */
interface Slot<T> {
  until: number;
  value: Promise<T>;
}
const MAX_SLOTS = 5000;
const holder = globalThis as unknown as { __consoleAccessCache?: Map<string, Slot<unknown>> };

function slots(): Map<string, Slot<unknown>> {
  holder.__consoleAccessCache ??= new Map();
  return holder.__consoleAccessCache;
}

/** The value for `key` if it was worked out less than `ttlMs` ago; otherwise `read()` (shared while in flight, not kept if it fails). */
export function cachedAccess<T>(key: string, ttlMs: number, read: () => Promise<T>): Promise<T> {
  if (ttlMs <= 0) return read();
  const map = slots();
  const now = Date.now();
  const hit = map.get(key);
  if (hit && hit.until > now) return hit.value as Promise<T>;
  if (map.size >= MAX_SLOTS) {
    for (const [k, slot] of map) if (slot.until <= now) map.delete(k);
    if (map.size >= MAX_SLOTS) map.clear();
  }
  const slot: Slot<T> = { until: now + ttlMs, value: read() };
  map.set(key, slot);
  slot.value.catch(() => {
    if (map.get(key) === slot) map.delete(key);
  });
  return slot.value;
}

export function forgetAccess(key: string): void {
  slots().delete(key);
}

/** Tests that change the directory under a running session, without waiting out the cache. */
export function forgetAllAccess(): void {
  slots().clear();
}
