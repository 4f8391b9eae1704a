/**
 * A second, deliberately different stoney cloud: another base DN (with a space), other UIDs,
 * UUIDs, networks and paths, and names full of commas, quotes, shell metacharacters and
 * non-ASCII letters. The console must run against it with configuration changes only; any
 * hard-coded demo value or missing escaping shows up here.
 */
import { buildCloudLdif, DAY, finishedAgo, GiB, HOUR, loginOf, summarizeCloud, type BackupPlanSpec, type CloudSpec } from './cloud-ldif';

const BASE_DN = 'o=Stepping Stone GmbH,c=ch';
const NODE = 'kvm-01.stepping-stone.ch';

const STORAGE = {
  persistent: 'ac05b304-c312-4fa1-a0d4-ffdca9395d03',
  template: '99337705-baf5-4250-b5f3-10882a638af9',
} as const;

const POOL = {
  customers: '50a70244-00df-486b-be66-3bcae4db7063',
  templates: '0b100954-d568-4be5-93c5-a384b96c7a58',
} as const;

const GLOBAL_BACKUP: BackupPlanSpec = {
  iterations: 5,
  rootDirectory: 'file:///srv/backup/kvm',
  retainDirectory: 'file:///var/virtualization/retain',
  restoreWithoutState: true,
  forceStart: true,
  bandwidthMerge: 50,
  imageFormat: 'qcow2',
  imageOwner: 'root',
  imageGroup: 'kvm',
  imagePermission: 640,
  directoryOwner: 'root',
  directoryGroup: 'kvm',
  directoryPermission: 750,
  // Weekdays at 23:15 local time.
  cron: { minute: '15', hour: '23', day: '*', month: '*', dayOfWeek: '1,2,3,4,5', active: true },
};

const spec: CloudSpec = {
  baseDn: BASE_DN,
  organization: 'Stepping Stone GmbH',
  reseller: { uid: '1000000', name: 'Stepping Stone GmbH' },
  customer: { uid: '1000001', name: 'Käserei Emmental, "Zum Löwen"' },
  realm: { uid: '1000013', displayName: 'Stepping Stone (intern)' },
  nextFreeUid: '1000030',
  cloudId: 'e5e3a0b0-5c39-4f0e-9a47-7f2a9a0b7c11',
  serviceAccounts: [{ cn: 'prov-backup-kvm', password: 'other-prov-secret' }],
  people: [
    {
      uid: '1000020',
      login: 'Anna Müller',
      password: 'anna-secret',
      givenName: 'Anna',
      surname: 'Müller',
      mail: 'anna.mueller@stepping-stone.ch',
      gender: 'f',
      preferredLanguage: 'de-CH',
      timeZoneOffset: '+01:00',
      roles: ['Admin Virtualization'],
    },
    {
      uid: '1000021',
      login: 'bruno',
      password: 'bruno-secret',
      givenName: 'Bruno',
      surname: 'Keller',
      mail: 'bruno.keller@stepping-stone.ch',
      gender: 'm',
      preferredLanguage: 'fr-CH',
      timeZoneOffset: '+01:00',
      roles: ['User'],
    },
  ],
  groups: [{ uid: '1000014', displayName: 'Betrieb, Bern', groupName: 'betrieb' }],
  nodes: [
    {
      fqdn: NODE,
      description: 'Einziger Knoten, Rechenzentrum Bern',
      state: 'active',
      ip: { admin: '192.168.76.21', data: '192.168.79.21', int: '192.168.77.21', pub: '192.168.78.21' },
    },
  ],
  storagePools: [
    { uuid: STORAGE.persistent, type: 'persistent', displayName: 'Kunden-Speicher' },
    { uuid: STORAGE.template, type: 'template', displayName: 'Vorlagen-Speicher' },
  ],
  pools: [
    {
      uuid: POOL.customers,
      name: 'Kunden, Bern & Zürich',
      type: 'persistent',
      description: 'Kundenserver (Bern, Zürich)',
      storagePoolUuid: STORAGE.persistent,
      nodes: [NODE],
      range: '192.168.78.128/26',
      people: ['1000021'],
    },
    {
      uuid: POOL.templates,
      name: 'Vorlagen "Debian"',
      type: 'template',
      description: 'Vorlagen; wöchentlich gesichert',
      storagePoolUuid: STORAGE.template,
      nodes: [NODE],
      range: '192.168.78.192/26',
    },
  ],
  globalBackup: GLOBAL_BACKUP,
  network: {
    subnet: '192.168.78.0',
    netmask: 24,
    router: '192.168.78.1',
    dns: '192.168.78.2',
    ntp: '192.168.78.2',
    domain: 'stepping-stone.ch',
    displayName: 'Kundennetz',
    bridge: 'br-kunden',
    segments: {
      admin: { prefix: '192.168.76.0/24', vlan: 76, domain: 'admin.stepping-stone.ch' },
      data: { prefix: '192.168.79.0/24', vlan: 79, domain: 'data.stepping-stone.ch' },
      int: { prefix: '192.168.77.0/24', vlan: 77, domain: 'int.stepping-stone.ch' },
      pub: { prefix: '192.168.78.0/24', vlan: 78, domain: 'stepping-stone.ch' },
    },
  },
  machines: [
    {
      uuid: '9f0c6b1e-2d4a-4e8b-a1c3-5d7e9f1a2b3c',
      name: 'Café "Zürich", Web',
      poolUuid: POOL.customers,
      node: NODE,
      subType: 'Server',
      status: 'running',
      memoryBytes: 3 * GiB,
      vcpu: 2,
      os: 'linux',
      disks: [
        { target: 'vda', device: 'disk', volumeUuid: '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d', capacityBytes: 25 * GiB },
        { target: 'vdb', device: 'disk', volumeUuid: '6e7f8091-a2b3-4c4d-9e5f-60718293a4b5', capacityBytes: 5 * GiB },
      ],
      mac: '52:54:00:be:01:01',
      ip: '192.168.78.130',
      spicePort: 5920,
      people: ['1000021'],
      backup: 'plain',
      iterations: [finishedAgo(23 * HOUR), finishedAgo(47 * HOUR)],
      expected: 'protected',
      story: "weekday plan, last night's backup finished",
    },
    {
      uuid: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
      name: 'Ærø; backup $(test)',
      poolUuid: POOL.customers,
      node: NODE,
      subType: 'Server',
      status: 'running',
      memoryBytes: 2 * GiB,
      vcpu: 1,
      os: 'linux',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: 'd4e5f607-1829-4a3b-bc4d-5e6f708192a3', capacityBytes: 15 * GiB }],
      mac: '52:54:00:be:01:02',
      ip: '192.168.78.131',
      spicePort: 5921,
      backup: 'plain',
      iterations: [finishedAgo(47 * HOUR), { agoMs: 23 * HOUR, mode: 'snapshotting', returnValue: 6 }],
      expected: 'failed',
      expectedProtection: 'protected',
      story: "snapshot failed with 6 (CANNOT_WRITE_TO_BACKUP_LOCATION); the last good one is within the weekday plan's longest gap",
    },
    {
      uuid: '7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d',
      name: "Buchhaltung `Jahresabschluss` 'alt'",
      poolUuid: POOL.customers,
      node: NODE,
      subType: 'Desktop',
      status: 'shutdown',
      memoryBytes: 2 * GiB,
      vcpu: 1,
      os: 'windows',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: 'e1f20314-2536-4748-99aa-bbccddeeff00', capacityBytes: 40 * GiB }],
      mac: '52:54:00:be:01:03',
      ip: '192.168.78.132',
      spicePort: 5922,
      backup: 'absent',
      iterations: [],
      expected: 'never',
      story: 'never backed up',
    },
    {
      uuid: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901',
      name: 'Vorlage, Debian "bookworm" (64 bit)',
      poolUuid: POOL.templates,
      node: NODE,
      subType: 'VM-Template',
      templateMode: 'ready for use',
      status: 'shutdown',
      memoryBytes: 1 * GiB,
      vcpu: 1,
      os: 'linux',
      disks: [{ target: 'vda', device: 'disk', volumeUuid: '3c4d5e6f-7081-4293-a4b5-c6d7e8f90a1b', capacityBytes: 8 * GiB }],
      mac: '52:54:00:be:01:04',
      ip: '192.168.78.193',
      spicePort: 5923,
      backup: 'plain',
      iterations: [finishedAgo(10 * DAY)],
      expected: 'stale',
      story: 'weekday plan, newest backup ten days old',
    },
  ],
};

export const OTHER = {
  baseDn: BASE_DN,
  rootDn: `cn=Manager,${BASE_DN}`,
  rootPassword: 'other-manager-secret',
  realmUid: spec.realm.uid,
  resellerUid: spec.reseller.uid,
  customerUid: spec.customer.uid,
  logins: { admin: loginOf(spec, 'Anna Müller'), user: loginOf(spec, 'bruno') },
  adminGroupUid: '1000014',
  ...summarizeCloud(spec),
} as const;

export const OTHER_SPEC: Readonly<CloudSpec> = spec;

export function buildOtherDirectory(now: Date): { baseDn: string; ldif: string } {
  const header = `second test directory (not the demo), generated for ${now.toISOString()} by scripts/directory/other-directory.ts`;
  return { baseDn: BASE_DN, ldif: buildCloudLdif(spec, now, header) };
}
