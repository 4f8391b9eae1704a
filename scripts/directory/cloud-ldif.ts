/**
 * Turns a small description of a stoney cloud (people, nodes, pools, machines, backup plans and
 * iterations) into LDIF laid out the way a real installation is (shared/spec/directory.md §1–2).
 * Both test directories are built with it, so they differ only in data, never in shape — which
 * is the point: the console must cope with any installation's names without code changes.
 *
 * Output is deterministic (fixed salts, times relative to the given `now`) so that the same input
 * always gives the same text.
 */
import { createHash } from 'node:crypto';
import type { CronPlan } from '../../lib/cron/cron-plan';
import { sshaHash } from './slapd';

// ---------------------------------------------------------------------------------------------
// Description types
// ---------------------------------------------------------------------------------------------

export type PoolType = 'persistent' | 'template' | 'dynamic';

/** What a console should conclude about a machine's backups at `now` (the headline status). */
export type ExpectedStatus = 'protected' | 'running' | 'failed' | 'stuck' | 'stale' | 'never' | 'excluded';
/** The side of the status about the last good backup. */
export type ExpectedProtection = 'protected' | 'stale' | 'never' | 'excluded';
/** The side about what is happening now. */
export type ExpectedActivity = 'running' | 'stuck' | 'failed';

/** Most urgent first, as the console picks the headline. */
const HEADLINE_ORDER: readonly ExpectedStatus[] = ['failed', 'stuck', 'never', 'stale', 'running', 'excluded', 'protected'];

export function headlineOf(protection: ExpectedProtection, activity: ExpectedActivity | null): ExpectedStatus {
  return HEADLINE_ORDER.find((s) => s === protection || s === activity) ?? protection;
}

/** A schedule as the directory stores it. */
export type CronSpec = CronPlan;

/** One backup configuration entry; only the given attributes are written. */
export interface BackupPlanSpec {
  cron?: CronSpec;
  iterations?: number;
  rootDirectory?: string;
  retainDirectory?: string;
  ramDiskLocation?: string;
  restoreWithoutState?: boolean;
  forceStart?: boolean;
  bandwidthMerge?: number;
  imageFormat?: string;
  imageOwner?: string;
  imageGroup?: string;
  imagePermission?: number;
  directoryOwner?: string;
  directoryGroup?: string;
  directoryPermission?: number;
  exclude?: boolean;
}

export interface PersonSpec {
  uid: string;
  /** `cn`, what the user types at the login form. */
  login: string;
  password: string;
  givenName: string;
  surname: string;
  mail: string;
  gender: 'm' | 'f';
  preferredLanguage: string;
  timeZoneOffset: string;
  /** stoney role model: one `sstRole=<name>` child each. */
  roles: string[];
  groupUids?: string[];
}

export interface GroupSpec {
  uid: string;
  displayName: string;
  groupName: string;
  description?: string;
}

export interface NodeSpec {
  fqdn: string;
  description: string;
  ip: { admin: string; data: string; int: string; pub: string };
  state: 'active' | 'maintenance';
}

export interface StoragePoolSpec {
  uuid: string;
  type: PoolType;
  displayName: string;
}

export interface VmPoolSpec {
  uuid: string;
  name: string;
  type: PoolType;
  description: string;
  storagePoolUuid: string;
  nodes: string[];
  /** CIDR of the DHCP range the pool hands addresses out of. */
  range: string;
  /** Pool-level plan on `ou=backup`; absent = plain `ou=backup`. */
  backup?: BackupPlanSpec;
  dynamic?: { min: number; max: number; preStart: number; goldenImageUuid?: string; shutdown: CronSpec };
  people?: string[];
  groups?: string[];
}

export interface DiskSpec {
  target: string;
  device: 'disk' | 'cdrom';
  /** Disks: the volume UUID (file name in the storage pool). */
  volumeUuid?: string;
  capacityBytes?: number;
  /** CD-ROMs: the ISO path. */
  isoFile?: string;
}

export interface IterationSpec {
  /** Iteration start, this long before `now`. */
  agoMs: number;
  mode: string;
  returnValue?: number;
  /** When the last step finished, this long before `now`; absent = state `0` (step pending or stuck). */
  stateAgoMs?: number;
  /** Backup steps already done; default: derived from the mode. */
  completedSteps?: Array<'snapshot' | 'merge' | 'retain'>;
  /** When the entry last changed (its modifyTimestamp), this long before `now`; default: the state time, else the start. */
  modifiedAgoMs?: number;
  /** Seconds the node daemon recorded per completed step; default: fixed values varied by the start time. */
  stepSeconds?: { snapshot: number; downtime: number; merge: number; retain: number };
}

/** A finished backup started `agoMs` before now, its last step done 447 s later (snapshot, merge and retain), as the daemon stamps it. */
export function finishedAgo(agoMs: number): IterationSpec {
  return { agoMs, mode: 'finished', stateAgoMs: agoMs - 447_000 };
}

export interface MachineSpec {
  uuid: string;
  name: string;
  poolUuid: string;
  node: string;
  subType: string;
  status: 'running' | 'shutdown';
  memoryBytes: number;
  vcpu: number;
  os: 'linux' | 'windows';
  disks: DiskSpec[];
  mac: string;
  ip: string;
  spicePort: number;
  /** `absent`: no `ou=backup` at all; `plain`: organizationalUnit only; else a machine-level plan. */
  backup: 'absent' | 'plain' | BackupPlanSpec;
  iterations: IterationSpec[];
  /** Template life-cycle word (stoney `sstVirtualMachineMode`). */
  templateMode?: string;
  ownerUid?: string;
  people?: string[];
  groups?: string[];
  /** The machine entry's `description`. */
  description?: string;
  /** libvirt only (not in the directory): the video card's vram in KiB; default 65536. */
  videoVramKiB?: number;
  /**
   * What differed when its backups were taken (every iteration): the node's .ldif and .xml
   * files carry these values, the live directory and domain the current ones.
   */
  atBackup?: { memoryBytes?: number; description?: string; videoVramKiB?: number };
  expected: ExpectedStatus;
  /** The protection side; default: `expected` when that is a protection status. */
  expectedProtection?: ExpectedProtection;
  /** The activity side; default: `expected` when that is an activity, else none. */
  expectedActivity?: ExpectedActivity | null;
  /** When the machine entry was created (createTimestamp), this long before `now`; default: before its oldest iteration. */
  createdAgoMs?: number;
  /** One line for humans: why `expected` is what it is. */
  story: string;
}

/** What tests need to know about a machine without the full spec. */
export interface MachineSummary {
  name: string;
  uuid: string;
  poolUuid: string;
  node: string;
  /** The headline status a console should show at the `now` the directory was built for. */
  status: ExpectedStatus;
  protection: ExpectedProtection;
  activity: ExpectedActivity | null;
  story: string;
}

const PROTECTIONS: readonly string[] = ['protected', 'stale', 'never', 'excluded'];

export function expectedProtectionOf(m: Pick<MachineSpec, 'expected' | 'expectedProtection' | 'name'>): ExpectedProtection {
  if (m.expectedProtection) return m.expectedProtection;
  if (PROTECTIONS.includes(m.expected)) return m.expected as ExpectedProtection;
  throw new Error(`machine ${m.name}: expected ${m.expected} needs expectedProtection`);
}

export function expectedActivityOf(m: Pick<MachineSpec, 'expected' | 'expectedActivity'>): ExpectedActivity | null {
  if (m.expectedActivity !== undefined) return m.expectedActivity;
  return PROTECTIONS.includes(m.expected) ? null : (m.expected as ExpectedActivity);
}

export function summarizeMachine(m: MachineSpec): MachineSummary {
  return {
    name: m.name,
    uuid: m.uuid,
    poolUuid: m.poolUuid,
    node: m.node,
    status: m.expected,
    protection: expectedProtectionOf(m),
    activity: expectedActivityOf(m),
    story: m.story,
  };
}

/** A person's sign-in, for tests: what they type, their password and entry; administrators by their role. */
export interface LoginSummary {
  uid: string;
  login: string;
  password: string;
  dn: string;
  isAdmin: boolean;
}

export function loginOf(spec: CloudSpec, login: string): LoginSummary {
  const p = spec.people.find((x) => x.login === login);
  if (!p) throw new Error(`no person signs in as ${login}`);
  return {
    uid: p.uid,
    login: p.login,
    password: p.password,
    dn: cloudDns(spec.baseDn, spec.network.subnet).person(p.uid),
    isAdmin: p.roles.includes('Admin Virtualization'),
  };
}

/** What tests need to know about a cloud's storage pools, pools, nodes and machines without the full spec. */
export function summarizeCloud(spec: CloudSpec) {
  return {
    storagePools: spec.storagePools.map((s) => ({ uuid: s.uuid, type: s.type, directory: storagePoolDirectory(s.type) })),
    pools: spec.pools.map((p) => ({ name: p.name, uuid: p.uuid, type: p.type, storagePoolUuid: p.storagePoolUuid })),
    nodes: spec.nodes.map((n) => ({ fqdn: n.fqdn, intIp: n.ip.int, pubIp: n.ip.pub })),
    machines: spec.machines.map(summarizeMachine),
  };
}

export interface NetworkSpec {
  subnet: string;
  /** Prefix length; dhcpNetMask holds the number of bits, not a dotted mask. */
  netmask: number;
  router: string;
  dns: string;
  ntp: string;
  domain: string;
  displayName: string;
  bridge: string;
  /** Network layout of the nodes (`ou=networks,ou=configuration`). */
  segments: Record<'admin' | 'data' | 'int' | 'pub', { prefix: string; vlan: number; domain: string }>;
}

export interface CloudSpec {
  baseDn: string;
  organization: string;
  reseller: { uid: string; name: string };
  customer: { uid: string; name: string };
  realm: { uid: string; displayName: string };
  /** Entries sstBelongsToUID=1 etc. point here; also the first free UID after the demo. */
  nextFreeUid: string;
  cloudId: string;
  people: PersonSpec[];
  groups: GroupSpec[];
  nodes: NodeSpec[];
  storagePools: StoragePoolSpec[];
  pools: VmPoolSpec[];
  machines: MachineSpec[];
  globalBackup: BackupPlanSpec;
  network: NetworkSpec;
  serviceAccounts: Array<{ cn: string; password: string }>;
  /** Where the storage pools live (GlusterFS mount on real nodes); default /var/virtualization. */
  virtualizationRoot?: string;
}

// ---------------------------------------------------------------------------------------------
// LDIF writing
// ---------------------------------------------------------------------------------------------

type Scalar = string | number | boolean;
type AttrValue = Scalar | readonly Scalar[] | undefined;
export type Attrs = Record<string, AttrValue>;

/** RFC 2849 SAFE-STRING; anything else (non-ASCII, leading space or colon…) goes base64. */
function isSafeLdifString(value: string): boolean {
  if (value === '') return true;
  if (/^[ :<]/.test(value) || / $/.test(value)) return false;
  return /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value);
}

function ldifLine(name: string, value: string): string {
  return isSafeLdifString(value) ? `${name}: ${value}` : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

function scalarText(v: Scalar): string {
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

export class LdifWriter {
  private readonly blocks: string[] = [];

  add(dn: string, objectClasses: readonly string[], attrs: Attrs): void {
    const lines = [ldifLine('dn', dn), ...objectClasses.map((c) => `objectClass: ${c}`)];
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined) continue;
      const values: readonly Scalar[] = Array.isArray(value) ? (value as readonly Scalar[]) : [value as Scalar];
      for (const v of values) lines.push(ldifLine(name, scalarText(v)));
    }
    this.blocks.push(lines.join('\n'));
  }

  /** The entries only, as Net::LDAP::LDIF writes them (the node daemon's .ldif export). */
  body(): string {
    return `${this.blocks.join('\n\n')}\n`;
  }

  text(header: string): string {
    const comment = header
      .split('\n')
      .map((l) => `# ${l}`.trimEnd())
      .join('\n');
    // No "version: 1" line: slapadd rejects it, and ldapadd does not need it.
    return `${comment}\n\n${this.blocks.join('\n\n')}\n`;
  }
}

/** Escape a value for use in an RDN (RFC 4514). */
export function rdnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** The iteration / provisioning-state format: UTC `YYYYMMDDThhmmssZ`. */
export function compactUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** LDAP GeneralizedTime as slapd writes modifyTimestamp and createTimestamp: `YYYYMMDDhhmmssZ`. */
export function generalizedTime(date: Date): string {
  return compactUtc(date).replace('T', '');
}

export const GiB = 1024 ** 3;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Stable per-entry salt, so the generated LDIF is byte-for-byte reproducible. */
function fixedSalt(seed: string): Buffer {
  return createHash('sha256').update(`stoney-demo-salt:${seed}`).digest().subarray(0, 8);
}

export function storagePoolDirectory(type: PoolType): string {
  return type === 'persistent' ? 'vm-persistent' : type === 'template' ? 'vm-templates' : 'vm-dynamic';
}

export function virtualizationRootOf(spec: Pick<CloudSpec, 'virtualizationRoot'>): string {
  return (spec.virtualizationRoot ?? '/var/virtualization').replace(/\/+$/, '');
}

/** The storage pool a machine's disks live in (the storage pool of its VM pool). */
export function machineStoragePool(spec: CloudSpec, m: MachineSpec): StoragePoolSpec {
  const pool = spec.pools.find((p) => p.uuid === m.poolUuid);
  if (!pool) throw new Error(`machine ${m.name}: unknown pool ${m.poolUuid}`);
  const sp = spec.storagePools.find((s) => s.uuid === pool.storagePoolUuid);
  if (!sp) throw new Error(`pool ${pool.name}: unknown storage pool ${pool.storagePoolUuid}`);
  return sp;
}

/** A disk's image path (`sstSourceFile`): <virtualization root>/<sp dir>/<sp uuid>/<volume>.qcow2. */
export function diskSourceFile(spec: CloudSpec, m: MachineSpec, d: DiskSpec): string {
  const sp = machineStoragePool(spec, m);
  return `${virtualizationRootOf(spec)}/${storagePoolDirectory(sp.type)}/${sp.uuid}/${d.volumeUuid}.qcow2`;
}

/** The machine as it was when its backups were taken (see MachineSpec.atBackup). */
export function machineAtBackup(m: MachineSpec): MachineSpec {
  if (!m.atBackup) return m;
  return {
    ...m,
    memoryBytes: m.atBackup.memoryBytes ?? m.memoryBytes,
    description: m.atBackup.description ?? m.description,
    videoVramKiB: m.atBackup.videoVramKiB ?? m.videoVramKiB,
  };
}

/** The iteration's name: its start time as UTC YYYYMMDDThhmmssZ. */
export function iterationName(it: IterationSpec, now: Date): string {
  return compactUtc(new Date(now.getTime() - it.agoMs));
}

/** Whether the backup of an iteration got its files into the backup root (retain finished). */
export function backupCompleted(it: IterationSpec): boolean {
  return (it.completedSteps ?? completedStepsFor(it.mode)).includes('retain');
}

/** The SPICE password the generator gives a machine (deterministic). */
export function spicePassword(uuid: string): string {
  return createHash('sha256').update(`spice:${uuid}`).digest('hex').slice(0, 16);
}

/** The backup step times the node daemon records for a successful iteration (seconds). */
const STEP_SECONDS = { snapshot: 12, downtime: 3, merge: 340, retain: 95 } as const;

/** The step times of an iteration: the given ones, or the fixed ones varied by up to +60 % with its start. */
export function stepSecondsOf(it: IterationSpec): { snapshot: number; downtime: number; merge: number; retain: number } {
  if (it.stepSeconds) return it.stepSeconds;
  const spread = 1 + (Math.floor(it.agoMs / 3_600_000) % 7) / 10;
  return {
    snapshot: Math.round(STEP_SECONDS.snapshot * spread),
    downtime: STEP_SECONDS.downtime,
    merge: Math.round(STEP_SECONDS.merge * spread),
    retain: Math.round(STEP_SECONDS.retain * spread),
  };
}

function completedStepsFor(mode: string): Array<'snapshot' | 'merge' | 'retain'> {
  const order: Record<string, number> = {
    initialized: 0,
    snapshot: 0,
    snapshotting: 0,
    snapshotted: 1,
    merge: 1,
    merging: 1,
    merged: 2,
    retain: 2,
    retaining: 2,
  };
  const done = order[mode] ?? 3; // finished, restores, deletes: the backup itself completed
  return (['snapshot', 'merge', 'retain'] as const).slice(0, done);
}

function backupPlanAttrs(plan: BackupPlanSpec): { classes: string[]; attrs: Attrs } {
  const attrs: Attrs = {
    sstBackupNumberOfIterations: plan.iterations,
    sstBackupRootDirectory: plan.rootDirectory,
    sstBackupRetainDirectory: plan.retainDirectory,
    sstBackupRamDiskLocation: plan.ramDiskLocation,
    sstBackupExcludeFromBackup: plan.exclude,
    sstRestoreVMWithoutState: plan.restoreWithoutState,
    sstVirtualizationVirtualMachineForceStart: plan.forceStart,
    sstVirtualizationBandwidthMerge: plan.bandwidthMerge,
    sstVirtualizationDiskImageFormat: plan.imageFormat,
    sstVirtualizationDiskImageOwner: plan.imageOwner,
    sstVirtualizationDiskImageGroup: plan.imageGroup,
    sstVirtualizationDiskImagePermission: plan.imagePermission,
    sstVirtualizationDiskImageDirectoryOwner: plan.directoryOwner,
    sstVirtualizationDiskImageDirectoryGroup: plan.directoryGroup,
    sstVirtualizationDiskImageDirectoryPermission: plan.directoryPermission,
  };
  const classes = ['sstVirtualizationBackupObjectClass'];
  if (plan.cron) {
    classes.push('sstCronObjectClass');
    Object.assign(attrs, cronAttrs(plan.cron));
  }
  return { classes, attrs };
}

function cronAttrs(cron: CronSpec): Attrs {
  return {
    sstCronMinute: cron.minute,
    sstCronHour: cron.hour,
    sstCronDay: cron.day,
    sstCronMonth: cron.month,
    sstCronDayOfWeek: cron.dayOfWeek,
    sstCronActive: cron.active,
  };
}

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

export interface CloudDns {
  base: string;
  virtualization: string;
  machines: string;
  pools: string;
  storagePools: string;
  nodes: string;
  configuration: string;
  globalBackup: string;
  dhcpConfig: string;
  subnet: string;
  people: string;
  groups: string;
  machine(uuid: string): string;
  pool(uuid: string): string;
  storagePool(uuid: string): string;
  node(fqdn: string): string;
  person(uid: string): string;
  group(uid: string): string;
  dhcpHost(uuid: string): string;
}

export function cloudDns(baseDn: string, subnet: string): CloudDns {
  const v = `ou=virtualization,ou=services,${baseDn}`;
  const dhcpConfig = `cn=config-01,ou=dhcp,ou=networks,${v}`;
  const subnetDn = `cn=${rdnValue(subnet)},${dhcpConfig}`;
  return {
    base: baseDn,
    virtualization: v,
    machines: `ou=virtual machines,${v}`,
    pools: `ou=virtual machine pools,${v}`,
    storagePools: `ou=storage pools,${v}`,
    nodes: `ou=nodes,${v}`,
    configuration: `ou=configuration,${v}`,
    globalBackup: `ou=backup,ou=configuration,${v}`,
    dhcpConfig,
    subnet: subnetDn,
    people: `ou=people,${baseDn}`,
    groups: `ou=groups,${baseDn}`,
    machine: (uuid) => `sstVirtualMachine=${rdnValue(uuid)},ou=virtual machines,${v}`,
    pool: (uuid) => `sstVirtualMachinePool=${rdnValue(uuid)},ou=virtual machine pools,${v}`,
    storagePool: (uuid) => `sstStoragePool=${rdnValue(uuid)},ou=storage pools,${v}`,
    node: (fqdn) => `sstNode=${rdnValue(fqdn)},ou=nodes,${v}`,
    person: (uid) => `uid=${rdnValue(uid)},ou=people,${baseDn}`,
    group: (uid) => `uid=${rdnValue(uid)},ou=groups,${baseDn}`,
    dhcpHost: (uuid) => `cn=${rdnValue(uuid)},ou=virtual machines,${subnetDn}`,
  };
}

export function buildCloudLdif(spec: CloudSpec, now: Date, header: string): string {
  checkConsistency(spec);
  const w = new LdifWriter();
  const dns = cloudDns(spec.baseDn, spec.network.subnet);
  const base = spec.baseDn;
  const V = dns.virtualization;
  const owner = ownerAttrs(spec);
  const ou = (dn: string, name: string, extra: Attrs = {}, classes: string[] = []): void =>
    w.add(dn, ['top', 'organizationalUnit', ...classes], { ou: name, ...extra });
  const ownedOu = (dn: string, name: string, extra: Attrs = {}): void => ou(dn, name, { ...owner, ...extra }, ['sstRelationship']);
  const link = (dn: string, name: string, target: string): void =>
    ou(dn, name, { labeledURI: `ldap:///${target}`, ...owner }, ['labeledURIObject', 'sstRelationship']);

  // --- base and top-level containers --------------------------------------------------------
  const [firstRdn] = base.split(/(?<!\\),/);
  const [rdnType, ...rdnRest] = firstRdn.split('=');
  const rdnVal = rdnRest.join('=');
  if (rdnType.toLowerCase() === 'dc') {
    w.add(base, ['top', 'dcObject', 'organization'], { dc: rdnVal, o: spec.organization });
  } else if (rdnType.toLowerCase() === 'o') {
    w.add(base, ['top', 'organization'], { o: spec.organization });
  } else {
    throw new Error(`unsupported base DN ${base}: the first RDN must be dc= or o=`);
  }

  ou(`ou=administration,${base}`, 'administration');
  ou(`ou=people,ou=administration,${base}`, 'people', { labeledURI: `ldap:///${dns.people}??one?(sstBelongsToUID=1)` }, [
    'labeledURIObject',
  ]);
  ou(`ou=services,ou=administration,${base}`, 'services');
  for (const account of spec.serviceAccounts) {
    w.add(`cn=${rdnValue(account.cn)},ou=services,ou=administration,${base}`, ['top', 'organizationalPerson', 'inetOrgPerson'], {
      cn: account.cn,
      sn: account.cn,
      userPassword: sshaHash(account.password, fixedSalt(`service:${account.cn}`)),
    });
  }
  ou(
    `ou=group mapping,ou=administration,${base}`,
    'group mapping',
    {
      sstDisplayName: 'Group Mapping',
      sstLDAPBaseDn: dns.groups,
      sstLDAPFilter:
        '(&(objectClass=sstGroupObjectClass)(sstGroupName=%s)(sstBelongsToResellerUID=%sstBelongsToResellerUID)(sstBelongsToCustomerUID=%sstBelongsToCustomerUID))',
      sstLDAPStaticAttribute: 'uid',
    },
    ['labeledURIObject', 'sstLDAPMappingObjectClass'],
  );
  w.add(`cn=nextfreeuid,ou=administration,${base}`, ['top', 'inetOrgPerson'], {
    cn: 'nextFreeUID',
    sn: 'nextFreeUID',
    uid: spec.nextFreeUid,
  });

  // --- reseller and customer ----------------------------------------------------------------
  ou(`ou=reseller,${base}`, 'reseller');
  const resellerDn = `uid=${rdnValue(spec.reseller.uid)},ou=reseller,${base}`;
  w.add(resellerDn, ['top', 'sstReseller'], {
    uid: spec.reseller.uid,
    organizationName: spec.reseller.name,
    sstBelongsToResellerUID: spec.reseller.uid,
    sstIsCompany: true,
    sstIsActive: true,
  });
  const admin = spec.people[0];
  const address = (dn: string, org: string): void =>
    ou(
      dn,
      'address',
      {
        organizationName: org,
        givenName: admin.givenName,
        surname: admin.surname,
        sstGender: admin.gender,
        mail: admin.mail,
        preferredLanguage: admin.preferredLanguage,
        postalAddress: 'Neufeldstrasse 9',
        postalCode: '3012',
        localityName: 'Bern',
        countryName: 'CH',
        telephoneNumber: '+41 31 000 00 00',
      },
      ['sstAddressCompany'],
    );
  address(`ou=address,${resellerDn}`, spec.reseller.name);
  ou(`ou=billing,${resellerDn}`, 'billing', { sstResellerBill: false }, ['sstBillingReseller']);
  ou(
    `ou=customers,${resellerDn}`,
    'customers',
    { labeledURI: `ldap:///ou=customers,${base}??one?(sstBelongsToResellerUID=${spec.reseller.uid})` },
    ['labeledURIObject'],
  );
  ou(`ou=people,${resellerDn}`, 'people', { labeledURI: `ldap:///${dns.people}??one?(sstBelongsToResellerUID=${spec.reseller.uid})` }, [
    'labeledURIObject',
  ]);

  ou(`ou=customers,${base}`, 'customers');
  const customerDn = `uid=${rdnValue(spec.customer.uid)},ou=customers,${base}`;
  w.add(customerDn, ['top', 'sstCustomerCompany'], {
    uid: spec.customer.uid,
    organizationName: spec.customer.name,
    sstBelongsToResellerUID: spec.reseller.uid,
    sstIsActive: true,
  });
  address(`ou=address,${customerDn}`, spec.customer.name);
  ou(
    `ou=billing,${customerDn}`,
    'billing',
    { sstBillingCycle: 1, sstBillingCycleFix: true, sstCurrency: 'CHF', sstPaymentMethod: 'invoice' },
    ['sstBillingCustomer'],
  );
  ou(`ou=people,${customerDn}`, 'people', { labeledURI: `ldap:///${dns.people}??one?(sstBelongsToCustomerUID=${spec.customer.uid})` }, [
    'labeledURIObject',
  ]);

  // --- people and groups --------------------------------------------------------------------
  ou(dns.people, 'people');
  for (const p of spec.people) {
    const dn = dns.person(p.uid);
    w.add(dn, ['top', 'sstPerson'], {
      uid: p.uid,
      cn: p.login,
      givenName: p.givenName,
      surname: p.surname,
      mail: p.mail,
      sstGender: p.gender,
      preferredLanguage: p.preferredLanguage,
      sstTimeZoneOffset: p.timeZoneOffset,
      userPassword: sshaHash(p.password, fixedSalt(`person:${p.uid}`)),
      sstGroupUID: p.groupUids,
      sstBelongsToResellerUID: spec.reseller.uid,
      sstBelongsToCustomerUID: spec.customer.uid,
      sstIsActive: true,
    });
    for (const role of p.roles) {
      w.add(`sstRole=${rdnValue(role)},${dn}`, ['top', 'sstRoles'], { sstRole: role, sstProduct: '0' });
    }
  }
  ou(dns.groups, 'groups');
  for (const g of spec.groups) {
    w.add(dns.group(g.uid), ['top', 'sstGroupObjectClass', 'sstRelationship', 'labeledURIObject'], {
      uid: g.uid,
      sstDisplayName: g.displayName,
      sstGroupName: g.groupName,
      description: g.description,
      labeledURI: `ldap:///${dns.people}??one?(sstGroupUID=${g.uid})`,
      ...owner,
    });
  }

  // --- services / virtualization ------------------------------------------------------------
  ou(`ou=services,${base}`, 'services');
  ou(V, 'virtualization');

  // Login realm, as the installer writes it (internal directory).
  ou(`ou=authentication,${V}`, 'authentication');
  const realmDn = `ou=${rdnValue(spec.realm.uid)},ou=authentication,${V}`;
  ou(realmDn, spec.realm.uid, { sstDisplayName: spec.realm.displayName, sstLDAPExternalDirectory: false, ...owner }, [
    'labeledURIObject',
    'sstLDAPAuthenticationProvider',
    'sstRelationship',
  ]);
  writeSearches(w, realmDn, dns, owner);
  ou(`ou=people,${realmDn}`, 'people');

  // Cloud-wide configuration.
  const C = dns.configuration;
  ou(C, 'configuration');
  const global = backupPlanAttrs(spec.globalBackup);
  ou(dns.globalBackup, 'backup', global.attrs, global.classes);
  ou(`ou=internal searches,${C}`, 'internal searches');
  writeSearches(w, `ou=internal searches,${C}`, dns, {});
  ou(`ou=networks,${C}`, 'networks');
  const segmentServices: Record<string, Array<[string, string]>> = {
    admin: [['sshd', 'OpenSSH daemon']],
    data: [['glusterd', 'GlusterFS file service']],
    int: [
      ['libvirtd', 'libvirt daemon'],
      ['slapd', 'OpenLDAP directory'],
    ],
    pub: [
      ['qemu-system-x86_64', 'QEMU (SPICE)'],
      ['dhcpd', 'DHCP service'],
    ],
  };
  for (const [name, seg] of Object.entries(spec.network.segments)) {
    const segDn = `ou=${name},ou=networks,${C}`;
    ou(
      segDn,
      name,
      {
        sstNetworkPrefix: seg.prefix,
        sstNetworkVLANId: seg.vlan,
        sstNetworkDomainName: seg.domain,
        ...(name === 'pub'
          ? { sstNetworkDefaultGateway: spec.network.router, sstNetworkDNSHost: spec.network.dns, sstNetworkNTPHost: spec.network.ntp }
          : {}),
      },
      ['sstNetwork'],
    );
    for (const [service, label] of segmentServices[name] ?? []) {
      w.add(`sstService=${rdnValue(service)},${segDn}`, ['top', 'sstServices'], { sstService: service, sstDisplayName: label });
    }
  }
  ou(`ou=node-types,${C}`, 'node-types');
  for (const [type, subType, services] of [
    ['Primary-Master-Node', 'KVM', ['sshd', 'libvirtd', 'slapd', 'qemu-system-x86_64']],
    ['Secondary-Master-Node', 'KVM', ['sshd', 'libvirtd', 'slapd', 'qemu-system-x86_64']],
    ['VM-Node', 'KVM', ['sshd', 'libvirtd', 'qemu-system-x86_64']],
    ['Storage-Node', 'GlusterFS', ['sshd', 'glusterd']],
  ] as const) {
    w.add(`sstNodeType=${type},ou=node-types,${C}`, ['top', 'sstTypeNode'], {
      sstNodeType: type,
      sstNodeSubType: subType,
      sstDisplayName: type,
      sstService: services,
    });
  }
  ou(`ou=settings,${C}`, 'settings');
  ou(
    `ou=hostname,ou=settings,${C}`,
    'hostname',
    {
      sstNetworkDomainName: spec.network.domain,
      sstNetworkHostnameFormat: 'kvm-%04d',
      sstNetworkHostnameNextFreeNumber: spec.machines.length + 1,
    },
    ['sstHostnameDefinitionObjectClass'],
  );
  ou(`ou=rdp,ou=settings,${C}`, 'rdp', { sstAllowRDP: false }, ['sstVirtualizationSettingsObjectClass']);
  ou(`ou=sound,ou=settings,${C}`, 'sound', { sstAllowSound: true }, ['sstVirtualizationSettingsObjectClass']);
  ou(`ou=spice,ou=settings,${C}`, 'spice', { sstAllowSpice: true, sstSpicePortMin: 5900, sstSpicePortMax: 5999 }, [
    'sstVirtualizationSettingsObjectClass',
  ]);
  ou(`ou=usb,ou=settings,${C}`, 'usb', { sstAllowUSB: false }, ['sstVirtualizationSettingsObjectClass']);
  ou(`ou=vnc,ou=settings,${C}`, 'vnc', { sstAllowVNC: false }, ['sstVirtualizationSettingsObjectClass']);
  ou(`ou=storage pools,${C}`, 'storage pools');
  for (const [name, type, selfService] of [
    ['basedir', 'none', false],
    ['catalogue', 'catalogue', false],
    ['iso', 'iso', false],
    ['iso-choosable', 'iso-choosable', false],
    ['vm-dynamic', 'dynamic', true],
    ['vm-persistent', 'persistent', true],
    ['vm-templates', 'template', true],
  ] as const) {
    const uri = name === 'basedir' ? `file://${virtualizationRootOf(spec)}/` : `file://${virtualizationRootOf(spec)}/${name}/`;
    ou(`ou=${name},ou=storage pools,${C}`, name, { sstStoragePoolURI: uri, sstStoragePoolType: type, sstSelfService: selfService }, [
      'sstStoragePoolConfigurationObjectClass',
    ]);
  }
  ou(`ou=version,${C}`, 'version', { sstFOSSCloudID: spec.cloudId }, ['sstFOSSCloudVersionObjectClass']);
  ou(`ou=virtual machine pools,${C}`, 'virtual machine pools', { sstBrokerAlgorithm: 'quantity' }, [
    'sstVirtualMachinePoolBrokerConfigurationObjectClass',
  ]);
  ou(
    `ou=dynamic,ou=virtual machine pools,${C}`,
    'dynamic',
    {
      sstBrokerMinimalNumberOfVirtualMachines: 3,
      sstBrokerMaximalNumberOfVirtualMachines: 14,
      sstBrokerPreStartNumberOfVirtualMachines: 2,
    },
    ['sstVirtualMachinePoolConfigurationObjectClass'],
  );
  ou(`ou=persistent,ou=virtual machine pools,${C}`, 'persistent');
  ou(`ou=template,ou=virtual machine pools,${C}`, 'template');

  // --- DHCP ------------------------------------------------------------------------------------
  const net = spec.network;
  ou(`ou=networks,${V}`, 'networks');
  ou(`ou=dhcp,ou=networks,${V}`, 'dhcp');
  w.add(dns.dhcpConfig, ['top', 'dhcpService'], { cn: 'config-01', dhcpPrimaryDN: `cn=dhcp-01,ou=dhcp,ou=networks,${V}` });
  w.add(`cn=dhcp-01,ou=dhcp,ou=networks,${V}`, ['top', 'dhcpServer'], { cn: 'dhcp-01', dhcpServiceDN: dns.dhcpConfig });
  w.add(dns.subnet, ['top', 'dhcpSubnet', 'dhcpOptions', 'sstVirtualizationNetwork'], {
    cn: net.subnet,
    dhcpNetMask: net.netmask,
    dhcpOption: [`domain-name "${net.domain}"`, `domain-name-servers ${net.dns}`, `routers ${net.router}`, `ntp-servers ${net.ntp}`],
    dhcpStatements: ['authoritative', 'default-lease-time 3600', 'max-lease-time 43200', 'ddns-update-style none'],
    sstDisplayName: net.displayName,
    sstSourceBridge: net.bridge,
    ...owner,
  });
  ou(`ou=ranges,${dns.subnet}`, 'ranges');
  for (const pool of spec.pools) {
    w.add(`cn=${rdnValue(pool.range)},ou=ranges,${dns.subnet}`, ['top', 'sstVirtualizationNetworkRange'], {
      cn: pool.range,
      sstDisplayName: pool.type,
      sstNetworkType: pool.type,
    });
  }
  ou(`ou=virtual machines,${dns.subnet}`, 'virtual machines');
  for (const m of spec.machines) writeDhcpHost(w, dns, m, owner);

  // --- nodes -----------------------------------------------------------------------------------
  ou(dns.nodes, 'nodes');
  for (const n of spec.nodes) {
    const dn = dns.node(n.fqdn);
    w.add(dn, ['top', 'sstVirtualizationNode', 'sstRelationship', 'labeledURIObject'], {
      sstNode: n.fqdn,
      description: n.description,
      labeledURI: `ldap:///${dns.machines}??sub?(sstNode=${n.fqdn})`,
      ...owner,
    });
    ou(`ou=networks,${dn}`, 'networks');
    for (const seg of ['admin', 'data', 'int', 'pub'] as const) {
      const segDn = `ou=${seg},ou=networks,${dn}`;
      ou(segDn, seg, { sstNetworkIPAddress: n.ip[seg] }, ['sstNetworkNode']);
      for (const [service, label] of segmentServices[seg] ?? []) {
        w.add(`sstService=${rdnValue(service)},${segDn}`, ['top', 'sstServicesNode'], { sstService: service, sstDisplayName: label });
      }
    }
    ou(`ou=node-types,${dn}`, 'node-types');
    w.add(`sstNodeType=VM-Node,ou=node-types,${dn}`, ['top', 'sstTypeNode'], {
      sstNodeType: 'VM-Node',
      sstNodeSubType: 'KVM',
      sstDisplayName: 'VM-Node',
      sstNodeState: n.state,
    });
  }

  // --- storage pools -----------------------------------------------------------------------------
  ou(dns.storagePools, 'storage pools');
  for (const sp of spec.storagePools) {
    w.add(dns.storagePool(sp.uuid), ['top', 'sstStoragePoolObjectClass', 'sstRelationship'], {
      sstStoragePool: sp.uuid,
      sstStoragePoolURI: `file://${virtualizationRootOf(spec)}/${storagePoolDirectory(sp.type)}/${sp.uuid}`,
      sstStoragePoolType: sp.type,
      sstDisplayName: sp.displayName,
      ...owner,
    });
  }

  // --- profiles (the "defaults" every machine's labeledURI points at) -----------------------------
  const profilesDn = `ou=virtual machine profiles,${V}`;
  ou(profilesDn, 'virtual machine profiles');
  for (const family of ['linux', 'windows'] as const) {
    writeDefaultProfile(w, family, profilesDn);
  }

  // --- machine pools -------------------------------------------------------------------------------
  // The installer writes this container's own ou with a hyphen; real directories carry it.
  w.add(dns.pools, ['top', 'organizationalUnit'], { ou: ['virtual machine pools', 'virtual machine-pools'] });
  for (const pool of spec.pools) {
    const dn = dns.pool(pool.uuid);
    const classes = ['top', 'sstVirtualMachines', 'sstRelationship', ...(pool.dynamic ? ['sstVirtualMachinePoolDynamicObjectClass'] : [])];
    w.add(dn, classes, {
      sstVirtualMachinePool: pool.uuid,
      sstDisplayName: pool.name,
      description: pool.description,
      sstVirtualMachinePoolType: pool.type,
      ...(pool.dynamic
        ? {
            sstBrokerMinimalNumberOfVirtualMachines: pool.dynamic.min,
            sstBrokerMaximalNumberOfVirtualMachines: pool.dynamic.max,
            sstBrokerPreStartNumberOfVirtualMachines: pool.dynamic.preStart,
            sstActiveGoldenImage: pool.dynamic.goldenImageUuid,
          }
        : {}),
      ...owner,
    });
    if (pool.backup) {
      const plan = backupPlanAttrs(pool.backup);
      ou(`ou=backup,${dn}`, 'backup', plan.attrs, plan.classes);
    } else {
      ou(`ou=backup,${dn}`, 'backup');
    }
    if (pool.dynamic) ou(`ou=shutdown,${dn}`, 'shutdown', cronAttrs(pool.dynamic.shutdown), ['sstCronObjectClass']);
    ownedOu(`ou=groups,${dn}`, 'groups');
    for (const g of pool.groups ?? []) link(`ou=${rdnValue(g)},ou=groups,${dn}`, g, dns.group(g));
    ownedOu(`ou=people,${dn}`, 'people');
    for (const p of pool.people ?? []) link(`ou=${rdnValue(p)},ou=people,${dn}`, p, dns.person(p));
    ownedOu(`ou=nodes,${dn}`, 'nodes');
    for (const n of pool.nodes) link(`ou=${rdnValue(n)},ou=nodes,${dn}`, n, dns.node(n));
    ownedOu(`ou=storage pools,${dn}`, 'storage pools');
    link(`ou=${rdnValue(pool.storagePoolUuid)},ou=storage pools,${dn}`, pool.storagePoolUuid, dns.storagePool(pool.storagePoolUuid));
    ownedOu(`ou=ranges,${dn}`, 'ranges');
    ownedOu(`ou=${rdnValue(pool.range)},ou=ranges,${dn}`, pool.range);
    ou(`ou=settings,${dn}`, 'settings');
  }

  // --- machines ------------------------------------------------------------------------------------
  ou(dns.machines, 'virtual machines');
  for (const m of spec.machines) writeMachine(w, spec, dns, m, now, owner);

  return w.text(header);
}

function writeSearches(w: LdifWriter, parentDn: string, dns: CloudDns, owner: Attrs): void {
  const classes = (main: string): string[] => [
    'top',
    'organizationalUnit',
    'labeledURIObject',
    main,
    ...(Object.keys(owner).length > 0 ? ['sstRelationship'] : []),
  ];
  w.add(`ou=User Search,${parentDn}`, classes('sstLDAPSearchObjectClass'), {
    ou: 'User Search',
    sstDisplayName: 'User search',
    sstLDAPBaseDn: dns.people,
    sstLDAPFilter: '(&(objectClass=sstPerson)(cn=%s))',
    sstLDAPForeignStaticAttribute: 'uid',
    ...owner,
  });
  w.add(`ou=User Authentication,${parentDn}`, classes('sstLDAPAuthenticationObjectClass'), {
    ou: 'User Authentication',
    sstDisplayName: 'User authentication',
    sstLDAPAuthUserBind: true,
    sstLDAPAuthUserBindDn: `uid=%s,${dns.people}`,
    sstLDAPAuthUserPasswordAttribute: 'userPassword',
    ...owner,
  });
  w.add(`ou=User Group Search,${parentDn}`, classes('sstLDAPSearchObjectClass'), {
    ou: 'User Group Search',
    sstDisplayName: 'User group search',
    sstLDAPBaseDn: dns.people,
    sstLDAPFilter: '(&(objectClass=sstPerson)(uid=%s))',
    sstLDAPReturnAttribute: 'sstGroupUID',
    ...owner,
  });
  w.add(`ou=Group Search,${parentDn}`, classes('sstLDAPSearchObjectClass'), {
    ou: 'Group Search',
    sstDisplayName: 'Group search',
    sstLDAPBaseDn: dns.groups,
    sstLDAPFilter: '(&(objectClass=sstGroupObjectClass)(uid=*))',
    sstLDAPForeignGroupDisplayName: 'sstGroupName',
    sstLDAPForeignStaticAttribute: 'uid',
    ...owner,
  });
}

export function defaultProfileDn(family: 'linux' | 'windows', virtualizationDn: string): string {
  return `sstVirtualMachine=default,ou=default,ou=default,ou=default,ou=${family},ou=virtual machine profiles,${virtualizationDn}`;
}

function writeDefaultProfile(w: LdifWriter, family: 'linux' | 'windows', profilesDn: string): void {
  const familyDn = `ou=${family},${profilesDn}`;
  const nameDn = `ou=default,${familyDn}`;
  const archDn = `ou=default,${nameDn}`;
  const langDn = `ou=default,${archDn}`;
  w.add(familyDn, ['top', 'organizationalUnit'], { ou: family });
  w.add(nameDn, ['top', 'organizationalUnit'], { ou: 'default' });
  w.add(archDn, ['top', 'organizationalUnit', 'sstVirtualizationProfileArchitectureDefaults'], {
    ou: 'default',
    sstOSArchitectureDefault: 'x86_64',
    sstOSArchitectureValues: ['i686', 'x86_64'],
  });
  w.add(langDn, ['top', 'organizationalUnit', 'sstVirtualizationProfileLanguageDefaults'], {
    ou: 'default',
    sstLanguageDefault: 'multi',
    sstLanguageValues: ['multi', 'de-CH', 'en-GB', 'fr-CH', 'it-CH'],
  });
  const vmDn = `sstVirtualMachine=default,${langDn}`;
  const todo = 'TBD_GUI';
  w.add(vmDn, ['top', 'sstVirtualizationVirtualMachine', 'sstVirtualizationVirtualMachineDefaults'], {
    sstVirtualMachine: 'default',
    sstDisplayName: todo,
    sstVirtualMachinePool: todo,
    sstNode: todo,
    sstVirtualMachineType: 'profile',
    sstVirtualMachineSubType: 'VM-Profile',
    sstStatus: 'TBD_SYSTEM',
    sstType: 'kvm',
    sstMemory: -1,
    sstVCPU: -1,
    sstOSArchitecture: todo,
    sstOSMachine: 'pc',
    sstOSType: 'hvm',
    sstOSBootDevice: 'cdrom',
    sstFeature: ['acpi', 'apic', 'pae'],
    sstClockOffset: todo,
    sstOnPowerOff: todo,
    sstOnReboot: todo,
    sstOnCrash: todo,
    sstMemoryDefault: 2 * GiB,
    sstMemoryMin: 128 * 1024 ** 2,
    sstMemoryMax: 128 * GiB,
    sstMemoryStep: 128 * 1024 ** 2,
    sstVCPUDefault: 1,
    sstVCPUValues: [1, 2, 4, 8],
    sstClockOffsetDefault: family === 'windows' ? 'localtime' : 'utc',
    sstClockOffsetValues: ['localtime', 'utc'],
    sstOnPowerOffDefault: 'destroy',
    sstOnPowerOffValues: 'destroy',
    sstOnRebootDefault: 'restart',
    sstOnRebootValues: 'restart',
    sstOnCrashDefault: 'destroy',
    sstOnCrashValues: 'destroy',
  });
  w.add(`ou=devices,${vmDn}`, ['top', 'organizationalUnit', 'sstVirtualizationVirtualMachineDevices'], {
    ou: 'devices',
    sstEmulator: '/usr/bin/qemu-kvm',
    sstMemBalloon: 'virtio',
  });
  w.add(`sstDisk=hdb,ou=devices,${vmDn}`, ['top', 'sstVirtualizationVirtualMachineDisk'], {
    sstDisk: 'hdb',
    sstDevice: 'cdrom',
    sstType: 'file',
    sstTargetBus: 'ide',
    sstReadonly: true,
    sstSourceFile: todo,
  });
  w.add(`sstDisk=vda,ou=devices,${vmDn}`, ['top', 'sstVirtualizationVirtualMachineDisk', 'sstVirtualizationVirtualMachineDiskDefaults'], {
    sstDisk: 'vda',
    sstDevice: 'disk',
    sstType: 'file',
    sstTargetBus: 'virtio',
    sstReadonly: false,
    sstSourceFile: 'TBD_SYSTEM',
    sstVolumeName: 'TBD_SYSTEM',
    sstVolumeCapacity: -1,
    sstVolumeAllocation: 0,
    sstDriverName: 'qemu',
    sstDriverType: 'qcow2',
    sstDriverCache: 'writeback',
    sstVolumeCapacityDefault: 10 * GiB,
    sstVolumeCapacityMin: 10 * GiB,
    sstVolumeCapacityMax: 2048 * GiB,
    sstVolumeCapacityStep: GiB,
  });
  w.add(`sstInterface=net0,ou=devices,${vmDn}`, ['top', 'sstVirtualizationVirtualMachineInterface'], {
    sstInterface: 'net0',
    sstType: 'bridge',
    sstSourceBridge: 'vmbr0',
    sstModelType: 'virtio',
    sstMacAddress: 'TBD_SYSTEM',
  });
}

/** The machine's DHCP reservation (MAC and fixed IP), found by the daemon with (cn=<uuid>). */
export function writeDhcpHost(w: LdifWriter, dns: CloudDns, m: MachineSpec, owner: Attrs): void {
  w.add(dns.dhcpHost(m.uuid), ['top', 'dhcpHost', 'sstVirtualizationNetwork'], {
    cn: m.uuid,
    dhcpHWAddress: `ethernet ${m.mac}`,
    dhcpStatements: `fixed-address ${m.ip}`,
    ...owner,
  });
}

export function ownerAttrs(spec: CloudSpec): Attrs {
  return { sstBelongsToResellerUID: spec.reseller.uid, sstBelongsToCustomerUID: spec.customer.uid };
}

/** A machine's whole subtree: the entry, ou=devices with disks and interface, people, groups, settings, ou=backup with its iterations. */
/**
 * `operational`: also write createTimestamp and modifyTimestamp, as a directory holds them
 * (slapadd keeps given values). The node daemon's export has user attributes only.
 */
export function writeMachine(
  w: LdifWriter,
  spec: CloudSpec,
  dns: CloudDns,
  m: MachineSpec,
  now: Date,
  owner: Attrs,
  operational = true,
): void {
  const pool = spec.pools.find((p) => p.uuid === m.poolUuid);
  if (!pool) throw new Error(`machine ${m.name}: unknown pool ${m.poolUuid}`);
  const dn = dns.machine(m.uuid);
  const isTemplate = pool.type === 'template';
  const windows = m.os === 'windows';

  w.add(dn, ['top', 'sstVirtualizationVirtualMachine', 'sstRelationship', 'sstSpice', 'labeledURIObject'], {
    sstVirtualMachine: m.uuid,
    sstDisplayName: m.name,
    description: m.description,
    sstVirtualMachinePool: m.poolUuid,
    sstNode: m.node,
    sstVirtualMachineType: pool.type,
    sstVirtualMachineSubType: m.subType,
    sstVirtualMachineMode: isTemplate ? m.templateMode : undefined,
    sstStatus: m.status,
    sstType: 'kvm',
    sstMemory: m.memoryBytes,
    sstVCPU: m.vcpu,
    sstOSArchitecture: 'x86_64',
    sstOSMachine: 'pc',
    sstOSType: 'hvm',
    sstOSBootDevice: 'hd',
    sstFeature: windows
      ? ['acpi', 'apic', 'pae', 'hyperv:relaxed+state=on,vapic+state=on,spinlocks+state=on+retries=8191']
      : ['acpi', 'apic', 'pae'],
    sstClockOffset: windows ? 'localtime' : 'utc',
    sstOnPowerOff: 'destroy',
    sstOnReboot: 'restart',
    sstOnCrash: 'destroy',
    sstSpicePort: m.spicePort,
    sstSpicePassword: spicePassword(m.uuid),
    labeledURI: `ldap:///${defaultProfileDn(m.os, dns.virtualization)}`,
    ...owner,
    sstBelongsToPersonUID: m.ownerUid,
    ...(operational ? { createTimestamp: generalizedTime(new Date(now.getTime() - createdAgo(m))) } : {}),
  });

  const devices = `ou=devices,${dn}`;
  w.add(devices, ['top', 'organizationalUnit', 'sstVirtualizationVirtualMachineDevices'], {
    ou: 'devices',
    sstEmulator: '/usr/bin/qemu-kvm',
    sstMemBalloon: 'virtio',
  });
  for (const d of m.disks) {
    if (d.device === 'disk') {
      if (!d.volumeUuid || d.capacityBytes === undefined)
        throw new Error(`machine ${m.name}: disk ${d.target} needs volumeUuid and capacityBytes`);
      w.add(`sstDisk=${rdnValue(d.target)},${devices}`, ['top', 'sstVirtualizationVirtualMachineDisk'], {
        sstDisk: d.target,
        sstDevice: 'disk',
        sstType: 'file',
        sstTargetBus: 'virtio',
        sstSourceFile: diskSourceFile(spec, m, d),
        sstVolumeName: d.volumeUuid,
        sstVolumeCapacity: d.capacityBytes,
        sstVolumeAllocation: 0,
        sstDriverName: 'qemu',
        sstDriverType: 'qcow2',
        sstDriverCache: 'writeback',
        sstReadonly: false,
      });
    } else {
      w.add(`sstDisk=${rdnValue(d.target)},${devices}`, ['top', 'sstVirtualizationVirtualMachineDisk'], {
        sstDisk: d.target,
        sstDevice: 'cdrom',
        sstType: 'file',
        sstTargetBus: 'ide',
        sstSourceFile: d.isoFile,
        sstDriverName: 'qemu',
        sstDriverType: 'raw',
        sstReadonly: true,
      });
    }
  }
  w.add(`sstInterface=net0,${devices}`, ['top', 'sstVirtualizationVirtualMachineInterface'], {
    sstInterface: 'net0',
    sstType: 'bridge',
    sstSourceBridge: spec.network.bridge,
    sstModelType: 'virtio',
    sstMacAddress: m.mac,
  });

  w.add(`ou=settings,${dn}`, ['top', 'organizationalUnit'], { ou: 'settings' });
  w.add(`ou=people,${dn}`, ['top', 'organizationalUnit', 'sstRelationship'], { ou: 'people', ...owner });
  for (const p of m.people ?? []) {
    w.add(`ou=${rdnValue(p)},ou=people,${dn}`, ['top', 'organizationalUnit', 'labeledURIObject', 'sstRelationship'], {
      ou: p,
      labeledURI: `ldap:///${dns.person(p)}`,
      ...owner,
    });
  }
  w.add(`ou=groups,${dn}`, ['top', 'organizationalUnit', 'sstRelationship'], { ou: 'groups', ...owner });
  for (const g of m.groups ?? []) {
    w.add(`ou=${rdnValue(g)},ou=groups,${dn}`, ['top', 'organizationalUnit', 'labeledURIObject', 'sstRelationship'], {
      ou: g,
      labeledURI: `ldap:///${dns.group(g)}`,
      ...owner,
    });
  }

  if (m.backup === 'absent') {
    if (m.iterations.length > 0) throw new Error(`machine ${m.name}: iterations need an ou=backup`);
    return;
  }
  const backupDn = `ou=backup,${dn}`;
  if (m.backup === 'plain') {
    w.add(backupDn, ['top', 'organizationalUnit'], { ou: 'backup' });
  } else {
    const plan = backupPlanAttrs(m.backup);
    w.add(backupDn, ['top', 'organizationalUnit', ...plan.classes], { ou: 'backup', ...plan.attrs });
  }
  for (const it of [...m.iterations].sort((a, b) => b.agoMs - a.agoMs)) {
    const name = iterationName(it, now);
    const steps = it.completedSteps ?? completedStepsFor(it.mode);
    const seconds = stepSecondsOf(it);
    const times: string[] = [];
    if (steps.includes('snapshot')) times.push(`snapshot: ${seconds.snapshot}`, `downtime: ${seconds.downtime}`);
    else times.push('snapshot: 0');
    times.push(`merge: ${steps.includes('merge') ? seconds.merge : 0}`);
    times.push(`retain: ${steps.includes('retain') ? seconds.retain : 0}`);
    const modifiedAgo = it.modifiedAgoMs ?? it.stateAgoMs ?? it.agoMs;
    w.add(`ou=${name},${backupDn}`, ['top', 'organizationalUnit', 'sstProvisioning'], {
      ou: name,
      sstProvisioningMode: it.mode,
      sstProvisioningState: it.stateAgoMs === undefined ? '0' : compactUtc(new Date(now.getTime() - it.stateAgoMs)),
      sstProvisioningExecutionDate: 0,
      sstProvisioningReturnValue: it.returnValue ?? 0,
      sstProvisioningExecutionTime: times,
      ...(operational ? { modifyTimestamp: generalizedTime(new Date(now.getTime() - modifiedAgo)) } : {}),
    });
  }
}

/** Machines exist before their first iteration; without one, a year before `now`. */
function createdAgo(m: MachineSpec): number {
  if (m.createdAgoMs !== undefined) return m.createdAgoMs;
  const oldest = Math.max(0, ...m.iterations.map((i) => i.agoMs));
  return oldest > 0 ? oldest + DAY : 365 * DAY;
}

/** Catches mistakes in a hand-written spec before slapadd does, with a clearer message. */
function checkConsistency(spec: CloudSpec): void {
  const unique = (what: string, values: Array<string | number>): void => {
    const seen = new Set<string | number>();
    for (const v of values) {
      if (seen.has(v)) throw new Error(`duplicate ${what}: ${v}`);
      seen.add(v);
    }
  };
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const ids = [
    ...spec.machines.map((m) => m.uuid),
    ...spec.machines.flatMap((m) => m.disks.flatMap((d) => (d.volumeUuid ? [d.volumeUuid] : []))),
    ...spec.pools.map((p) => p.uuid),
    ...spec.storagePools.map((s) => s.uuid),
  ];
  for (const id of ids) if (!uuid.test(id)) throw new Error(`not a lower-case UUID: ${id}`);
  unique('UUID', ids);
  unique(
    'MAC address',
    spec.machines.map((m) => m.mac.toLowerCase()),
  );
  unique(
    'IP address',
    spec.machines.map((m) => m.ip),
  );
  unique(
    'SPICE port',
    spec.machines.map((m) => m.spicePort),
  );
  unique(
    'login',
    spec.people.map((p) => p.login.toLowerCase()),
  );
  for (const m of spec.machines) {
    if (!/^52:54:00(:[0-9a-f]{2}){3}$/.test(m.mac)) throw new Error(`machine ${m.name}: MAC ${m.mac} is not a lower-case 52:54:00 address`);
    if (!spec.nodes.some((n) => n.fqdn === m.node)) throw new Error(`machine ${m.name}: unknown node ${m.node}`);
    const pool = spec.pools.find((p) => p.uuid === m.poolUuid);
    if (pool && !pool.nodes.includes(m.node)) throw new Error(`machine ${m.name}: node ${m.node} is not linked to pool ${pool.name}`);
    unique(
      `iteration of ${m.name}`,
      m.iterations.map((i) => Math.floor(i.agoMs / 1000)),
    );
  }
}
