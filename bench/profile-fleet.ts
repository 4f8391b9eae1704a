/**
 * Where does a fleet read spend its time? Runs lib/inventory's readFleet in this process against
 * a generated directory, several times, and prints the durations; with node's --cpu-prof it
 * leaves a profile to open in Chrome DevTools.
 *
 *   node --require ./bench/allow-server-only.cjs --cpu-prof --cpu-prof-dir=bench/out --import tsx bench/profile-fleet.ts [--machines 5000]
 *
 * (bench/allow-server-only.cjs makes `import 'server-only'` a no-op outside Next.js.)
 */
import { parseArgs } from 'node:util';
import { LARGE_DEFAULTS } from '../scripts/directory/large-cloud';
import { largeCloudInProcess, median, ms } from './measure';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { machines: { type: 'string', default: String(LARGE_DEFAULTS.machines) }, runs: { type: 'string', default: '5' } },
  });
  const world = await largeCloudInProcess(Number(values.machines), {
    LDAP_TRACE: '1',
    ...(process.env.BENCH_LDAP_URL ? { LDAP_URL: process.env.BENCH_LDAP_URL } : {}),
  });
  try {
    const { readFleet } = await import('../lib/inventory/fleet');
    const { summarizeFleet } = await import('../lib/inventory/overview');
    const { closeDirectory } = await import('../lib/ldap/client');
    const times: number[] = [];
    for (let i = 0; i < Number(values.runs); i++) {
      const t = performance.now();
      const overview = summarizeFleet(await readFleet());
      times.push(performance.now() - t);
      console.log(
        `readFleet + summarizeFleet: ${ms(times[i])} ms (${overview.total} machines, ${overview.attention.length} need attention)`,
      );
    }
    console.log(`median ${ms(median(times))} ms`);
    await closeDirectory();
  } finally {
    await world.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
