import 'server-only';
import { AppError } from '@/lib/errors';
import { EqualityFilter, NoSuchObjectError, NotAllowedOnNonLeafError } from 'ldapts';
import { completeConfigOf } from '@/lib/backup/complete-config';
import type { BackupConfigEntry, BackupLevel } from '@/lib/backup/config';
import type { ConfigFormField } from '@/lib/backup/config-schema';
import type { BackupEntryState, NextBackupEntry } from '@/lib/backup/override';
import { configText, type ConfigPatch } from '@/lib/backup/save-plan';
import { CONFIG_ATTRIBUTES, CONFIG_CLASS, CRON_ATTRIBUTE, CRON_CLASS, mapBackupConfig, PARAMETER_ATTRIBUTE } from './backup';
import { readEntry, searchAll, withDirectory } from './client';
import { all, one, type RawEntry } from './entry';
import {
  addIfAbsent,
  AssertionControl,
  attributeChanges,
  modifyIfUnchanged,
  type AttributeChange,
  type AttributeValues,
} from './guarded-write';
import { cloudBackupDn, machineBackupDn, machinesDn, poolBackupDn } from './layout';

/**
 * Writing backup configuration entries (`ou=backup` of the cloud, a pool or a
 * machine) in the formats the daemons read: booleans TRUE/FALSE, integers as
 * decimal text, directories as file:/// URLs, one value per cron field.
 */

// The form's fields are written from a patch; the exclude flag only by excluding and including.
const { excludeFromBackup: EXCLUDE_ATTRIBUTE, ...WRITTEN_PARAMETER_ATTRIBUTE } = PARAMETER_ATTRIBUTE;

// Allowed by the two classes but unused by the daemons: never written, only removed together
// with their class so that no entry is left violating the schema.
const BACKUP_CLASS_ATTRIBUTES = [
  ...Object.values(WRITTEN_PARAMETER_ATTRIBUTE),
  EXCLUDE_ATTRIBUTE,
  'sstVirtualizationVirtualMachineSequenceStart',
  'sstVirtualizationVirtualMachineSequenceStop',
];
const CRON_CLASS_ATTRIBUTES = [...Object.values(CRON_ATTRIBUTE), 'sstCronCommand'];
const MANAGED = ['objectClass', 'description', ...BACKUP_CLASS_ATTRIBUTES, ...CRON_CLASS_ATTRIBUTES];

/** spec/directory.md §3.3: these have no EQUALITY rule, so single values cannot be deleted. */
const WITHOUT_EQUALITY: ReadonlySet<string> = new Set(
  [EXCLUDE_ATTRIBUTE, PARAMETER_ATTRIBUTE.restoreWithoutState, PARAMETER_ATTRIBUTE.forceStart, ...CRON_CLASS_ATTRIBUTES].map((a) =>
    a.toLowerCase(),
  ),
);

/**
 * The console's note on an `ou=backup` whose configuration it copied from the level above
 * to store the exclude flag. `description` is a MAY of organizationalUnit, so the note needs
 * no schema change, and a value of its own leaves any other description untouched.
 */
const MARKER = /^backup-console: .*fingerprint ([0-9a-f]{16})$/;
const markerText = (fingerprint: string) =>
  `backup-console: copy of the inherited backup configuration, made to store the exclude flag; fingerprint ${fingerprint}`;
/** stoney cloud: a pool's flag stops nothing, so the console excludes a pool's machines one by one and marks each. */
const WITH_POOL = /^backup-console: excluded together with pool ([0-9a-f-]{36})$/;
const withPoolText = (pool: string) => `backup-console: excluded together with pool ${pool}`;
const MEMBERS_EXCLUDED = 'backup-console: the machines of this pool were excluded one by one (stoney cloud reads no pool flag)';
const isConsoleNote = (d: string) => MARKER.test(d) || WITH_POOL.test(d) || d === MEMBERS_EXCLUDED;

/** The attribute each form field is stored in. */
const FIELD_ATTRIBUTE: Readonly<Record<ConfigFormField, string>> = {
  ...WRITTEN_PARAMETER_ATTRIBUTE,
  cronMinute: CRON_ATTRIBUTE.minute,
  cronHour: CRON_ATTRIBUTE.hour,
  cronDay: CRON_ATTRIBUTE.day,
  cronMonth: CRON_ATTRIBUTE.month,
  cronDayOfWeek: CRON_ATTRIBUTE.dayOfWeek,
  cronActive: CRON_ATTRIBUTE.active,
};

/** The directory's name for a form field, for messages and the audit note. */
export function attributeOfField(field: ConfigFormField): string {
  return FIELD_ATTRIBUTE[field];
}

export type BackupTarget = { level: 'cloud' } | { level: 'pool'; uuid: string } | { level: 'machine'; uuid: string };

export function backupTargetDn(target: BackupTarget): string {
  if (target.level === 'cloud') return cloudBackupDn();
  return target.level === 'pool' ? poolBackupDn(target.uuid) : machineBackupDn(target.uuid);
}

export type StoredBackupEntry = {
  target: BackupTarget;
  dn: string;
  /** entryCSN as read: the write is refused if the entry changed since. */
  csn: string | null;
  state: BackupEntryState;
  /** The entry as the precedence rules see it; null when it does not exist. */
  entry: BackupConfigEntry | null;
  attrs: AttributeValues;
};

const bool = (v: boolean): string => (v ? 'TRUE' : 'FALSE');
const has = (list: string[], value: string) => list.some((v) => v.toLowerCase() === value.toLowerCase());

function managedValues(entry: RawEntry | null): AttributeValues {
  const out: AttributeValues = {};
  for (const name of MANAGED) out[name] = entry ? all(entry, name) : [];
  return out;
}

export async function readStoredBackupEntry(target: BackupTarget): Promise<StoredBackupEntry> {
  const dn = backupTargetDn(target);
  const raw = await readEntry('Reading the backup configuration', dn, [...CONFIG_ATTRIBUTES, ...MANAGED, 'entryCSN', 'hasSubordinates']);
  const attrs = managedValues(raw);
  if (!raw) {
    return {
      target,
      dn,
      csn: null,
      entry: null,
      attrs,
      state: { exists: false, hasConfigClass: false, values: {}, copyFingerprint: null, hasChildren: false },
    };
  }
  const entry = mapBackupConfig(raw, target.level as BackupLevel);
  const marker = attrs.description.map((d) => MARKER.exec(d)?.[1]).find((f) => f !== undefined) ?? null;
  const withPool = attrs.description.map((d) => WITH_POOL.exec(d)?.[1]).find((f) => f !== undefined) ?? null;
  const subordinates = one(raw, 'hasSubordinates')?.toUpperCase();
  return {
    target,
    dn,
    csn: all(raw, 'entryCSN')[0] ?? null,
    entry,
    attrs,
    state: {
      exists: true,
      hasConfigClass: entry.hasConfigClass,
      values: entry.values,
      copyFingerprint: marker,
      excludedWithPool: withPool,
      membersExcluded: attrs.description.includes(MEMBERS_EXCLUDED),
      ...(subordinates === undefined ? {} : { hasChildren: subordinates === 'TRUE' }),
    },
  };
}

/** The attributes of the patched fields, in the formats the daemons read. */
function patchAttributes(patch: ConfigPatch): AttributeValues {
  const out: AttributeValues = {};
  for (const key of patch.keys) {
    const value = configText(patch.config, key);
    // Cron fields are multi-valued in the schema, but the daemons read one value holding the whole field.
    out[FIELD_ATTRIBUTE[key]] = value === '' ? [] : [value];
  }
  return out;
}

/** The entry's managed attributes after `next`, with the classes its attributes need. */
function desiredAttributes(stored: StoredBackupEntry, next: NextBackupEntry): AttributeValues {
  const desired: AttributeValues = { ...stored.attrs };
  let classes = [...stored.attrs.objectClass];
  if (next.config === null) {
    for (const name of [...BACKUP_CLASS_ATTRIBUTES, ...CRON_CLASS_ATTRIBUTES]) desired[name] = [];
  } else if (next.config !== 'keep') {
    Object.assign(desired, patchAttributes(next.config));
  }
  if (next.exclude !== 'keep') desired[EXCLUDE_ATTRIBUTE] = next.exclude === null ? [] : [bool(next.exclude)];
  const keepWithPool = next.excludedWithPool === undefined || next.excludedWithPool === 'keep';
  const keepMembers = next.membersExcluded === undefined || next.membersExcluded === 'keep';
  const withPool = keepWithPool ? (stored.state.excludedWithPool ?? null) : next.excludedWithPool;
  const members = keepMembers ? stored.state.membersExcluded === true : next.membersExcluded === true;
  desired.description = [
    ...stored.attrs.description.filter((d) => !isConsoleNote(d)),
    ...(next.copyFingerprint ? [markerText(next.copyFingerprint)] : []),
    ...(withPool ? [withPoolText(withPool)] : []),
    ...(members ? [MEMBERS_EXCLUDED] : []),
  ];
  const needs = (names: string[]) => names.some((n) => desired[n].length > 0);
  for (const [cls, names] of [
    [CONFIG_CLASS, BACKUP_CLASS_ATTRIBUTES],
    [CRON_CLASS, CRON_CLASS_ATTRIBUTES],
  ] as const) {
    if (needs([...names]) && !has(classes, cls)) classes.push(cls);
    if (!needs([...names])) classes = classes.filter((c) => c.toLowerCase() !== cls.toLowerCase());
  }
  desired.objectClass = classes;
  return desired;
}

/** Last line of defence: whatever the caller asks, never turn an entry into a partial override. */
function assertNotNewlyPartial(stored: StoredBackupEntry, desired: AttributeValues): void {
  if (!has(desired.objectClass, CONFIG_CLASS) || stored.state.hasConfigClass) return;
  const mapped = mapBackupConfig(
    { dn: stored.dn, attrs: Object.fromEntries(Object.entries(desired).map(([k, v]) => [k.toLowerCase(), v])) },
    'machine',
  );
  // A schedule is needed only where fc-brokerd reads it; the planners in lib/backup require it on
  // FOSS-Cloud. Half a schedule is never acceptable (the cron class needs every field).
  if (!completeConfigOf(mapped.values, { needsSchedule: false }).ok) {
    throw new AppError(
      'invalid-input',
      'Nothing was changed: the change would have left a partial backup configuration.',
      `refused partial override at ${stored.dn}`,
    );
  }
}

const MISSING_PARENT: Readonly<Record<BackupLevel, string>> = {
  machine: 'The machine does not exist in the directory (any more).',
  pool: 'The VM pool does not exist in the directory (any more).',
  cloud: 'The cloud-wide configuration container (ou=configuration) does not exist in the directory.',
};

/** Nothing but the organizationalUnit itself: no configuration, no note. */
function isPlain(desired: AttributeValues): boolean {
  const classes = desired.objectClass.map((c) => c.toLowerCase()).filter((c) => c !== 'top' && c !== 'organizationalunit');
  return (
    classes.length === 0 &&
    desired.description.length === 0 &&
    Object.entries(desired).every(([k, v]) => k === 'objectClass' || k === 'description' || v.length === 0)
  );
}

/**
 * Writes `next` in one LDAP operation: an add when the entry was read as absent, else one
 * modify guarded by the entryCSN read. Returns what changed, attribute by attribute.
 *
 * An ou=backup that would end up plain and holds no iteration is deleted instead: the stoney
 * wrapper skips a machine whose ou=backup has no leaf every night (daemons.md, fact 7), while
 * both schedulers create a missing one themselves.
 */
export async function writeStoredBackupEntry(stored: StoredBackupEntry, next: NextBackupEntry): Promise<AttributeChange[]> {
  const desired = desiredAttributes(stored, next);
  assertNotNewlyPartial(stored, desired);
  if (stored.state.exists && stored.target.level === 'machine' && stored.state.hasChildren === false && isPlain(desired)) {
    await deleteIfUnchanged(stored);
    return Object.entries(stored.attrs)
      .filter(([, v]) => v.length > 0)
      .map(([attribute, before]) => ({ attribute, before, after: [] }));
  }
  if (!stored.state.exists) {
    const hasContent = desired.objectClass.length > 0 || desired.description.length > 0;
    if (!hasContent) return [];
    const attributes: AttributeValues = { ...desired, objectClass: ['top', 'organizationalUnit', ...desired.objectClass], ou: ['backup'] };
    await addIfAbsent('Creating the backup configuration', stored.dn, attributes, MISSING_PARENT[stored.target.level]);
    return Object.entries(attributes)
      .filter(([, v]) => v.length > 0)
      .map(([attribute, after]) => ({ attribute, before: [], after }));
  }
  const { changes, diff } = attributeChanges(stored.attrs, desired, WITHOUT_EQUALITY);
  await modifyIfUnchanged('Saving the backup configuration', stored.dn, stored.csn, changes);
  return diff;
}

/** Deletes an entry read as `stored`, refused when someone changed it or put something below it meanwhile. */
async function deleteIfUnchanged(stored: StoredBackupEntry): Promise<void> {
  await withDirectory('Removing the empty ou=backup', async (client) => {
    try {
      const guard = stored.csn ? new AssertionControl(new EqualityFilter({ attribute: 'entryCSN', value: stored.csn })) : undefined;
      await client.del(stored.dn, guard);
    } catch (error) {
      if (
        error instanceof NotAllowedOnNonLeafError ||
        error instanceof NoSuchObjectError ||
        (error instanceof Error && 'code' in error && (error as { code: number }).code === 122)
      ) {
        throw new AppError(
          'conflict',
          'Someone else changed this entry at the same moment, so nothing was saved. Reload the page and try again.',
          `${stored.dn}: ${error.message}`,
        );
      }
      throw error;
    }
  });
}

/** A machine's whole backup subtree as stored: the ou=backup, its leaves and anything below them. */
export type BackupSubtree = {
  backup: { dn: string; attrs: AttributeValues; excluded: boolean; hasConfiguration: boolean } | null;
  leaves: { dn: string; name: string; mode: string; state: string; returnValue: number | null; attrs: AttributeValues }[];
  below: { dn: string; leafDn: string; attrs: AttributeValues }[];
};

const sameDn = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export async function readBackupSubtree(machineUuid: string): Promise<BackupSubtree> {
  const base = machineBackupDn(machineUuid);
  let entries: RawEntry[];
  try {
    entries = await searchAll('Reading the backup entries of the machine', {
      base,
      scope: 'sub',
      filter: '(objectClass=*)',
      attributes: ['*'],
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'not-found') return { backup: null, leaves: [], below: [] };
    throw error;
  }
  const top = entries.find((e) => sameDn(e.dn, base)) ?? null;
  const depthOf = (dn: string) => dn.split(/(?<!\\),/).length - base.split(/(?<!\\),/).length;
  const leafEntries = entries.filter((e) => depthOf(e.dn) === 1);
  const leaves = leafEntries
    .filter((e) => all(e, 'objectClass').some((c) => c.toLowerCase() === 'sstprovisioning'))
    .map((e) => ({
      dn: e.dn,
      name: all(e, 'ou')[0] ?? e.dn,
      mode: one(e, 'sstProvisioningMode') ?? '',
      state: one(e, 'sstProvisioningState') ?? '',
      returnValue: /^-?\d+$/.test(one(e, 'sstProvisioningReturnValue') ?? '') ? Number(one(e, 'sstProvisioningReturnValue')) : null,
      attrs: e.attrs,
    }));
  const below = entries
    .filter((e) => depthOf(e.dn) >= 2)
    .map((e) => ({
      dn: e.dn,
      leafDn: leafEntries.find((l) => e.dn.toLowerCase().endsWith(`,${l.dn.toLowerCase()}`))?.dn ?? '',
      attrs: e.attrs,
    }));
  const mapped = top ? mapBackupConfig(top, 'machine') : null;
  return {
    backup:
      top && mapped
        ? {
            dn: top.dn,
            attrs: top.attrs,
            excluded: mapped.values.excludeFromBackup === true,
            hasConfiguration:
              mapped.hasConfigClass ||
              all(top, 'objectClass').some((c) => c.toLowerCase() === CRON_CLASS.toLowerCase()) ||
              Object.keys(mapped.values).length > 0 ||
              all(top, 'description').length > 0,
          }
        : null,
    leaves,
    below,
  };
}

const LEAF_STATE: Readonly<Record<string, string>> = {
  mode: 'sstProvisioningMode',
  state: 'sstProvisioningState',
  returnValue: 'sstProvisioningReturnValue',
};

/**
 * Carries out an unblock: deletes the given entries (children first) and, when asked, marks a
 * leaf finished with return value 0, its mode changed by compare-and-set. Returns what changed,
 * entry by entry, for the audit record.
 */
export async function applyUnblock(
  subtree: BackupSubtree,
  deletions: string[],
  markFinished: { dn: string; previousMode: string; note: string; stamp: string } | null,
): Promise<AttributeChange[]> {
  const changes: AttributeChange[] = [];
  const attrsOf = (dn: string): AttributeValues | undefined =>
    [subtree.backup, ...subtree.leaves, ...subtree.below].find((e) => e !== null && sameDn(e.dn, dn))?.attrs;
  await withDirectory('Unblocking the machine', async (client) => {
    for (const dn of deletions) {
      try {
        await client.del(dn);
      } catch (error) {
        if (error instanceof NoSuchObjectError) continue;
        if (error instanceof NotAllowedOnNonLeafError) {
          throw new AppError(
            'conflict',
            "Something new appeared below the machine's backup entries meanwhile; reload the page and try again.",
            `${dn}: ${error.message}`,
          );
        }
        throw error;
      }
      changes.push({
        attribute: `entry ${dn}`,
        before: Object.entries(attrsOf(dn) ?? {}).map(([k, v]) => `${k}: ${v.join(' | ')}`),
        after: [],
      });
    }
  });
  if (markFinished) {
    const { Attribute, Change } = await import('ldapts');
    const leafChanges = [
      new Change({ operation: 'delete', modification: new Attribute({ type: LEAF_STATE.mode, values: [markFinished.previousMode] }) }),
      new Change({ operation: 'add', modification: new Attribute({ type: LEAF_STATE.mode, values: ['finished'] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: LEAF_STATE.returnValue, values: ['0'] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: LEAF_STATE.state, values: [markFinished.stamp] }) }),
      new Change({ operation: 'add', modification: new Attribute({ type: 'description', values: [markFinished.note] }) }),
    ];
    const before = attrsOf(markFinished.dn) ?? {};
    await modifyIfUnchanged('Marking the leaf finished', markFinished.dn, null, leafChanges);
    changes.push(
      { attribute: `${LEAF_STATE.mode} of ${markFinished.dn}`, before: before[LEAF_STATE.mode.toLowerCase()] ?? [], after: ['finished'] },
      {
        attribute: `${LEAF_STATE.returnValue} of ${markFinished.dn}`,
        before: before[LEAF_STATE.returnValue.toLowerCase()] ?? [],
        after: ['0'],
      },
    );
  }
  return changes;
}

/** The format of every disk (device disk) of every machine, keyed by machine UUID: one search. */
export async function readDiskFormats(): Promise<Map<string, string[]>> {
  const entries = await searchAll('Reading the disk formats of the machines', {
    base: machinesDn(),
    scope: 'sub',
    filter: '(objectClass=sstVirtualizationVirtualMachineDisk)',
    attributes: ['sstDevice', 'sstDriverType'],
  });
  const out = new Map<string, string[]>();
  for (const entry of entries) {
    if ((one(entry, 'sstDevice') ?? 'disk').toLowerCase() !== 'disk') continue;
    const machine = /,sstVirtualMachine=([^,]+),/i.exec(entry.dn)?.[1]?.toLowerCase();
    const format = one(entry, 'sstDriverType');
    if (!machine || !format) continue;
    const list = out.get(machine) ?? [];
    list.push(format);
    out.set(machine, list);
  }
  return out;
}
