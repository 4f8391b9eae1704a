import { afterEach } from 'vitest';

/**
 * What a test changed in a world other tests share, to put back after it: push the work that
 * does it; after each test it runs, last pushed first, so the other tests see the world as built.
 */
export function cleanUpAfterEach(): (() => Promise<unknown>)[] {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });
  return cleanups;
}
