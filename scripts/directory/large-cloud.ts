/**
 * A large, consistent stoney cloud for benchmarks: thousands of machines spread over pools and
 * nodes, each with disks, a DHCP reservation and a backup history whose modes follow the real
 * protocol (shared/spec/directory.md §4.1): mostly finished nightly backups, a few percent failed
 * (and therefore blocking, so nothing newer follows them), stale machines on a node that was
 * down, backups running right now, restores and prunes half-way, excluded machines, pools and
 * machines with their own plans, dynamic clones that are never backed up.
 *
 * Everything comes from a seeded generator: the same seed, size and `now` give the same LDIF,
 * byte for byte. Rendering reuses cloud-ldif.ts, so the large directory has exactly the shape of
 * the demo one.
 */
import { createHash } from 'node:crypto';
import {
  buildCloudLdif,
  DAY,
  GiB,
  HOUR,
  MINUTE,
  type CloudSpec,
  type CronSpec,
  type DiskSpec,
  headlineOf,
  type ExpectedActivity,
  type ExpectedProtection,
  type ExpectedStatus,
  type IterationSpec,
  type MachineSpec,
  type NodeSpec,
  type PoolType,
  type VmPoolSpec,
} from './cloud-ldif';
import { defaultNetwork, defaultNode, FILES, STORAGE, STORAGE_POOLS } from './default-installation';

export interface LargeCloudOptions {
  seed: string;
  machines: number;
  pools: number;
  nodes: number;
  disksPerMachine: number;
  iterationsPerMachine: number;
  /** The moment the console looks at the directory. */
  now: Date;
  /**
   * How many years before `now` the histories end (default 0): an installation nobody looked
   * after since. Every unfinished step (merges, prunes, restores in phase 1) has been left since.
   */
  dataAgeYears?: number;
}

export const LARGE_DEFAULTS: Omit<LargeCloudOptions, 'now'> = {
  seed: 'stoney-bench-1',
  machines: 5000,
  pools: 20,
  nodes: 8,
  disksPerMachine: 2,
  iterationsPerMachine: 10,
};

export const LARGE = {
  baseDn: 'dc=stoney-cloud,dc=org',
  rootDn: 'cn=Manager,dc=stoney-cloud,dc=org',
  rootPassword: 'bench-manager-secret',
  admin: { uid: '4000002', login: 'admin', password: 'admin-bench', dn: 'uid=4000002,ou=people,dc=stoney-cloud,dc=org' },
} as const;

export interface LargeCloud {
  baseDn: string;
  spec: CloudSpec;
  ldif: string;
  /** How many machines the generator meant to have each headline status at `now`. */
  expected: Record<ExpectedStatus, number>;
  /** How many machines have each status on either side (protection and activity), as the overview counts. */
  facets: Record<ExpectedStatus, number>;
  /** Entries in the LDIF (for load-time figures). */
  entries: number;
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------------

/** sfc32 seeded from SHA-256 of the seed text: fast, and the same sequence on every platform. */
export function seededRandom(seed: string): () => number {
  const h = createHash('sha256').update(seed).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(private readonly next: () => number) {}
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** RFC 4122 version 4 layout, lower case, as the VM-Manager writes them. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.next() * 16).toString(16));
    hex[12] = '4';
    hex[16] = '89ab'[Math.floor(this.next() * 4)];
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Fixed parts
// ---------------------------------------------------------------------------------------------

const daily = (hour: number, minute: number): CronSpec => ({
  minute: String(minute),
  hour: String(hour),
  day: '*',
  month: '*',
  dayOfWeek: '*',
  active: true,
});

/** Cloud-wide: every night at 03:00 (node time = UTC in the benchmark). */
const GLOBAL_CRON = daily(3, 0);

/** Failure codes the node daemon really writes, with the mode it leaves behind (§4.1, §4.6). */
const FAILURES: ReadonlyArray<{ mode: string; code: number }> = [
  { mode: 'merging', code: 11 },
  { mode: 'snapshotting', code: 6 },
  { mode: 'snapshotting', code: 2 },
  { mode: 'retaining', code: 12 },
  { mode: 'retained', code: 13 },
  { mode: 'snapshotted', code: 29 },
];

const ROLES = ['web', 'app', 'db', 'mail', 'files', 'ci', 'cache', 'proxy', 'erp', 'dns', 'mon', 'build'] as const;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function ipv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Start times of the last `count` runs of a daily plan at hh:mm UTC before `now`, newest first. */
function lastDailyRuns(now: Date, cron: CronSpec, count: number, everyDays = 1): number[] {
  const hour = Number(cron.hour);
  const minute = Number(cron.minute);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour, minute);
  let newest = today <= now.getTime() ? today : today - DAY;
  const runs: number[] = [];
  for (let i = 0; i < count; i++) {
    runs.push(newest);
    newest -= everyDays * DAY;
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

interface PoolPlan {
  spec: VmPoolSpec;
  /** The cron the pool's machines follow unless they have their own (null: the pool plan is inactive). */
  cron: CronSpec | null;
  everyDays: number;
  excluded: boolean;
}

export function buildLargeCloud(options: LargeCloudOptions): LargeCloud {
  const o = options;
  if (!Number.isInteger(o.machines) || o.machines < 1) throw new Error(`machines must be a positive integer, not ${o.machines}`);
  if (!Number.isInteger(o.pools) || o.pools < 1) throw new Error(`pools must be a positive integer, not ${o.pools}`);
  if (!Number.isInteger(o.nodes) || o.nodes < 1) throw new Error(`nodes must be a positive integer, not ${o.nodes}`);
  if (o.machines > 1_000_000) throw new Error('more than a million machines do not fit the address plan');
  const years = o.dataAgeYears ?? 0;
  if (!Number.isFinite(years) || years < 0 || years > 30) throw new Error(`dataAgeYears must be between 0 and 30, not ${years}`);
  const dice = new Dice(seededRandom(`${o.seed}/${o.machines}/${o.pools}/${o.nodes}${years > 0 ? `/${years}y` : ''}`));
  const now = new Date(Math.floor(o.now.getTime() / 1000) * 1000);
  // The histories are drawn up to `dataNow` and then aged to `now`.
  const offset = Math.round((years * 365.25 * DAY) / 1000) * 1000;
  const dataNow = new Date(now.getTime() - offset);

  // --- nodes: one of them was in maintenance for a few days, so its machines' backups are stale.
  const nodes: NodeSpec[] = Array.from({ length: o.nodes }, (_, i) =>
    defaultNode(i + 1, `VM node ${i + 1}, rack ${String.fromCharCode(65 + (i % 4))}`),
  );
  const downNode = o.nodes >= 4 ? nodes[o.nodes - 1].fqdn : null;

  // --- pool sizes: uneven (weights 0.5..1.5) so that pool pages differ, every pool non-empty.
  const weights = Array.from({ length: o.pools }, () => 0.5 + dice.float());
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(1, Math.floor((w / totalWeight) * o.machines)));
  for (let i = 0, rest = o.machines - sizes.reduce((a, b) => a + b, 0); rest !== 0; i = (i + 1) % o.pools) {
    if (rest > 0) {
      sizes[i] += 1;
      rest -= 1;
    } else if (sizes[i] > 1) {
      sizes[i] -= 1;
      rest += 1;
    }
  }

  // --- address plan: each pool a power-of-two DHCP range inside one subnet.
  const biggest = Math.max(...sizes);
  let block = 64;
  while (block < biggest + 16) block *= 2;
  let hostBits = Math.ceil(Math.log2(block * o.pools));
  if (hostBits < 8) hostBits = 8;
  const subnetBase = (10 << 24) | (64 << 16);
  const netmask = 32 - hostBits;
  if (netmask < 8) throw new Error('the address plan does not fit 10.0.0.0/8');
  const blockBits = Math.log2(block);

  const poolPlans: PoolPlan[] = Array.from({ length: o.pools }, (_, i) => {
    // Mostly persistent servers; the second-to-last pools hold templates, the last dynamic desktops.
    const type: PoolType = o.pools >= 3 && i === o.pools - 1 ? 'dynamic' : o.pools >= 3 && i === o.pools - 2 ? 'template' : 'persistent';
    const uuid = dice.uuid();
    const linked = Math.min(o.nodes, dice.int(2, 4));
    const first = (i * 3) % o.nodes;
    const poolNodes = Array.from({ length: linked }, (_, k) => nodes[(first + k) % o.nodes].fqdn);
    if (downNode && i === 0 && !poolNodes.includes(downNode)) poolNodes[poolNodes.length - 1] = downNode;
    const range = `${ipv4(subnetBase + i * block)}/${32 - blockBits}`;
    const name =
      type === 'template'
        ? `Templates ${pad(i + 1, 2)}`
        : type === 'dynamic'
          ? `Desktops ${pad(i + 1, 2)}`
          : `Customer ${pad(i + 1, 2)} servers`;
    const spec: VmPoolSpec = {
      uuid,
      name,
      type,
      description: `${type} pool ${i + 1}`,
      storagePoolUuid: STORAGE[type],
      nodes: poolNodes,
      range,
    };
    // Some pools carry their own plan: templates weekly, a few customers at other hours, one with
    // its plan switched off (its machines go stale), one excluded as a whole.
    let cron: CronSpec | null = GLOBAL_CRON;
    let everyDays = 1;
    let excluded = false;
    if (type === 'template') {
      cron = { ...daily(2, 30), dayOfWeek: '0' };
      everyDays = 7;
      // As many kept as the machines hold: with more leaves than kept, fc-brokerd would never start another backup (daemons.md, fact 5).
      spec.backup = { ...FILES, iterations: 10, cron };
    } else if (type === 'persistent' && i % 6 === 3) {
      cron = daily(1, 15 * (i % 4));
      spec.backup = { ...FILES, iterations: 14, cron };
    } else if (type === 'persistent' && i === 5) {
      spec.backup = { ...FILES, iterations: 7, cron: { ...daily(4, 0), active: false } };
      cron = null;
    } else if (type === 'persistent' && i === 7) {
      spec.backup = { exclude: true };
      excluded = true;
    }
    if (type === 'dynamic') {
      spec.dynamic = { min: 3, max: Math.max(3, sizes[i]), preStart: 2, shutdown: { ...daily(22, 0), dayOfWeek: '1,2,3,4,5' } };
    }
    return { spec, cron, everyDays, excluded };
  });

  const expected: Record<ExpectedStatus, number> = { protected: 0, running: 0, failed: 0, stuck: 0, stale: 0, never: 0, excluded: 0 };
  const facets: Record<ExpectedStatus, number> = { ...expected };
  const machines: MachineSpec[] = [];
  const macScramble = dice.int(0, 0xffffff);
  let index = 0;
  for (const [p, plan] of poolPlans.entries()) {
    for (let k = 0; k < sizes[p]; k++, index++) {
      const machine = finalize(
        aged(
          buildMachine(dice, o, dataNow, plan, k, index, {
            mac: macScramble ^ (index + 1),
            ip: ipv4(subnetBase + p * block + 10 + k),
            downNode,
            old: years > 0,
          }),
          offset,
        ),
      );
      if (plan.spec.dynamic && k === 0) plan.spec.dynamic.goldenImageUuid = machine.uuid;
      expected[machine.expected] += 1;
      facets[machine.expectedProtection ?? machine.expected] += 1;
      if (machine.expectedActivity) facets[machine.expectedActivity] += 1;
      machines.push(machine);
    }
  }

  const spec: CloudSpec = {
    baseDn: LARGE.baseDn,
    organization: 'stoney cloud (benchmark)',
    reseller: { uid: '4000000', name: 'stepping stone GmbH' },
    customer: { uid: '4000001', name: 'Benchmark Customer AG' },
    realm: { uid: '4000013', displayName: 'stoney cloud' },
    nextFreeUid: '4000020',
    cloudId: dice.uuid(),
    serviceAccounts: [{ cn: 'prov-backup-kvm', password: 'prov-backup-kvm-bench' }],
    people: [
      {
        uid: LARGE.admin.uid,
        login: LARGE.admin.login,
        password: LARGE.admin.password,
        givenName: 'Ada',
        surname: 'Admin',
        mail: 'ada.admin@stoney-cloud.org',
        gender: 'f',
        preferredLanguage: 'en-GB',
        timeZoneOffset: '+00:00',
        roles: ['Admin Virtualization'],
      },
    ],
    groups: [],
    nodes,
    storagePools: [...STORAGE_POOLS],
    pools: poolPlans.map((p) => p.spec),
    machines,
    globalBackup: { ...FILES, iterations: 10, cron: GLOBAL_CRON },
    network: defaultNetwork(ipv4(subnetBase), netmask, ipv4(subnetBase + 1), ipv4(subnetBase + 2)),
  };
  const age = years > 0 ? `, histories ending ${years} years earlier (${dataNow.toISOString()})` : '';
  const header = `large benchmark stoney cloud: seed ${o.seed}, ${o.machines} machines, ${o.pools} pools, ${o.nodes} nodes, generated for ${now.toISOString()}${age} by scripts/directory/large-cloud.ts`;
  const ldif = buildCloudLdif(spec, now, header);
  const entries = ldif.split('\ndn: ').length - 1 + (ldif.startsWith('dn: ') ? 1 : 0);
  return { baseDn: LARGE.baseDn, spec, ldif, expected, facets, entries };
}

interface Placement {
  /** 24-bit MAC suffix, unique per machine. */
  mac: number;
  ip: string;
  downNode: string | null;
  /** The histories are this old: every unfinished step has been left since then. */
  old: boolean;
}

/** A machine as drawn, before its expected status is worked out from its history. */
type Draft = Omit<MachineSpec, 'expected' | 'expectedProtection' | 'expectedActivity'> & {
  activity: ExpectedActivity | null;
  /** The plan's period (null: it never fires); the objective is that plus six hours. */
  periodMs: number | null;
  /** Excluded by configuration or a dynamic clone. */
  notBackedUp: boolean;
};

const OBJECTIVE_MARGIN_MS = 6 * HOUR;

/**
 * What a console must conclude, from the history as written: protection from the newest
 * finished iteration against the plan's period plus the margin (a day when the plan never
 * fires), the activity as the scenario set it up.
 */
function finalize(d: Draft): MachineSpec {
  const { activity, periodMs, notBackedUp, ...spec } = d;
  let protection: ExpectedProtection;
  const good = spec.iterations.filter((i) => i.mode === 'finished').map((i) => i.stateAgoMs ?? i.agoMs);
  if (notBackedUp) protection = 'excluded';
  else if (good.length === 0) protection = 'never';
  else protection = Math.min(...good) > (periodMs ?? DAY) + OBJECTIVE_MARGIN_MS ? 'stale' : 'protected';
  return { ...spec, expected: headlineOf(protection, activity), expectedProtection: protection, expectedActivity: activity };
}

/** Moves a history back in time: the directory was left alone for `offset` since. */
function aged(d: Draft, offset: number): Draft {
  if (offset === 0) return d;
  const shift = (ms: number | undefined) => (ms === undefined ? undefined : ms + offset);
  return {
    ...d,
    createdAgoMs: shift(d.createdAgoMs),
    iterations: d.iterations.map((it) => ({
      ...it,
      agoMs: it.agoMs + offset,
      stateAgoMs: shift(it.stateAgoMs),
      modifiedAgoMs: shift(it.modifiedAgoMs),
    })),
  };
}

function buildMachine(dice: Dice, o: LargeCloudOptions, now: Date, plan: PoolPlan, k: number, index: number, place: Placement): Draft {
  const pool = plan.spec;
  const uuid = dice.uuid();
  const role = dice.pick(ROLES);
  const n = index + 1;
  const node = pool.nodes[k % pool.nodes.length];
  const mac = `52:54:00:${[16, 8, 0].map((s) => ((place.mac >>> s) & 255).toString(16).padStart(2, '0')).join(':')}`;
  const disks: DiskSpec[] = Array.from({ length: o.disksPerMachine }, (_, d) => ({
    target: `vd${String.fromCharCode(97 + d)}`,
    device: 'disk',
    volumeUuid: dice.uuid(),
    capacityBytes: (d === 0 ? dice.pick([10, 20, 40]) : dice.pick([50, 100, 200, 500])) * GiB,
  }));
  const base = {
    uuid,
    poolUuid: pool.uuid,
    node,
    status: dice.chance(0.9) ? ('running' as const) : ('shutdown' as const),
    memoryBytes: dice.pick([1, 2, 4, 8, 16]) * GiB,
    vcpu: dice.pick([1, 2, 4, 8]),
    os: dice.chance(0.15) ? ('windows' as const) : ('linux' as const),
    disks,
    mac,
    ip: place.ip,
    spicePort: 5900 + index,
  };
  // Unfinished steps are under way at `now`, or, in an old directory, were abandoned then.
  const underWay: ExpectedActivity = place.old ? 'stuck' : 'running';

  if (pool.type === 'dynamic' && k > 0) {
    // Clones are rebuilt from the golden image; the scheduler never backs them up.
    return {
      ...base,
      name: `desktop-${pad(n, 5)}`,
      subType: 'Desktop',
      backup: 'absent',
      iterations: [],
      activity: null,
      periodMs: DAY,
      notBackedUp: true,
      story: 'dynamic clone without ou=backup',
    };
  }
  const subType =
    pool.type === 'template' ? 'VM-Template' : pool.type === 'dynamic' ? 'Golden-Image' : dice.chance(0.9) ? 'Server' : 'Desktop';
  const name =
    pool.type === 'template' ? `tpl-${role}-${pad(n, 5)}` : pool.type === 'dynamic' ? `golden-${pad(n, 5)}` : `${role}-${pad(n, 5)}`;
  const templateMode = pool.type === 'template' ? 'ready for use' : undefined;
  const common = { ...base, name, subType, templateMode };

  // Machines created in the last day have no ou=backup yet (more of them where nobody looked for years).
  if (dice.chance(place.old ? 0.03 : 0.01)) {
    return {
      ...common,
      backup: 'absent',
      iterations: [],
      createdAgoMs: dice.int(1, 20) * HOUR,
      activity: null,
      periodMs: DAY,
      notBackedUp: false,
      story: place.old ? 'created then, never got an ou=backup' : 'created today, no ou=backup yet',
    };
  }

  // Their own configuration: a few excluded, a few with a plan of their own.
  let backup: MachineSpec['backup'] = 'plain';
  let cron = plan.cron;
  let everyDays = plan.everyDays;
  let excluded = plan.excluded;
  const own = dice.float();
  if (own < 0.02) {
    backup = { exclude: true };
    excluded = true;
  } else if (own < 0.05) {
    cron = daily(dice.int(0, 5), 5 * dice.int(0, 11));
    everyDays = 1;
    backup = { ...FILES, iterations: o.iterationsPerMachine, cron };
    // fc-brokerd reads the exclude flag only from the level it takes, here the machine's own (daemons.md, fact 4).
    excluded = false;
  }
  const periodMs = cron ? everyDays * DAY : null;
  const draft = { ...common, backup, periodMs, notBackedUp: excluded };

  const runs = cron
    ? lastDailyRuns(now, cron, o.iterationsPerMachine + 4, everyDays)
    : lastDailyRuns(now, daily(4, 0), o.iterationsPerMachine + 4, 1).map((t) => t - 20 * DAY);
  // Seconds the stoney wrapper adds to the name (it writes %S from gmtime when it starts).
  const started = (t: number) => t + dice.int(0, 59) * 1000;
  // Step times vary per machine and night: merges with the disks' churn, retains with their size.
  const stepSeconds = () => ({ snapshot: dice.int(5, 40), downtime: dice.int(1, 6), merge: dice.int(60, 1500), retain: dice.int(30, 900) });
  const finished = (t: number): IterationSpec => ({
    agoMs: now.getTime() - t,
    mode: 'finished',
    stateAgoMs: now.getTime() - t - dice.int(300, 3600) * 1000,
    stepSeconds: stepSeconds(),
  });
  const history = (from: number, count: number) => runs.slice(from, from + count).map((t) => finished(started(t)));
  const count = o.iterationsPerMachine;

  if (excluded) {
    // Excluded a while ago: an old history remains.
    const its = count > 0 ? runs.slice(0, count).map((t) => finished(started(t - 30 * DAY))) : [];
    return { ...draft, iterations: its, activity: null, story: 'excluded from backup' };
  }
  if (!cron) {
    return {
      ...draft,
      iterations: runs.slice(0, count).map((t) => finished(started(t))),
      activity: null,
      story: "the pool's plan is switched off",
    };
  }
  if (count === 0) return { ...draft, iterations: [], activity: null, story: 'no iteration kept' };

  const roll = dice.float();
  const newestAge = now.getTime() - runs[0];
  if (node === place.downNode && everyDays === 1 && dice.chance(0.4)) {
    // The node was in maintenance for three nights; the machines that ran on it then (the others
    // were migrated there since) have nothing newer than three days.
    return { ...draft, iterations: history(3, count), activity: null, story: 'its node was down for three nights' };
  }
  if (roll < 0.005) {
    // ou=backup exists, yet the very first backup failed: never backed up, and failed.
    const failure = dice.pick(FAILURES);
    return {
      ...draft,
      iterations: [{ agoMs: now.getTime() - started(runs[0]), mode: failure.mode, returnValue: failure.code }],
      activity: 'failed',
      story: `its first backup failed (${failure.mode}, ${failure.code})`,
    };
  }
  if (roll < 0.03) {
    // A failed step blocks the machine: no iteration after it. Failed one to three runs ago.
    const back = dice.int(0, 2);
    const failure = dice.pick(FAILURES);
    const its = [
      { agoMs: now.getTime() - started(runs[back]), mode: failure.mode, returnValue: failure.code },
      ...history(back + 1, count - 1),
    ];
    return { ...draft, iterations: its, activity: 'failed', story: `${failure.mode} failed with ${failure.code}` };
  }
  if (place.old && roll < 0.07) {
    // A merge the node daemon took and never finished, left so ever since.
    const start = now.getTime() - started(runs[0]);
    const its = [
      { agoMs: start, mode: dice.pick(['merging', 'merge']), modifiedAgoMs: start - dice.int(20, 90) * 1000 },
      ...history(1, count - 1),
    ];
    return { ...draft, iterations: its, activity: 'stuck', story: 'a merge stuck since then' };
  }
  if (roll < 0.045 && (place.old || (newestAge < 2 * HOUR && everyDays === 1))) {
    // Tonight's backup is still running (only plausible right after the plan's time).
    const mode = dice.pick(['snapshotting', 'merging', 'merge', 'retaining']);
    const start = Math.max(MINUTE, now.getTime() - started(runs[0]));
    const its = [{ agoMs: start, mode, modifiedAgoMs: Math.max(1000, start - dice.int(5, 60) * 1000) }, ...history(1, count - 1)];
    return { ...draft, iterations: its, activity: underWay, story: place.old ? `a backup left in ${mode}` : `tonight's backup is ${mode}` };
  }
  if (roll < 0.05 || (place.old && roll < 0.085)) {
    // An administrator restores an older iteration: phase 1 done, waiting for the confirmation.
    const its = history(0, count);
    const target = its[Math.min(its.length - 1, dice.int(2, 5))];
    target.mode = 'unretainedSmallFiles';
    target.stateAgoMs = dice.int(2, 30) * MINUTE;
    return {
      ...draft,
      iterations: its,
      activity: underWay,
      story: place.old ? 'a restore abandoned in phase 1' : 'a restore waits in phase 1',
    };
  }
  if ((roll < 0.055 || (place.old && roll < 0.1)) && count >= 2) {
    // FOSS-Cloud pruning: the oldest finished iteration is being deleted.
    const its = history(0, count);
    const oldest = its[its.length - 1];
    oldest.mode = 'deleting';
    delete oldest.stateAgoMs;
    oldest.modifiedAgoMs = dice.int(1, 30) * MINUTE;
    return {
      ...draft,
      iterations: its,
      activity: underWay,
      story: place.old ? 'a prune left half-way' : 'the oldest iteration is being pruned',
    };
  }
  if (roll < 0.07) {
    // A cancelled restore leaves a stray 18 on a finished iteration; still protected.
    const its = history(0, count);
    its[Math.min(its.length - 1, 1)].returnValue = 18;
    return { ...draft, iterations: its, activity: null, story: 'a cancelled restore left return value 18' };
  }
  return { ...draft, iterations: history(0, count), activity: null, story: 'nightly backups' };
}
