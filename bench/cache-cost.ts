/**
 * What Next's data cache (`unstable_cache`, or `'use cache'`) would cost for the fleet read, the
 * one thing the console caches: the size of the fleet as the cache stores it (JSON, or an RSC
 * payload of about the same size) and the time to write and read it back, beside the read itself.
 * docs/performance.md ("Caching") says what came out and why the console keeps its own cache.
 *
 *   node --require ./bench/allow-server-only.cjs --import tsx bench/cache-cost.ts [--machines 5000]
 */
import { parseArgs } from 'node:util';
import { LARGE_DEFAULTS } from '../scripts/directory/large-cloud';
import { largeCloudInProcess, median, ms } from './measure';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { machines: { type: 'string', default: String(LARGE_DEFAULTS.machines) }, runs: { type: 'string', default: '7' } },
  });
  const world = await largeCloudInProcess(Number(values.machines));
  try {
    const { readFleet } = await import('../lib/inventory/fleet');
    const { closeDirectory } = await import('../lib/ldap/client');
    await readFleet();
    const read: number[] = [];
    const write: number[] = [];
    const readBack: number[] = [];
    let bytes = 0;
    let machines = 0;
    for (let i = 0; i < Number(values.runs); i++) {
      let t = performance.now();
      const fleet = await readFleet();
      read.push(performance.now() - t);
      machines = fleet.machines.length;
      t = performance.now();
      const json = JSON.stringify(fleet);
      write.push(performance.now() - t);
      bytes = Buffer.byteLength(json);
      t = performance.now();
      JSON.parse(json);
      readBack.push(performance.now() - t);
    }
    console.log(
      `${machines} machines: fleet read ${ms(median(read))} ms; as JSON ${(bytes / 1024 / 1024).toFixed(1)} MiB (the data cache refuses items over 2 MB);`,
    );
    console.log(`  serialising it ${ms(median(write))} ms, parsing it back ${ms(median(readBack))} ms (medians of ${values.runs})`);
    await closeDirectory();
  } finally {
    await world.stop();
  }
}

void main();
