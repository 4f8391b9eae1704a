/**
 * Every write the console makes to backup configuration or iterations calls
 * `invalidateFleetCache()`, so whatever caching the fleet read uses never shows an
 * administrator a state older than their own change.
 */
let generation = 0;

export function invalidateFleetCache(): void {
  generation += 1;
}

export function fleetCacheGeneration(): number {
  return generation;
}
