import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedFleet, fleetCacheGeneration, invalidateFleetCache } from './cache';
import type { Fleet } from './fleet';

const fleet = (n: number): Fleet => ({ kind: 'foss-cloud', machines: [], pools: [], problems: [], readAt: new Date(n), objectives: { cloudMs: null, poolMs: new Map() }, nights: [] });

function reader() {
  let reads = 0;
  const read = vi.fn(async () => fleet(++reads));
  return read;
}

afterEach(() => {
  vi.useRealTimers();
  invalidateFleetCache();
});

describe('the fleet cache', () => {
  it('reuses a read for its lifetime and shares one in flight', async () => {
    const read = reader();
    const [a, b] = await Promise.all([cachedFleet('dir', 5000, read), cachedFleet('dir', 5000, read)]);
    expect(a).toBe(b);
    expect(await cachedFleet('dir', 5000, read)).toBe(a);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('reads again once the lifetime is over', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const read = reader();
    const first = await cachedFleet('dir', 5000, read);
    vi.setSystemTime(Date.now() + 5001);
    expect(await cachedFleet('dir', 5000, read)).not.toBe(first);
  });

  it('never serves a read from before a write', async () => {
    const read = reader();
    const before = fleetCacheGeneration();
    const first = await cachedFleet('dir', 5000, read);
    invalidateFleetCache();
    expect(fleetCacheGeneration()).toBe(before + 1);
    expect(await cachedFleet('dir', 5000, read)).not.toBe(first);
  });

  it('keeps directories apart, keeps no failures and can be switched off', async () => {
    const read = reader();
    const first = await cachedFleet('dir', 5000, read);
    expect(await cachedFleet('other', 5000, read)).not.toBe(first);
    await expect(cachedFleet('dir', 5000, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cachedFleet('dir', 5000, read)).not.toBe(first);
    const calls = read.mock.calls.length;
    await cachedFleet('dir', 0, read);
    await cachedFleet('dir', 0, read);
    expect(read).toHaveBeenCalledTimes(calls + 2);
  });
});
