import type { Fleet } from './fleet';

/**
 * Every write the console makes to backup configuration or iterations calls
 * `invalidateFleetCache()`, so whatever caching the fleet read uses never shows an
 * administrator a state older than their own change.
 *
 * The fleet read (six searches over every machine and iteration) is reused for a few seconds
 * (CONSOLE_CACHE_SECONDS, default 5): the overview, the machine list and the pool pages all
 * build on it, and an administrator clicking through them should not wait for the directory
 * each time. It is kept short because this process does not see every change: other console
 * instances and the node daemons (which move iterations from mode to mode) write to the
 * directory too, and their changes show up here after at most that long. Concurrent requests
 * share one read in flight. Pages about one machine or one iteration never use it.
 *
 * Kept on globalThis: Next.js may load this module more than once in one server process (one
 * copy per route bundle), and a write in one route must still invalidate what another reads.
 */
interface Slot {
  key: string;
  generation: number;
  expiresAt: number;
  fleet: Promise<Fleet>;
}
interface CacheState {
  generation: number;
  slot: Slot | undefined;
}
const holder = globalThis as unknown as { __consoleFleetCache?: CacheState };

function state(): CacheState {
  holder.__consoleFleetCache ??= { generation: 0, slot: undefined };
  return holder.__consoleFleetCache;
}

export function invalidateFleetCache(): void {
  const s = state();
  s.generation += 1;
  s.slot = undefined;
}

export function fleetCacheGeneration(): number {
  return state().generation;
}

/**
 * The fleet read for `key` (the directory it comes from) if one started less than `ttlMs` ago
 * and nothing was written since; otherwise a new read. A failed read is not kept.
 */
export function cachedFleet(key: string, ttlMs: number, read: () => Promise<Fleet>): Promise<Fleet> {
  if (ttlMs <= 0) return read();
  const s = state();
  const now = Date.now();
  const slot = s.slot;
  if (slot && slot.key === key && slot.generation === s.generation && slot.expiresAt > now) return slot.fleet;
  const fresh: Slot = { key, generation: s.generation, expiresAt: now + ttlMs, fleet: read() };
  s.slot = fresh;
  fresh.fleet.catch(() => {
    if (s.slot === fresh) s.slot = undefined;
  });
  return fresh.fleet;
}
