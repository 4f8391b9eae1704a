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
import { buildLargeCloud, LARGE, LARGE_DEFAULTS } from '../scripts/directory/large-cloud';
import { startSlapd } from '../scripts/directory/slapd';
import { median, ms } from './measure';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { machines: { type: 'string', default: String(LARGE_DEFAULTS.machines) }, runs: { type: 'string', default: '5' } } });
  const cloud = buildLargeCloud({ ...LARGE_DEFAULTS, machines: Number(values.machines), now: new Date() });
  const slapd = await startSlapd({ baseDn: cloud.baseDn, rootDn: LARGE.rootDn, rootPassword: LARGE.rootPassword, ldif: [cloud.ldif] });
  Object.assign(process.env, {
    LDAP_URL: process.env.BENCH_LDAP_URL ?? slapd.url,
    LDAP_BASE_DN: cloud.baseDn,
    LDAP_BIND_DN: LARGE.rootDn,
    LDAP_BIND_PASSWORD: LARGE.rootPassword,
    SESSION_SECRET: 'x'.repeat(32),
    NODE_TIME_ZONE: 'UTC',
    CONSOLE_TIME_ZONE: 'UTC',
    LDAP_TRACE: '1',
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
      console.log(`readFleet + summarizeFleet: ${ms(times[i])} ms (${overview.total} machines, ${overview.attention.length} need attention)`);
    }
    console.log(`median ${ms(median(times))} ms`);
    await closeDirectory();
  } finally {
    await slapd.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
