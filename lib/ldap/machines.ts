import 'server-only';
import { z } from 'zod';
import { all, checked, int, one, bool, type EntryProblem, type RawEntry } from './entry';
import { eq } from './escape';
import { dhcpDn, machineDn, machinesDn } from './layout';
import { readEntry, searchAll } from './client';

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const machineSummarySchema = z.object({
  dn: z.string(),
  uuid: z.string().regex(uuidPattern, 'sstVirtualMachine is not a UUID'),
  name: z.string().min(1, 'sstDisplayName is missing'),
  poolUuid: z.string().nullable(),
  node: z.string().nullable(),
  type: z.string().nullable(),
  subType: z.string().nullable(),
  runState: z.string().nullable(),
  /**
   * createTimestamp as the directory holds it (GeneralizedTime, UTC, e.g. 20240312030512Z): when
   * the machine entry was created, for the nights before it existed. Kept as text: it is only
   * compared, and 5,000 date conversions per fleet read are not free.
   */
  createdAt: z.string().nullable(),
});
export type MachineSummary = z.infer<typeof machineSummarySchema>;

/** The attributes a machine list row needs; nothing else crosses the wire for thousands of rows. */
const SUMMARY_ATTRIBUTES = [
  'sstVirtualMachine',
  'sstDisplayName',
  'sstVirtualMachinePool',
  'sstNode',
  'sstVirtualMachineType',
  'sstVirtualMachineSubType',
  'sstStatus',
  'createTimestamp',
] as const;

function mapSummary(entry: RawEntry, problems: EntryProblem[]): MachineSummary | null {
  const candidate: MachineSummary = {
    dn: entry.dn,
    uuid: one(entry, 'sstVirtualMachine') ?? '',
    name: one(entry, 'sstDisplayName') ?? '',
    poolUuid: one(entry, 'sstVirtualMachinePool') ?? null,
    node: one(entry, 'sstNode') ?? null,
    type: one(entry, 'sstVirtualMachineType') ?? null,
    subType: one(entry, 'sstVirtualMachineSubType') ?? null,
    runState: one(entry, 'sstStatus') ?? null,
    createdAt: one(entry, 'createTimestamp') ?? null,
  };
  // The schema check costs more than the mapping for thousands of rows; it runs to word a problem.
  if (uuidPattern.test(candidate.uuid) && candidate.name !== '') return candidate;
  return checked(machineSummarySchema, entry, candidate, problems);
}

export async function searchMachineSummaries(problems: EntryProblem[], filter?: string): Promise<MachineSummary[]> {
  const entries = await searchAll('Listing machines', {
    base: machinesDn(),
    scope: 'one',
    filter: filter ? `(&(objectClass=sstVirtualizationVirtualMachine)${filter})` : '(objectClass=sstVirtualizationVirtualMachine)',
    attributes: SUMMARY_ATTRIBUTES,
  });
  return entries.map((e) => mapSummary(e, problems)).filter((m): m is MachineSummary => m !== null);
}

/**
 * Name and pool of the given machines (for the pool check of an action), in searches of 200 UUIDs
 * at a time: a selection on the machine list can hold a thousand.
 */
export async function readMachinePools(uuids: string[]): Promise<Map<string, { name: string; poolUuid: string | null }>> {
  const found = new Map<string, { name: string; poolUuid: string | null }>();
  const wanted = [...new Set(uuids.map((u) => u.toLowerCase()))];
  for (let i = 0; i < wanted.length; i += 200) {
    const chunk = wanted.slice(i, i + 200);
    const filter = `(|${chunk.map((u) => eq('sstVirtualMachine', u)).join('')})`;
    for (const m of await searchMachineSummaries([], filter)) found.set(m.uuid.toLowerCase(), { name: m.name, poolUuid: m.poolUuid?.toLowerCase() ?? null });
  }
  return found;
}

export const machinesInPoolFilter = (poolUuid: string) => eq('sstVirtualMachinePool', poolUuid);

export interface MachineDetail extends MachineSummary {
  description: string | null;
  memoryBytes: number | null;
  vcpus: number | null;
  os: { architecture: string | null; machine: string | null; type: string | null; bootDevices: string[]; features: string[] };
  clockOffset: string | null;
  lifecycle: { onPowerOff: string | null; onReboot: string | null; onCrash: string | null };
  spicePort: number | null;
  ownership: { reseller: string[]; customer: string[]; person: string | null };
  /** Every user attribute as the directory holds it, for the "directory attributes" table. */
  attributes: { name: string; values: string[] }[];
}

const HIDDEN_ATTRIBUTES = new Set(['sstspicepassword', 'userpassword', 'createtimestamp']);

export async function readMachine(uuid: string, problems: EntryProblem[]): Promise<MachineDetail | null> {
  const entry = await readEntry('Reading the machine', machineDn(uuid), ['*', 'createTimestamp']);
  if (!entry) return null;
  const summary = mapSummary(entry, problems);
  if (!summary) return null;
  return {
    ...summary,
    description: one(entry, 'description') ?? null,
    memoryBytes: int(entry, 'sstMemory') ?? null,
    vcpus: int(entry, 'sstVCPU') ?? null,
    os: {
      architecture: one(entry, 'sstOSArchitecture') ?? null,
      machine: one(entry, 'sstOSMachine') ?? null,
      type: one(entry, 'sstOSType') ?? null,
      bootDevices: all(entry, 'sstOSBootDevice'),
      features: all(entry, 'sstFeature'),
    },
    clockOffset: one(entry, 'sstClockOffset') ?? null,
    lifecycle: {
      onPowerOff: one(entry, 'sstOnPowerOff') ?? null,
      onReboot: one(entry, 'sstOnReboot') ?? null,
      onCrash: one(entry, 'sstOnCrash') ?? null,
    },
    spicePort: int(entry, 'sstSpicePort') ?? null,
    ownership: {
      reseller: all(entry, 'sstBelongsToResellerUID'),
      customer: all(entry, 'sstBelongsToCustomerUID'),
      person: one(entry, 'sstBelongsToPersonUID') ?? null,
    },
    attributes: Object.entries(entry.attrs)
      .filter(([name]) => !HIDDEN_ATTRIBUTES.has(name))
      .map(([name, values]) => ({ name: displayAttributeName(name), values }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** The directory returns names as the schema spells them; our keys are folded, so restore the usual spelling. */
const KNOWN_SPELLING = new Map(
  [
    ...SUMMARY_ATTRIBUTES,
    'objectClass', 'description', 'sstMemory', 'sstVCPU', 'sstOSArchitecture', 'sstOSMachine', 'sstOSType', 'sstOSBootDevice',
    'sstFeature', 'sstClockOffset', 'sstOnPowerOff', 'sstOnReboot', 'sstOnCrash', 'sstSpicePort', 'sstType', 'labeledURI',
    'sstBelongsToResellerUID', 'sstBelongsToCustomerUID', 'sstBelongsToPersonUID', 'sstMigrationNode', 'sstClockTimer',
    'sstVirtualMachineMode', 'sstNetworkHostname', 'sstNetworkDomainName', 'sstThinProvisioningVirtualMachine', 'uid',
  ].map((n) => [n.toLowerCase(), n]),
);
function displayAttributeName(folded: string): string {
  return KNOWN_SPELLING.get(folded) ?? folded;
}

const diskSchema = z.object({
  dn: z.string(),
  target: z.string().min(1, 'sstDisk is missing'),
  device: z.string().nullable(),
  type: z.string().nullable(),
  bus: z.string().nullable(),
  sourceFile: z.string().nullable(),
  sourceName: z.string().nullable(),
  volumeName: z.string().nullable(),
  capacityBytes: z.number().nullable(),
  driverType: z.string().nullable(),
  driverCache: z.string().nullable(),
  readonly: z.boolean(),
});
export type Disk = z.infer<typeof diskSchema>;

const interfaceSchema = z.object({
  dn: z.string(),
  name: z.string().min(1),
  type: z.string().nullable(),
  bridge: z.string().nullable(),
  model: z.string().nullable(),
  mac: z.string().nullable(),
});
export type NetworkInterface = z.infer<typeof interfaceSchema>;

export async function readDevices(uuid: string, problems: EntryProblem[]): Promise<{ disks: Disk[]; interfaces: NetworkInterface[] }> {
  const entries = await searchAll('Reading the machine devices', {
    base: `ou=devices,${machineDn(uuid)}`,
    scope: 'one',
    filter: '(|(objectClass=sstVirtualizationVirtualMachineDisk)(objectClass=sstVirtualizationVirtualMachineInterface))',
    attributes: [
      'objectClass', 'sstDisk', 'sstDevice', 'sstType', 'sstTargetBus', 'sstSourceFile', 'sstSourceName', 'sstVolumeName',
      'sstVolumeCapacity', 'sstDriverType', 'sstDriverCache', 'sstReadonly', 'sstInterface', 'sstSourceBridge',
      'sstModelType', 'sstMacAddress',
    ],
  });
  const disks: Disk[] = [];
  const interfaces: NetworkInterface[] = [];
  for (const entry of entries) {
    if (one(entry, 'sstDisk') !== undefined) {
      const disk = checked(diskSchema, entry, {
        dn: entry.dn,
        target: one(entry, 'sstDisk') ?? '',
        device: one(entry, 'sstDevice') ?? null,
        type: one(entry, 'sstType') ?? null,
        bus: one(entry, 'sstTargetBus') ?? null,
        sourceFile: one(entry, 'sstSourceFile') ?? null,
        sourceName: one(entry, 'sstSourceName') ?? null,
        volumeName: one(entry, 'sstVolumeName') ?? null,
        capacityBytes: int(entry, 'sstVolumeCapacity') ?? null,
        driverType: one(entry, 'sstDriverType') ?? null,
        driverCache: one(entry, 'sstDriverCache') ?? null,
        readonly: bool(entry, 'sstReadonly') ?? false,
      }, problems);
      if (disk) disks.push(disk);
    } else {
      const nic = checked(interfaceSchema, entry, {
        dn: entry.dn,
        name: one(entry, 'sstInterface') ?? '',
        type: one(entry, 'sstType') ?? null,
        bridge: one(entry, 'sstSourceBridge') ?? null,
        model: one(entry, 'sstModelType') ?? null,
        mac: one(entry, 'sstMacAddress') ?? null,
      }, problems);
      if (nic) interfaces.push(nic);
    }
  }
  disks.sort((a, b) => a.target.localeCompare(b.target));
  interfaces.sort((a, b) => a.name.localeCompare(b.name));
  return { disks, interfaces };
}

export interface DhcpReservation {
  dn: string;
  mac: string | null;
  fixedAddress: string | null;
}

export async function readDhcpReservation(uuid: string): Promise<DhcpReservation | null> {
  const entries = await searchAll('Reading the DHCP reservation', {
    base: dhcpDn(),
    scope: 'sub',
    filter: `(&(objectClass=dhcpHost)${eq('cn', uuid)})`,
    attributes: ['dhcpHWAddress', 'dhcpStatements'],
  });
  const entry = entries[0];
  if (!entry) return null;
  const hw = one(entry, 'dhcpHWAddress');
  const fixed = all(entry, 'dhcpStatements').find((s) => /^fixed-address\s+/i.test(s));
  return {
    dn: entry.dn,
    mac: hw ? hw.replace(/^ethernet\s+/i, '').trim() : null,
    fixedAddress: fixed ? fixed.replace(/^fixed-address\s+/i, '').trim() : null,
  };
}
