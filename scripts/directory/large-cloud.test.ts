import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLargeCloud, LARGE, type LargeCloud, type LargeCloudOptions } from './large-cloud';
import { directoryEnv, startSlapd, type RunningSlapd } from './slapd';
import { closeDirectory } from '@/lib/ldap/client';

const SMALL: LargeCloudOptions = {
  seed: 'unit-test',
  machines: 240,
  pools: 6,
  nodes: 4,
  disksPerMachine: 2,
  iterationsPerMachine: 10,
  now: new Date('2026-03-12T14:00:00Z'),
};

/** Every value of an attribute in the LDIF, in order (the generator writes plain values for these). */
function valuesOf(ldif: string, attribute: string): string[] {
  return [...ldif.matchAll(new RegExp(`^${attribute}: (.*)$`, 'gm'))].map((m) => m[1]);
}

describe('the large directory generator', () => {
  const cloud = buildLargeCloud(SMALL);

  it('gives the same LDIF for the same seed, and another for another seed', () => {
    expect(buildLargeCloud({ ...SMALL, now: new Date(SMALL.now) }).ldif).toBe(cloud.ldif);
    expect(buildLargeCloud({ ...SMALL, seed: 'another' }).ldif).not.toBe(cloud.ldif);
  });

  it('has as many machines, pools, nodes, disks and iterations as asked', () => {
    const { spec } = cloud;
    expect(spec.machines).toHaveLength(SMALL.machines);
    expect(spec.pools).toHaveLength(SMALL.pools);
    expect(spec.nodes).toHaveLength(SMALL.nodes);
    expect(valuesOf(cloud.ldif, 'objectClass').filter((c) => c === 'sstVirtualizationVirtualMachine')).toHaveLength(SMALL.machines + 2); // + 2 default profiles
    expect(valuesOf(cloud.ldif, 'sstDevice').filter((d) => d === 'disk')).toHaveLength(SMALL.machines * SMALL.disksPerMachine + 2);
    for (const m of spec.machines) {
      expect(
        m.disks.filter((d) => d.device === 'disk'),
        m.name,
      ).toHaveLength(SMALL.disksPerMachine);
      // Machines without ou=backup (new ones, dynamic clones) have none; every other one keeps the asked number.
      // (and a machine whose very first backup failed has that one).
      expect(m.iterations.length, m.name).toBe(
        m.backup === 'absent' ? 0 : m.story.startsWith('its first backup failed') ? 1 : SMALL.iterationsPerMachine,
      );
    }
    expect(Object.values(cloud.expected).reduce((a, b) => a + b, 0)).toBe(SMALL.machines);
  });

  it('is consistent: pools and nodes exist, MACs and addresses are unique', () => {
    const { spec } = cloud;
    const pools = new Map(spec.pools.map((p) => [p.uuid, p]));
    const nodes = new Set(spec.nodes.map((n) => n.fqdn));
    for (const m of spec.machines) {
      const pool = pools.get(m.poolUuid);
      expect(pool, m.name).toBeDefined();
      expect(nodes.has(m.node), m.name).toBe(true);
      expect(pool?.nodes, m.name).toContain(m.node);
    }
    for (const p of spec.pools) for (const n of p.nodes) expect(nodes.has(n), p.name).toBe(true);
    const macs = valuesOf(cloud.ldif, 'dhcpHWAddress');
    expect(macs).toHaveLength(SMALL.machines);
    expect(new Set(macs).size).toBe(SMALL.machines);
    expect(macs.every((m) => /^ethernet 52:54:00(:[0-9a-f]{2}){3}$/.test(m))).toBe(true);
    expect(new Set(valuesOf(cloud.ldif, 'sstMacAddress')).size).toBe(SMALL.machines + 2 - 1); // profiles share TBD_SYSTEM
    const fixed = valuesOf(cloud.ldif, 'dhcpStatements').filter((s) => s.startsWith('fixed-address '));
    expect(new Set(fixed).size).toBe(SMALL.machines);
  });

  it('mixes the situations a real cloud has', () => {
    const e = cloud.facets;
    expect(e.protected).toBeGreaterThan(SMALL.machines / 2);
    for (const status of ['failed', 'stale', 'never', 'excluded', 'running'] as const) expect(e[status], status).toBeGreaterThan(0);
    expect(e.stuck).toBe(0);
    expect(cloud.spec.pools.filter((p) => p.backup).length).toBeGreaterThan(0);
    expect(cloud.spec.machines.filter((m) => typeof m.backup === 'object' && m.backup.cron).length).toBeGreaterThan(0);
    const modes = new Set(valuesOf(cloud.ldif, 'sstProvisioningMode'));
    expect(modes).toContain('finished');
    expect(modes.size).toBeGreaterThan(3);
  });
});

describe('an old directory (dataAgeYears)', () => {
  const now = new Date('2026-03-12T14:00:00Z');
  const old = buildLargeCloud({ ...SMALL, now, dataAgeYears: 2.5 });

  it('ends every history years before now, and leaves its unfinished steps since then', () => {
    const newest = Math.min(...old.spec.machines.flatMap((m) => m.iterations.map((i) => i.agoMs)));
    expect(newest).toBeGreaterThan(2.4 * 365 * 86_400_000);
    const stories = old.spec.machines.map((m) => m.story);
    for (const story of [
      'a merge stuck since then',
      'a prune left half-way',
      'a restore abandoned in phase 1',
      'dynamic clone without ou=backup',
      'created then, never got an ou=backup',
    ]) {
      expect(stories.filter((s) => s === story).length, story).toBeGreaterThan(0);
    }
    expect(old.facets.running).toBe(0);
    expect(old.facets.protected).toBe(0);
    expect(old.facets.stuck).toBeGreaterThan(5);
    expect(old.facets.stale + old.facets.never + old.facets.excluded).toBe(SMALL.machines);
    // The stuck leaves say since when in their modifyTimestamp, years ago.
    expect(old.ldif).toMatch(/^modifyTimestamp: 2023\d{10}Z$/m);
    expect(old.ldif).not.toMatch(/^modifyTimestamp: 2026/m);
  });

  it('is the same for the same seed and age, and differs from the recent one', () => {
    expect(buildLargeCloud({ ...SMALL, now, dataAgeYears: 2.5 }).ldif).toBe(old.ldif);
    expect(old.ldif).not.toBe(buildLargeCloud({ ...SMALL, now }).ldif);
  });
});

describe('the large directory in slapd, read by the console', () => {
  let slapd: RunningSlapd;
  let live: LargeCloud;

  beforeAll(async () => {
    // Built for the real present: the console classifies against the clock.
    live = buildLargeCloud({ ...SMALL, now: new Date() });
    slapd = await startSlapd({ baseDn: live.baseDn, rootDn: LARGE.rootDn, rootPassword: LARGE.rootPassword, ldif: [live.ldif] });
    await closeDirectory();
    Object.assign(process.env, {
      ...directoryEnv(slapd),
      NODE_TIME_ZONE: 'UTC',
      CONSOLE_TIME_ZONE: 'UTC',
    });
  });

  afterAll(async () => {
    await closeDirectory();
    await slapd?.stop();
  });

  it('classifies every machine as the generator intends', async () => {
    const { readFleet } = await import('@/lib/inventory/fleet');
    // Thousands of backup entries need several pages while the other fleet searches run, which
    // also checks that concurrent paged searches do not trip over each other.
    const fleet = await readFleet();
    expect(fleet.problems).toEqual([]);
    const intended = new Map(
      live.spec.machines.map((m) => [m.uuid, `${m.expectedProtection} ${m.expectedActivity ?? '-'} (${m.expected}): ${m.story}`]),
    );
    const got = new Map(
      fleet.machines.map((m) => [
        m.uuid,
        `${m.protection} ${m.activity?.kind ?? '-'} (${m.status}): ${intended.get(m.uuid)?.split(': ')[1]}`,
      ]),
    );
    expect(got).toEqual(intended);
  });
});
