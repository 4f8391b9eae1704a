/**
 * The demo stoney cloud: two nodes, the installer's three storage pools, three machine pools and
 * eleven machines whose backup histories cover every situation the console must show (protected,
 * running, failed, stale, never backed up, excluded, a restore waiting half-way).
 *
 * Iteration names are computed from `now`, so the situations hold whenever the demo is built;
 * the same `now` always gives the same LDIF.
 */
import { resolveWallTime, wallFieldsAt } from '../../lib/cron/time-zone';
import {
  buildCloudLdif,
  DAY,
  finishedAgo,
  GiB,
  HOUR,
  loginOf,
  MINUTE,
  summarizeCloud,
  type BackupPlanSpec,
  type CloudSpec,
  type IterationSpec,
  type MachineSummary,
  type PersonSpec,
} from './cloud-ldif';
import { defaultNetwork, defaultNode, FILES, STORAGE, STORAGE_POOLS } from './default-installation';

const BASE_DN = 'dc=stoney-cloud,dc=org';
const NODES = [defaultNode(1, 'VM node in rack A'), defaultNode(2, 'VM node in rack B')];
const [NODE_1, NODE_2] = NODES.map((n) => n.fqdn);

const POOL = {
  production: '356a6a56-652e-401c-961e-d56aa7c2c4a7',
  templates: 'a83dfea2-d280-4969-a5d4-1f2760315e31',
  classroom: '4b1a89eb-d751-44d8-87c1-8d732b37db61',
} as const;

/**
 * Where the demo's files are: the defaults of a real installation, or a temporary node tree
 * (scripts/node/node-tree.ts) for the demo and the tests. Backup root and retain directory are
 * file:// URLs, as the directory holds them.
 */
export interface DemoPaths {
  virtualizationRoot: string;
  backupRoot: string;
  retainRoot: string;
}

export const DEFAULT_DEMO_PATHS: Readonly<DemoPaths> = {
  virtualizationRoot: '/var/virtualization',
  backupRoot: FILES.rootDirectory,
  retainRoot: FILES.retainDirectory,
};

const GLOBAL_BACKUP: BackupPlanSpec = {
  ...FILES,
  iterations: 3,
  cron: { minute: '0', hour: '3', day: '*', month: '*', dayOfWeek: '*', active: true },
};

const TEMPLATES_BACKUP: BackupPlanSpec = {
  ...FILES,
  iterations: 2,
  cron: { minute: '30', hour: '2', day: '*', month: '*', dayOfWeek: '0', active: true },
};

const DB_BACKUP: BackupPlanSpec = {
  ...FILES,
  iterations: 7,
  cron: { minute: '30', hour: '1', day: '*', month: '*', dayOfWeek: '*', active: true },
};

/** A demo person: signs in with <login>-demo, mail given.surname@stoney-cloud.org, a User unless said otherwise. */
const person = (
  uid: string,
  login: string,
  [givenName, surname]: [string, string],
  gender: PersonSpec['gender'],
  preferredLanguage: string,
  more: Partial<Pick<PersonSpec, 'roles' | 'groupUids'>> = {},
): PersonSpec => ({
  uid,
  login,
  password: `${login}-demo`,
  givenName,
  surname,
  mail: `${givenName}.${surname}@stoney-cloud.org`.toLowerCase(),
  gender,
  preferredLanguage,
  timeZoneOffset: '+01:00',
  roles: ['User'],
  ...more,
});

const spec: CloudSpec = {
  baseDn: BASE_DN,
  organization: 'stoney cloud',
  reseller: { uid: '4000000', name: 'stepping stone GmbH' },
  customer: { uid: '4000001', name: 'Demo Customer AG' },
  realm: { uid: '4000013', displayName: 'stoney cloud' },
  nextFreeUid: '4000030',
  cloudId: 'a4b8be71-1b9d-415d-83c9-4e3fa4ff16f4',
  serviceAccounts: [
    { cn: 'prov-backup-kvm', password: 'prov-backup-kvm-demo' },
    { cn: 'dhcp', password: 'dhcp-demo' },
  ],
  people: [
    person('4000002', 'admin', ['Ada', 'Admin'], 'f', 'en-GB', { roles: ['Admin Virtualization'] }),
    person('4000003', 'user', ['Udo', 'User'], 'm', 'de-CH'),
    person('4000004', 'operator', ['Olga', 'Operator'], 'f', 'en-GB', { groupUids: ['4000014'] }),
    // People with one capability each, and one limited to a pool (see DEMO.grants).
    person('4000020', 'viewer', ['Vera', 'Viewer'], 'f', 'en-GB', { groupUids: ['4000025'] }),
    person('4000021', 'configurer', ['Carl', 'Configurer'], 'm', 'de-CH', { groupUids: ['4000026'] }),
    person('4000022', 'restorer', ['Rita', 'Restorer'], 'f', 'en-GB', { groupUids: ['4000027'] }),
    person('4000023', 'production', ['Paul', 'Production'], 'm', 'de-CH', { groupUids: ['4000028'] }),
  ],
  groups: [
    { uid: '4000014', displayName: 'Backup operators', groupName: 'backup-operators', description: 'May run restores' },
    { uid: '4000015', displayName: 'Teachers', groupName: 'teachers' },
    { uid: '4000025', displayName: 'Backup viewers', groupName: 'backup-viewers', description: 'May see every machine and its backups' },
    {
      uid: '4000026',
      displayName: 'Backup configurers',
      groupName: 'backup-configurers',
      description: 'May change backup plans and exclude machines',
    },
    { uid: '4000027', displayName: 'Restorers', groupName: 'restorers', description: 'May restore any machine' },
    {
      uid: '4000028',
      displayName: 'Production team',
      groupName: 'production-team',
      description: 'May configure and restore the production servers only',
    },
  ],
  nodes: NODES,
  storagePools: [...STORAGE_POOLS],
  pools: [
    {
      uuid: POOL.production,
      name: 'Production servers',
      type: 'persistent',
      description: 'Customer-facing servers',
      storagePoolUuid: STORAGE.persistent,
      nodes: [NODE_1, NODE_2],
      range: '10.1.130.64/26',
      people: ['4000003'],
    },
    {
      uuid: POOL.templates,
      name: 'Templates',
      type: 'template',
      description: 'Machine templates, backed up weekly',
      storagePoolUuid: STORAGE.template,
      nodes: [NODE_1, NODE_2],
      range: '10.1.130.128/26',
      backup: TEMPLATES_BACKUP,
    },
    {
      uuid: POOL.classroom,
      name: 'Classroom desktops',
      type: 'dynamic',
      description: 'Desktops cloned from the golden image',
      storagePoolUuid: STORAGE.dynamic,
      nodes: [NODE_2],
      range: '10.1.130.192/26',
      groups: ['4000015'],
      dynamic: {
        min: 3,
        max: 14,
        preStart: 2,
        goldenImageUuid: '0e5d1294-c2a4-466b-a261-eac930e38dd9',
        shutdown: { minute: '0', hour: '22', day: '*', month: '*', dayOfWeek: '1,2,3,4,5', active: true },
      },
    },
  ],
  globalBackup: GLOBAL_BACKUP,
  network: defaultNetwork('10.1.130.0', 24, '10.1.130.1', '10.1.130.2'),
  machines: [
    {
      uuid: 'dba52a0a-45ce-4371-9b8f-f49652b9d1f1',
      name: 'web-01',
      poolUuid: POOL.production,
      node: NODE_1,
      subType: 'Server',
      status: 'running',
      memoryBytes: 4 * GiB,
      vcpu: 2,
      os: 'linux',
      disks: [
        { target: 'vda', device: 'disk', volumeUuid: 'e92909c7-2724-4ed3-9b37-3e2f34a6a65b', capacityBytes: 20 * GiB },
        { target: 'vdb', device: 'disk', volumeUuid: '2aad6a22-b848-47ca-abe9-5e982caf5017', capacityBytes: 100 * GiB },
      ],
      mac: '52:54:00:1a:00:01',
      ip: '10.1.130.65',
      spicePort: 5900,
      ownerUid: '4000002',
      people: ['4000003'],
      backup: 'plain',
      iterations: [finishedAgo(20 * HOUR), finishedAgo(44 * HOUR), finishedAgo(68 * HOUR)],
      description: 'Public web server, memory raised to 4 GiB for the spring sale',
      videoVramKiB: 65536,
      // Since the last backup, memory was doubled, the description rewritten and the video card
      // changed: a restore meets a grouped LDIF+XML conflict (memory), an LDIF-only one
      // (description) and an XML-only one (vram).
      atBackup: { memoryBytes: 2 * GiB, description: 'Public web server', videoVramKiB: 16384 },
      expected: 'protected',
      story: 'three nightly backups under the cloud-wide plan',
    },
    {
      uuid: 'b0eda3ea-1c19-4d21-8c8c-ace45ac9f714',
      name: 'db-01',
      poolUuid: POOL.production,
      node: NODE_2,
      subType: 'Server',
      status: 'running',
      memoryBytes: 8 * GiB,
      vcpu: 4,
      os: 'linux',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: 'cdaf94cf-e043-483d-a7c1-df9d25a42352', capacityBytes: 40 * GiB }],
      mac: '52:54:00:1a:00:02',
      ip: '10.1.130.66',
      spicePort: 5901,
      backup: DB_BACKUP,
      iterations: [finishedAgo(21 * HOUR), finishedAgo(45 * HOUR)],
      expected: 'protected',
      story: 'its own plan (01:30 daily, 7 iterations)',
    },
    {
      uuid: '6a5b023f-1210-451b-8c09-cee7de346edc',
      name: 'mail-01',
      poolUuid: POOL.production,
      node: NODE_1,
      subType: 'Server',
      status: 'running',
      memoryBytes: 4 * GiB,
      vcpu: 2,
      os: 'linux',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: 'ac2a00b2-10c6-4082-8f9a-1097422d0fd2', capacityBytes: 50 * GiB }],
      mac: '52:54:00:1a:00:03',
      ip: '10.1.130.67',
      spicePort: 5902,
      backup: 'plain',
      iterations: [finishedAgo(44 * HOUR), { agoMs: 20 * HOUR, mode: 'merging', returnValue: 11 }],
      expected: 'failed',
      expectedProtection: 'stale',
      story: "last night's backup stuck in merging with 11 (CANNOT_MERGE_DISK_IMAGES); the last good one is 44 hours old",
    },
    {
      uuid: '0b00508d-8b78-4d88-8fc5-1d9e3098556e',
      name: 'app-01',
      poolUuid: POOL.production,
      node: NODE_2,
      subType: 'Server',
      status: 'running',
      memoryBytes: 2 * GiB,
      vcpu: 2,
      os: 'linux',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: 'cbc96f59-e981-401b-a628-5397a5d91587', capacityBytes: 20 * GiB }],
      mac: '52:54:00:1a:00:04',
      ip: '10.1.130.68',
      spicePort: 5903,
      backup: 'plain',
      iterations: [finishedAgo(21 * HOUR), { agoMs: 10 * MINUTE, mode: 'snapshotting' }],
      expected: 'running',
      expectedProtection: 'protected',
      story: 'a backup started ten minutes ago is snapshotting',
    },
    {
      uuid: '71fc1649-bb98-4e41-8731-cd91287b5e3a',
      name: 'Legacy ERP, Müller & Söhne',
      poolUuid: POOL.production,
      node: NODE_1,
      subType: 'Server',
      status: 'running',
      memoryBytes: 6 * GiB,
      vcpu: 2,
      os: 'windows',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: '55de1683-3856-437c-9b98-aa90d044e8f6', capacityBytes: 80 * GiB }],
      mac: '52:54:00:1a:00:05',
      ip: '10.1.130.69',
      spicePort: 5904,
      backup: { exclude: true },
      iterations: [finishedAgo(30 * DAY)],
      expected: 'excluded',
      story: 'excluded from backup on its ou=backup; one old backup remains',
    },
    {
      uuid: '3090e627-e69a-4235-85b3-1cf8e7896ba8',
      name: 'new-01',
      poolUuid: POOL.production,
      node: NODE_2,
      subType: 'Server',
      status: 'running',
      memoryBytes: 2 * GiB,
      vcpu: 1,
      os: 'linux',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: '47959dc6-4646-484b-aa9d-2805b75d6417', capacityBytes: 20 * GiB }],
      mac: '52:54:00:1a:00:06',
      ip: '10.1.130.70',
      spicePort: 5905,
      backup: 'absent',
      iterations: [],
      createdAgoMs: 5 * HOUR,
      expected: 'never',
      story: 'created today, no ou=backup yet',
    },
    {
      uuid: 'f13be61b-f75b-43a3-8859-70a8b172333f',
      name: 'files-01',
      poolUuid: POOL.production,
      node: NODE_1,
      subType: 'Server',
      status: 'running',
      memoryBytes: 4 * GiB,
      vcpu: 2,
      os: 'linux',
      disks: [
        { target: 'vda', device: 'disk', volumeUuid: '7ab0371f-88a1-47ae-a14c-8a1ce9ea0356', capacityBytes: 200 * GiB },
        // CD-ROMs are not backed up; a console must skip them.
        { target: 'hdc', device: 'cdrom', isoFile: '/var/virtualization/iso/debian-12-amd64-netinst.iso' },
      ],
      mac: '52:54:00:1a:00:07',
      ip: '10.1.130.71',
      spicePort: 5906,
      backup: 'plain',
      iterations: [finishedAgo(6 * DAY), finishedAgo(7 * DAY)],
      expected: 'stale',
      story: 'daily plan, but the newest backup is six days old',
    },
    {
      uuid: '69d5badd-26d4-4124-b1cc-8e10898e9f85',
      name: 'tpl-debian-12',
      poolUuid: POOL.templates,
      node: NODE_1,
      subType: 'VM-Template',
      templateMode: 'ready for use',
      status: 'shutdown',
      memoryBytes: 2 * GiB,
      vcpu: 1,
      os: 'linux',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: '2a439396-8ee9-4f12-a810-026c73d8d2d8', capacityBytes: 10 * GiB }],
      mac: '52:54:00:1a:00:08',
      ip: '10.1.130.129',
      spicePort: 5907,
      backup: 'plain',
      iterations: [finishedAgo(5 * DAY), { agoMs: 12 * DAY, mode: 'unretainedSmallFiles', stateAgoMs: 3 * MINUTE }],
      expected: 'running',
      expectedProtection: 'protected',
      story: 'a restore of the 12-day-old backup waits in phase 1 (small files unretained)',
    },
    {
      uuid: '2c54c138-1d6b-47eb-a334-62266e39bd46',
      name: 'tpl-windows-2022',
      poolUuid: POOL.templates,
      node: NODE_2,
      subType: 'VM-Template',
      templateMode: 'ready for use',
      status: 'shutdown',
      memoryBytes: 4 * GiB,
      vcpu: 2,
      os: 'windows',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: 'c59b0925-d8f7-424a-bd29-0d1e63e33afe', capacityBytes: 60 * GiB }],
      mac: '52:54:00:1a:00:09',
      ip: '10.1.130.130',
      spicePort: 5908,
      backup: 'plain',
      iterations: [finishedAgo(5 * DAY)],
      expected: 'protected',
      story: 'weekly pool plan (Sundays 02:30); five days is within it',
    },
    {
      uuid: '0e5d1294-c2a4-466b-a261-eac930e38dd9',
      name: 'golden-desktop',
      poolUuid: POOL.classroom,
      node: NODE_2,
      subType: 'Golden-Image',
      status: 'shutdown',
      memoryBytes: 4 * GiB,
      vcpu: 2,
      os: 'linux',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: '4c92029a-4bdd-4f6a-9792-5d145d89b60d', capacityBytes: 30 * GiB }],
      mac: '52:54:00:1a:00:0a',
      ip: '10.1.130.193',
      spicePort: 5909,
      backup: 'plain',
      iterations: [finishedAgo(22 * HOUR)],
      expected: 'protected',
      story: 'golden image of the dynamic pool, backed up last night',
    },
    {
      uuid: '5c3f9e21-8a7d-4b6e-9f10-2d4c6a8e0b13',
      name: 'golden-desktop clone',
      poolUuid: POOL.classroom,
      node: NODE_2,
      subType: 'Desktop',
      status: 'running',
      memoryBytes: 4 * GiB,
      vcpu: 2,
      os: 'linux',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: '8e1d7c42-5b9a-4f3e-a6d0-71c2e5b8f904', capacityBytes: 30 * GiB }],
      mac: '52:54:00:1a:00:0b',
      ip: '10.1.130.194',
      spicePort: 5910,
      backup: 'absent',
      iterations: [],
      expected: 'excluded',
      story: 'a dynamic clone of the golden image, without ou=backup: rebuilt from it, never backed up',
    },
  ],
};

export type DemoMachine = MachineSummary;

export const DEMO = {
  baseDn: BASE_DN,
  rootDn: `cn=Manager,${BASE_DN}`,
  rootPassword: 'demo-manager-secret',
  realmUid: spec.realm.uid,
  resellerUid: spec.reseller.uid,
  customerUid: spec.customer.uid,
  logins: {
    admin: loginOf(spec, 'admin'),
    user: loginOf(spec, 'user'),
    operator: loginOf(spec, 'operator'),
    viewer: loginOf(spec, 'viewer'),
    configurer: loginOf(spec, 'configurer'),
    restorer: loginOf(spec, 'restorer'),
    production: loginOf(spec, 'production'),
  },
  /**
   * The console's grant rules for the demo people (CONSOLE_*_GRANTS): viewer sees everything,
   * configurer configures everything, restorer restores everything, production configures and
   * restores the Production servers pool only (and sees only it).
   */
  grants: {
    CONSOLE_VIEW_GRANTS: 'group:backup-viewers',
    CONSOLE_CONFIGURE_GRANTS: `group:backup-configurers; group:Production team@${POOL.production}`,
    CONSOLE_RESTORE_GRANTS: `group:restorers; group:production-team@${POOL.production}`,
  },
  /** Members of this group are console administrators when the console is configured with it. */
  adminGroupUid: '4000014',
  ...summarizeCloud(spec),
} as const;

/** The full machine descriptions (MACs, IPs, disks, iterations) for tests that need more than DEMO. */
export const DEMO_SPEC: Readonly<CloudSpec> = spec;

function withRoots(plan: BackupPlanSpec | undefined, paths: DemoPaths): BackupPlanSpec | undefined {
  if (!plan) return plan;
  return {
    ...plan,
    ...(plan.rootDirectory !== undefined ? { rootDirectory: paths.backupRoot } : {}),
    ...(plan.retainDirectory !== undefined ? { retainDirectory: paths.retainRoot } : {}),
  };
}

/**
 * The demo comes in both kinds of installation (lib/backup/installation.ts, README "Two kinds of
 * installation"). FOSS-Cloud (the default, what the demo always was): several iteration leaves
 * per machine in the directory. stoney cloud: the directory keeps each machine's last run only,
 * every older iteration is a folder on the node, and iterations start at the node's nightly
 * crontab run (02:30 in the node's zone) with the wrapper's UTC names.
 */
export type DemoKind = 'foss-cloud' | 'stoney-cloud';

export const DEMO_NODE_TIME_ZONE = 'Europe/Zurich';
const NIGHTLY = { hour: 2, minute: 30 };

/** The k-th most recent nightly wrapper run at or before `now` (k = 0: the latest). */
function nightlyRun(now: Date, k: number): number {
  const today = wallFieldsAt(now.getTime(), DEMO_NODE_TIME_ZONE);
  for (let back = 0, found = -1; ; back += 1) {
    const wall = Date.UTC(today.year, today.month - 1, today.day - back, NIGHTLY.hour, NIGHTLY.minute);
    const r = resolveWallTime(wall, DEMO_NODE_TIME_ZONE);
    const at = r.kind === 'normal' ? r.at : r.kind === 'overlap' ? r.first : r.transition;
    if (at > now.getTime()) continue;
    found += 1;
    if (found === k) return at;
  }
}

/**
 * Iterations moved to the nightly runs (newest first, one night each at least), starting a few
 * seconds after 02:30 as the wrapper does; how long each step took stays as it was.
 */
function alignedToNightlyRuns(iterations: IterationSpec[], now: Date, salt: number): IterationSpec[] {
  let previous = -1;
  return [...iterations]
    .sort((a, b) => a.agoMs - b.agoMs)
    .map((it, i) => {
      const night = Math.max(Math.floor(it.agoMs / DAY), previous + 1);
      previous = night;
      const startedAt = nightlyRun(now, night) + (3 + ((salt + i * 7) % 40)) * 1000;
      const agoMs = now.getTime() - startedAt;
      // A step under way keeps the recent change it had (its modifyTimestamp): moved to the night's
      // start, it would otherwise look stuck for as long as the night is past.
      const moving =
        it.mode !== 'finished' && it.stateAgoMs === undefined && (it.returnValue ?? 0) === 0
          ? { modifiedAgoMs: it.modifiedAgoMs ?? it.agoMs }
          : {};
      return { ...it, agoMs, ...moving, ...(it.stateAgoMs !== undefined ? { stateAgoMs: agoMs - (it.agoMs - it.stateAgoMs) } : {}) };
    });
}

export type DemoSpecOptions = { kind?: DemoKind; now?: Date };

/** The demo cloud with its disk images, backup root and retain directory under the given paths. */
export function demoSpec(paths: Partial<DemoPaths> = {}, options: DemoSpecOptions = {}): CloudSpec {
  const p: DemoPaths = { ...DEFAULT_DEMO_PATHS, ...paths };
  const stoney = options.kind === 'stoney-cloud';
  if (stoney && !options.now) throw new Error('the stoney cloud demo needs the time it is built for');
  return {
    ...spec,
    virtualizationRoot: p.virtualizationRoot,
    globalBackup: withRoots(spec.globalBackup, p) ?? spec.globalBackup,
    pools: spec.pools.map((pool) => ({ ...pool, backup: withRoots(pool.backup, p) })),
    machines: spec.machines.map((m, i) => ({
      ...m,
      backup: typeof m.backup === 'string' ? m.backup : (withRoots(m.backup, p) ?? m.backup),
      iterations: stoney && options.now ? alignedToNightlyRuns(m.iterations, options.now, i * 11) : m.iterations,
    })),
  };
}

export function buildDemoDirectory(
  now: Date,
  paths: Partial<DemoPaths> = {},
  options: { kind?: DemoKind } = {},
): { baseDn: string; ldif: string } {
  const kind = options.kind ?? 'foss-cloud';
  const full = demoSpec(paths, { kind, now });
  // stoney cloud: the wrapper keeps only the last run's leaf; the older ones are folders on the node.
  const directory: CloudSpec =
    kind === 'stoney-cloud'
      ? {
          ...full,
          machines: full.machines.map((m) => ({ ...m, iterations: [...m.iterations].sort((a, b) => a.agoMs - b.agoMs).slice(0, 1) })),
        }
      : full;
  const header = `stoney cloud demo directory${kind === 'stoney-cloud' ? ' (stoney cloud kind: one leaf per machine)' : ''}, generated for ${now.toISOString()} by scripts/directory/demo-directory.ts`;
  return { baseDn: BASE_DN, ldif: buildCloudLdif(directory, now, header) };
}

/** What a console applying stoney cloud's rules should conclude about each demo machine (by name). */
export const STONEY_EXPECTED: Readonly<Record<string, { status: string; story: string }>> = {
  'web-01': { status: 'protected', story: "last night's run; two older iterations are folders on the node only" },
  'db-01': { status: 'protected', story: "last night's run" },
  'mail-01': { status: 'blocked', story: 'its one leaf is a failed merge: the wrapper skips it every night' },
  'app-01': {
    status: 'running',
    story:
      'the run that started at the last nightly run is snapshotting (its step changed ten minutes ago); the good run before it is a folder on the node',
  },
  'Legacy ERP, Müller & Söhne': { status: 'excluded', story: 'its own flag; the wrapper reads only that' },
  'new-01': { status: 'never', story: 'no ou=backup yet: the wrapper creates one at its next run' },
  'files-01': { status: 'stale', story: 'newest backup six nights old' },
  'tpl-debian-12': { status: 'stale', story: 'five nights old, and on stoney cloud the nightly crontab decides, not the pool plan' },
  'tpl-windows-2022': { status: 'stale', story: 'five nights old under the nightly crontab' },
  'golden-desktop': { status: 'protected', story: "last night's run" },
  'golden-desktop clone': {
    status: 'never',
    story: 'a dynamic clone without ou=backup: the wrapper backs up every machine of its node, clones too, and creates one at its next run',
  },
};
