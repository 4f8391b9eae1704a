/**
 * What the demo cloud and the benchmark cloud have alike, as a default stoney cloud installation
 * has it: the installer's three storage pools, the directories and ownership of a complete backup
 * plan, and the stoney-cloud.org networks with the nodes' addresses on them.
 */
import type { BackupPlanSpec, NetworkSpec, NodeSpec, PoolType, StoragePoolSpec } from './cloud-ldif';

/** The storage pools' UUIDs, by the kind of machine pool they serve. */
export const STORAGE: Readonly<Record<PoolType, string>> = {
  persistent: '0f83f084-8080-413e-b558-b678e504836e',
  template: '5b77d2f6-061f-410c-8ee7-9e61da6f1927',
  dynamic: 'c92851ab-ec8e-4eba-b60d-96cf3f72fd02',
};

export const STORAGE_POOLS: readonly StoragePoolSpec[] = [
  { uuid: STORAGE.persistent, type: 'persistent', displayName: 'persistent-storage-pool-01' },
  { uuid: STORAGE.template, type: 'template', displayName: 'template-storage-pool-01' },
  { uuid: STORAGE.dynamic, type: 'dynamic', displayName: 'dynamic-storage-pool-01' },
];

/** Directory and ownership values every complete plan carries: the daemons' defaults, and a RAM disk for the saved state. */
export const FILES = {
  rootDirectory: 'file:///var/backup/virtualization',
  retainDirectory: 'file:///var/virtualization/retain',
  ramDiskLocation: 'file:///var/cache/kvmbackup',
  restoreWithoutState: false,
  forceStart: false,
  bandwidthMerge: 0,
  imageFormat: 'qcow2',
  imageOwner: 'root',
  imageGroup: 'vm-storage',
  imagePermission: 660,
  directoryOwner: 'root',
  directoryGroup: 'vm-storage',
  directoryPermission: 770,
} satisfies BackupPlanSpec;

/**
 * The stoney-cloud.org networks by their VLAN: the admin, data and internal ones are
 * 10.1.<vlan>.0/24, named <network>.stoney-cloud.org; the public one is the machines' network.
 */
const VLAN = { admin: 110, data: 140, int: 120, pub: 130 } as const;

/** Node `n` (1, 2, …): node-0n.stoney-cloud.org at 10.1.<vlan>.<10 + n> on each network. */
export function defaultNode(n: number, description: string): NodeSpec {
  const on = (network: keyof typeof VLAN) => `10.1.${VLAN[network]}.${10 + n}`;
  return {
    fqdn: `node-${String(n).padStart(2, '0')}.stoney-cloud.org`,
    description,
    state: 'active',
    ip: { admin: on('admin'), data: on('data'), int: on('int'), pub: on('pub') },
  };
}

const segment = (network: 'admin' | 'data' | 'int') => ({
  prefix: `10.1.${VLAN[network]}.0/24`,
  vlan: VLAN[network],
  domain: `${network}.stoney-cloud.org`,
});

/** The stoney-cloud.org networks, the public one being `subnet`/`netmask` (its DNS serves NTP too). */
export function defaultNetwork(subnet: string, netmask: number, router: string, dns: string): NetworkSpec {
  return {
    subnet,
    netmask,
    router,
    dns,
    ntp: dns,
    domain: 'stoney-cloud.org',
    displayName: 'network-pool-01',
    bridge: 'vmbr0',
    segments: {
      admin: segment('admin'),
      data: segment('data'),
      int: segment('int'),
      pub: { prefix: `${subnet}/${netmask}`, vlan: VLAN.pub, domain: 'stoney-cloud.org' },
    },
  };
}
