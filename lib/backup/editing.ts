import 'server-only';
import { recordAudit } from '@/lib/audit';
import type { Actor } from '@/lib/auth/access';
import { AppError } from '@/lib/errors';
import { invalidateFleetCache } from '@/lib/inventory/cache';
import { readCloudBackupConfig, readIterations, readPoolBackupConfig, searchBackupTree, searchPoolBackupConfigs } from '@/lib/ldap/backup';
import {
  applyUnblock,
  attributeOfField,
  readBackupSubtree,
  readDiskFormats,
  readStoredBackupEntry,
  writeStoredBackupEntry,
  type BackupTarget,
  type StoredBackupEntry,
} from '@/lib/ldap/backup-config';
import type { AttributeChange } from '@/lib/ldap/guarded-write';
import { machinesInPoolFilter, readMachine, searchMachineSummaries, uuidPattern } from '@/lib/ldap/machines';
import { env } from '@/lib/env';
import { formatUtcCompact } from '@/lib/cron';
import { CLONE_CONFIG_REFUSAL, isBackupCandidate, isDynamicClone } from './clones';
import type { CompleteBackupConfig } from './complete-config';
import { holdsBrokerValues, nodeDaemonTakes, resolveEffectiveConfig, type BackupConfigEntry, type BackupLevel, type EffectiveConfig } from './config';
import { formValuesOf } from './config-schema';
import { installationKind } from './installation-reader';
import type { InstallationKind } from './installation';
import { planExclude, planInclude, planRemoveOverride, planSave, type EntryPlan, type OverrideLevel } from './override';
import { planUnblock } from './repair';
import { checkSave, confirmationToken, type SaveFinding, type ScopeMachine } from './save-checks';
import { planConfigPatch } from './save-plan';
import { decodeStateToken, describeStateDifferences, encodeStateToken, sameState } from './state-token';
import type { LeafFacts } from './verdict';

export type { Actor };
export type { BackupTarget } from '@/lib/ldap/backup-config';

export type WriteOutcome = {
  /** 'confirm': nothing was written; the save would have consequences the administrator must confirm. */
  outcome: 'changed' | 'unchanged' | 'confirm';
  message: string;
  /** The version token of the entry after the write, for the next save from the same form. */
  token: string;
  /** Things the administrator should know although the change was made (e.g. no audit record). */
  warnings: string[];
  /** outcome 'confirm': each consequence, next to its field where it has one. */
  confirmations?: SaveFinding[];
  /** outcome 'confirm': send this back as `confirm` to save with exactly these consequences. */
  confirm?: string;
  /** Attributes written only because a complete entry needs them. */
  added?: string[];
};

export function checkTarget(target: BackupTarget): BackupTarget {
  if (target.level !== 'cloud' && !uuidPattern.test(target.uuid)) throw new AppError('not-found', `There is no ${target.level} with this UUID.`);
  return target.level === 'cloud' ? target : { ...target, uuid: target.uuid.toLowerCase() };
}

/**
 * Nothing is written under a dynamic clone where the scheduler never backs it up (FOSS-Cloud),
 * whatever it says. The stoney wrapper backs up every machine of its node, clones too, so there
 * a clone is configured like any machine.
 */
async function refuseClone(target: BackupTarget, kind: InstallationKind): Promise<void> {
  if (target.level !== 'machine' || kind === 'stoney-cloud') return;
  const machine = await readMachine(target.uuid, []);
  if (machine && isDynamicClone(machine)) throw new AppError('invalid-input', CLONE_CONFIG_REFUSAL);
}

/** The entries above the target, and what it would follow without a configuration of its own. */
export async function inheritedConfig(
  target: BackupTarget,
  kind: InstallationKind,
): Promise<{
  inherited: EffectiveConfig;
  above: { pool?: BackupConfigEntry | null; cloud?: BackupConfigEntry | null };
  poolUuid: string | null;
}> {
  if (target.level === 'cloud') return { inherited: resolveEffectiveConfig({}, kind), above: {}, poolUuid: null };
  const cloud = await readCloudBackupConfig();
  if (target.level === 'pool') return { inherited: resolveEffectiveConfig({ cloud }, kind), above: { cloud }, poolUuid: target.uuid };
  const machine = await readMachine(target.uuid, []);
  if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
  const poolUuid = machine.poolUuid?.toLowerCase() ?? null;
  const pool = poolUuid ? await readPoolBackupConfig(poolUuid) : null;
  return { inherited: resolveEffectiveConfig({ pool, cloud }, kind), above: { pool, cloud }, poolUuid };
}

/** Refuses a save from a form whose entry someone else changed since it was read, saying what changed. */
function assertUnchanged(stored: StoredBackupEntry, token: string): void {
  const read = decodeStateToken(token);
  if (!read) throw new AppError('invalid-input', 'The form is missing its version information; reload the page and try again.');
  if (sameState(read, stored.state)) return;
  const diff = describeStateDifferences(read, stored.state);
  throw new AppError(
    'conflict',
    `Someone else changed this configuration after you opened it, so nothing was saved. Changed meanwhile: ${diff.lines.join('; ')}. ` +
      'Reload the page to start from the current values.',
    `stale form for ${stored.dn}`,
    diff.fields,
  );
}

const AUDIT_ACTION = {
  save: 'backup-config.save',
  remove: 'backup-config.remove-override',
  exclude: 'backup.exclude',
  include: 'backup.include',
  unblock: 'backup.unblock',
} as const;

type Action = keyof typeof AUDIT_ACTION;

async function audit(target: BackupTarget, dn: string, actor: Actor, action: Action, changes: AttributeChange[], note: string) {
  try {
    await recordAudit({
      session: actor,
      action: AUDIT_ACTION[action],
      targetDn: dn,
      ...(target.level === 'machine' ? { machineUuid: target.uuid } : {}),
      ...(target.level === 'pool' ? { poolUuid: target.uuid } : {}),
      changes,
      note,
    });
    return [];
  } catch (error) {
    console.error(`[audit] could not record ${AUDIT_ACTION[action]} on ${dn}`, error);
    return ['The change was made, but the audit record could not be written (see the console log).'];
  }
}

/**
 * fc-brokerd keeps pool and cloud-wide configuration objects between cycles and overwrites
 * attributes without clearing removed ones (daemons.md, fact 10).
 */
function brokerCacheNote(kind: InstallationKind, level: BackupLevel, changes: AttributeChange[]): string | null {
  if (kind !== 'foss-cloud' || level === 'machine') return null;
  const removed = changes.filter((c) => c.before.length > 0 && c.after.length === 0 && /^sst(BackupNumberOfIterations|BackupExcludeFromBackup|Cron)/i.test(c.attribute));
  if (removed.length === 0) return null;
  return (
    `fc-brokerd keeps the ${level === 'pool' ? "pool's" : 'cloud-wide'} values it read earlier and does not notice removed ones ` +
    `(${removed.map((c) => c.attribute).join(', ')}) until it is restarted: restart fc-brokerd for the removal to take effect.`
  );
}

async function apply(
  target: BackupTarget,
  stored: StoredBackupEntry,
  plan: EntryPlan,
  actor: Actor,
  action: Action,
  extra: { kind: InstallationKind; notes?: string[] },
): Promise<WriteOutcome> {
  if (plan.kind === 'refuse') throw new AppError('invalid-input', plan.message);
  if (plan.kind === 'none') return { outcome: 'unchanged', message: plan.message, token: encodeStateToken(stored.state), warnings: [] };
  const changes = await writeStoredBackupEntry(stored, plan.next);
  invalidateFleetCache();
  const after = await readStoredBackupEntry(target);
  if (changes.length === 0) return { outcome: 'unchanged', message: 'Nothing needed to change.', token: encodeStateToken(after.state), warnings: [] };
  const cache = brokerCacheNote(extra.kind, target.level, changes);
  const notes = [...(extra.notes ?? []), ...(cache ? [cache] : [])];
  const warnings = await audit(target, stored.dn, actor, action, changes, [plan.message, ...notes].join(' '));
  return { outcome: 'changed', message: plan.message, token: encodeStateToken(after.state), warnings: [...notes, ...warnings] };
}

const leafFacts = (iterations: { name: string; mode: string; state: string; returnValue: number | null; hasChildren?: boolean }[]): LeafFacts[] =>
  iterations.map((i) => ({ name: i.name, mode: i.mode, state: i.state, returnValue: i.returnValue, ...(i.hasChildren !== undefined ? { hasChildren: i.hasChildren } : {}) }));

/** The machines a save at `target` governs, with what the checks need to know about each. */
async function saveScope(target: BackupTarget, kind: InstallationKind): Promise<ScopeMachine[]> {
  if (target.level === 'machine') {
    const [machine, iterations, formats, { above }, stored] = await Promise.all([
      readMachine(target.uuid, []),
      readIterations(target.uuid, []),
      readDiskFormats(),
      inheritedConfig(target, kind),
      readStoredBackupEntry(target),
    ]);
    if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
    const now = resolveEffectiveConfig({ machine: stored.entry, ...above }, kind);
    return [
      {
        uuid: machine.uuid,
        name: machine.name,
        leaves: leafFacts(iterations),
        diskFormats: formats.get(target.uuid) ?? [],
        brokerTakes: true,
        nodeDaemonTakes: true,
        iterationsBefore: now.broker?.iterations ?? 0,
        candidate: isBackupCandidate(machine, kind),
      },
    ];
  }
  const [machines, tree, pools, cloud, formats] = await Promise.all([
    searchMachineSummaries([], target.level === 'pool' ? machinesInPoolFilter(target.uuid) : undefined),
    searchBackupTree([]),
    searchPoolBackupConfigs(),
    readCloudBackupConfig(),
    readDiskFormats(),
  ]);
  return machines.map((m) => {
    const uuid = m.uuid.toLowerCase();
    const own = tree.configs.get(uuid) ?? null;
    const pool = pools.get(m.poolUuid?.toLowerCase() ?? '') ?? null;
    const above = target.level === 'cloud' ? [own, pool] : [own];
    return {
      uuid,
      name: m.name,
      leaves: leafFacts(tree.iterations.get(uuid) ?? []),
      diskFormats: formats.get(uuid) ?? [],
      brokerTakes: !above.some(holdsBrokerValues),
      nodeDaemonTakes: !above.some(nodeDaemonTakes),
      iterationsBefore: resolveEffectiveConfig({ machine: own, pool, cloud }, kind).broker?.iterations ?? 0,
      candidate: isBackupCandidate(m, kind),
    };
  });
}

/**
 * Saves a configuration on the cloud, a pool or a machine (creating the override if needed).
 * Only what the administrator changed is written, plus what a complete entry lacks. A save
 * with consequences nobody would notice (fewer iterations than leaves, a schedule fc-brokerd
 * misreads, a disk format the machines do not have) returns them for confirmation instead;
 * `confirm` is the token of the consequences the administrator confirmed.
 */
export async function saveBackupConfig(
  rawTarget: BackupTarget,
  token: string,
  config: CompleteBackupConfig,
  actor: Actor,
  confirm?: string | null,
): Promise<WriteOutcome> {
  const target = checkTarget(rawTarget);
  const kind = await installationKind();
  await refuseClone(target, kind);
  const [stored, { inherited }] = await Promise.all([readStoredBackupEntry(target), inheritedConfig(target, kind)]);
  assertUnchanged(stored, token);
  const own = stored.entry?.hasConfigClass ? resolveEffectiveConfig({ [target.level]: stored.entry }, kind) : null;
  const initial = formValuesOf(own ?? inherited);
  const patch = planConfigPatch({ stored: stored.state.values, submitted: config, initial, needsSchedule: kind === 'foss-cloud' });

  if (kind === 'stoney-cloud' && target.level === 'machine' && !stored.state.hasConfigClass && stored.state.hasChildren !== true && stored.state.values.excludeFromBackup !== true) {
    throw new AppError(
      'invalid-input',
      'Nothing was saved. This machine has not been backed up yet, and on stoney cloud the wrapper skips every night a machine whose ou=backup has no iteration ' +
        '(it creates ou=backup itself at the first backup). Configure its pool instead, or give it its own configuration after its first backup.',
    );
  }

  const scope = await saveScope(target, kind);
  const before = stored.state.values.iterations ?? (own ?? inherited).values.iterations.value ?? null;
  const check = checkSave({ kind, patch, iterationsBefore: before, scope, now: new Date(), brokerTimeZone: env().nodeTimeZone });
  if (check.refusals.length > 0) {
    const fieldErrors = Object.fromEntries(check.refusals.filter((r) => r.field).map((r) => [r.field as string, r.text]));
    throw new AppError('invalid-input', `Nothing was saved. ${check.refusals.map((r) => r.text).join(' ')}`, undefined, fieldErrors);
  }
  const texts = check.confirmations.map((c) => c.text);
  const expected = confirmationToken([encodeStateToken(stored.state), ...texts]);
  if (texts.length > 0 && confirm !== expected) {
    return {
      outcome: 'confirm',
      message: 'Saving this would have consequences the daemons do not announce. Read them, then save anyway or change the values.',
      token,
      warnings: [],
      confirmations: check.confirmations,
      confirm: expected,
    };
  }
  const added = patch.added.map(attributeOfField);
  const notes = [
    ...(added.length > 0 ? [`Also written because a complete entry needs them: ${added.join(', ')}.`] : []),
    ...(texts.length > 0 ? [`Confirmed: ${texts.join(' ')}`] : []),
  ];
  const result = await apply(target, stored, planSave(patch), actor, 'save', { kind, notes });
  return { ...result, added };
}

/** Removes a pool's or machine's own configuration; its ou=backup and the iterations below stay. */
export async function removeBackupOverride(rawTarget: Exclude<BackupTarget, { level: 'cloud' }>, token: string, actor: Actor): Promise<WriteOutcome> {
  const target = checkTarget(rawTarget) as Exclude<BackupTarget, { level: 'cloud' }>;
  const kind = await installationKind();
  const stored = await readStoredBackupEntry(target);
  assertUnchanged(stored, token);
  return apply(target, stored, planRemoveOverride(target.level, stored.state), actor, 'remove', { kind });
}

/**
 * One machine excluded or included: the request states the wanted result rather than a version,
 * so it is safe to repeat; when someone changes the entry between our read and our write the
 * directory refuses it and the whole decision is made once more.
 */
async function setMachineExcluded(uuid: string, exclude: boolean, actor: Actor, kind: InstallationKind, withPool: string | null = null): Promise<WriteOutcome> {
  const target = { level: 'machine' as const, uuid };
  await refuseClone(target, kind);
  for (let attempt = 1; ; attempt += 1) {
    const [{ inherited }, stored] = await Promise.all([inheritedConfig(target, kind), readStoredBackupEntry(target)]);
    const excludedAbove: BackupLevel | null = kind === 'foss-cloud' && inherited.excluded ? inherited.excludedBy : null;
    let plan = exclude ? planExclude('machine', stored.state, inherited) : planInclude('machine', stored.state, inherited, excludedAbove);
    if (plan.kind === 'write' && exclude && withPool) plan = { ...plan, next: { ...plan.next, excludedWithPool: withPool } };
    const notes: string[] = [];
    if (plan.kind === 'write' && !exclude && kind === 'stoney-cloud' && plan.next.config === 'keep' && stored.state.hasChildren === false) {
      // An ou=backup without a leaf would be skipped every night (fact 7): the override goes, the audit keeps it.
      plan = { ...plan, next: { config: null, exclude: null, copyFingerprint: null, excludedWithPool: null } };
      notes.push(
        'The machine has not been backed up yet, and the stoney wrapper skips a machine whose ou=backup has no iteration, so its own configuration was removed too ' +
          '(the audit record keeps every value); give it its own configuration again after its first backup.',
      );
    }
    try {
      return await apply(target, stored, plan, actor, exclude ? 'exclude' : 'include', { kind, notes });
    } catch (error) {
      if (attempt >= 2 || !(error instanceof AppError) || error.code !== 'conflict') throw error;
    }
  }
}

export type BulkOutcome = { uuid: string; outcome: 'changed' | 'unchanged' | 'refused'; message: string };

async function eachMachine(uuids: string[], run: (uuid: string) => Promise<WriteOutcome>): Promise<BulkOutcome[]> {
  const results: BulkOutcome[] = [];
  for (const uuid of [...new Set(uuids.map((u) => u.toLowerCase()))]) {
    try {
      const r = await run(uuid);
      results.push({ uuid, outcome: r.outcome === 'confirm' ? 'unchanged' : r.outcome, message: [r.message, ...r.warnings].join(' ') });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      results.push({ uuid, outcome: 'refused', message: error.message });
    }
  }
  return results;
}

/** The machines of a pool whose own configuration fc-brokerd reads instead of the pool's. */
export async function poolMembersWithOwnLevel(poolUuid: string): Promise<{ uuid: string; name: string }[]> {
  const [machines, tree] = await Promise.all([searchMachineSummaries([], machinesInPoolFilter(poolUuid)), searchBackupTree([])]);
  return machines.filter((m) => holdsBrokerValues(tree.configs.get(m.uuid.toLowerCase()))).map((m) => ({ uuid: m.uuid.toLowerCase(), name: m.name }));
}

/**
 * stoney cloud: the wrapper reads no pool flag, so a pool is excluded by setting each member's own
 * flag, each marked as excluded together with the pool; including the pool undoes exactly those.
 */
async function setPoolExcludedOnStoney(uuid: string, exclude: boolean, actor: Actor): Promise<WriteOutcome> {
  const target = { level: 'pool' as const, uuid };
  const machines = await searchMachineSummaries([], machinesInPoolFilter(uuid));
  const members = await Promise.all(machines.map(async (m) => ({ m, stored: await readStoredBackupEntry({ level: 'machine', uuid: m.uuid.toLowerCase() }) })));
  const chosen = exclude ? members : members.filter(({ stored }) => stored.state.excludedWithPool === uuid);
  const results = await eachMachine(chosen.map(({ m }) => m.uuid), (machine) => setMachineExcluded(machine, exclude, actor, 'stoney-cloud', exclude ? uuid : null));
  const stored = await readStoredBackupEntry(target);
  const plan: EntryPlan = {
    kind: 'write',
    next: { config: 'keep', exclude: 'keep', copyFingerprint: stored.state.copyFingerprint, membersExcluded: exclude },
    message: exclude
      ? `The pool's machines are now excluded from backup one by one: on stoney cloud the wrapper reads the exclude flag only from each machine's own ou=backup, so a pool flag would stop nothing. Machines added to the pool later are not excluded.`
      : 'The machines excluded together with the pool are included again; machines excluded on their own stay excluded.',
  };
  const refused = results.filter((r) => r.outcome === 'refused');
  const done = results.filter((r) => r.outcome === 'changed');
  const byName = new Map(machines.map((m) => [m.uuid.toLowerCase(), m.name]));
  const summary = [
    done.length > 0 ? `${exclude ? 'Excluded' : 'Included'}: ${done.map((r) => byName.get(r.uuid) ?? r.uuid).join(', ')}.` : `No machine needed to change.`,
    ...refused.map((r) => `${byName.get(r.uuid) ?? r.uuid}: ${r.message}`),
  ];
  const marker = stored.state.membersExcluded === exclude ? null : await apply(target, stored, plan, actor, exclude ? 'exclude' : 'include', { kind: 'stoney-cloud', notes: summary });
  const after = await readStoredBackupEntry(target);
  return {
    outcome: done.length > 0 || marker?.outcome === 'changed' ? 'changed' : 'unchanged',
    message: plan.message,
    token: encodeStateToken(after.state),
    warnings: marker ? marker.warnings : summary,
  };
}

/** Excludes or includes a machine or pool under the rules of the installation's kind. */
export async function setBackupExcluded(rawTarget: Exclude<BackupTarget, { level: 'cloud' }>, exclude: boolean, actor: Actor): Promise<WriteOutcome> {
  const target = checkTarget(rawTarget) as Exclude<BackupTarget, { level: 'cloud' }>;
  const kind = await installationKind();
  if (target.level === 'machine') return setMachineExcluded(target.uuid, exclude, actor, kind);
  if (kind === 'stoney-cloud') return setPoolExcludedOnStoney(target.uuid, exclude, actor);
  const level: OverrideLevel = 'pool';
  for (let attempt = 1; ; attempt += 1) {
    const [{ inherited }, stored] = await Promise.all([inheritedConfig(target, kind), readStoredBackupEntry(target)]);
    const excludedAbove: BackupLevel | null = inherited.excluded ? inherited.excludedBy : null;
    const plan = exclude ? planExclude(level, stored.state, inherited) : planInclude(level, stored.state, inherited, excludedAbove);
    const notes: string[] = [];
    if (exclude && plan.kind === 'write') {
      const own = await poolMembersWithOwnLevel(target.uuid);
      if (own.length > 0) {
        notes.push(
          `Still backed up, because fc-brokerd reads their own configuration instead of the pool's: ${own.map((m) => m.name).join(', ')}. Exclude them too from the pool's backup page.`,
        );
      }
    }
    try {
      return await apply(target, stored, plan, actor, exclude ? 'exclude' : 'include', { kind, notes });
    } catch (error) {
      if (attempt >= 2 || !(error instanceof AppError) || error.code !== 'conflict') throw error;
    }
  }
}

/** The machine list's selection: each machine on its own, so one refusal does not stop the rest. */
export async function setMachinesExcluded(uuids: string[], exclude: boolean, actor: Actor): Promise<BulkOutcome[]> {
  const kind = await installationKind();
  return eachMachine(uuids, (uuid) => setMachineExcluded(uuid, exclude, actor, kind));
}

/** FOSS-Cloud: excludes the machines of an excluded pool that fc-brokerd still backs up (their own level). */
export async function excludePoolOverriders(poolUuid: string, actor: Actor): Promise<BulkOutcome[]> {
  const target = checkTarget({ level: 'pool', uuid: poolUuid });
  if (target.level !== 'pool') throw new AppError('invalid-input', 'A pool is needed.');
  const own = await poolMembersWithOwnLevel(target.uuid);
  return setMachinesExcluded(own.map((m) => m.uuid), true, actor);
}

/**
 * stoney cloud: puts a machine the wrapper skips every night back into a state it accepts
 * (lib/backup/repair.ts), keeping the files on the node.
 */
export async function unblockMachine(rawUuid: string, actor: Actor): Promise<WriteOutcome> {
  const target = checkTarget({ level: 'machine', uuid: rawUuid }) as { level: 'machine'; uuid: string };
  const kind = await installationKind();
  if (kind !== 'stoney-cloud') throw new AppError('invalid-input', 'Only stoney cloud has blocked machines; on FOSS-Cloud deal with the failed iteration itself.');
  const subtree = await readBackupSubtree(target.uuid);
  if (!subtree.backup) return { outcome: 'unchanged', message: 'The machine has no ou=backup; the stoney wrapper creates one at its next run.', token: '', warnings: [] };
  const hasChildren = (dn: string) => subtree.below.some((b) => b.leafDn.toLowerCase() === dn.toLowerCase());
  const now = new Date();
  const plan = planUnblock({
    backup: { dn: subtree.backup.dn, excluded: subtree.backup.excluded, hasConfiguration: subtree.backup.hasConfiguration },
    leaves: subtree.leaves.map((l) => ({ dn: l.dn, name: l.name, mode: l.mode, state: l.state, returnValue: l.returnValue, hasChildren: hasChildren(l.dn) })),
    below: subtree.below,
    now,
  });
  if (plan.kind === 'refuse') throw new AppError('invalid-input', plan.message);
  if (plan.kind === 'none') return { outcome: 'unchanged', message: plan.message, token: '', warnings: [] };
  const stamp = formatUtcCompact(now.getTime());
  const changes = await applyUnblock(
    subtree,
    plan.deletions,
    plan.markFinished
      ? {
          dn: plan.markFinished.dn,
          previousMode: plan.markFinished.previousMode,
          stamp,
          note: `backup-console: marked finished on ${stamp} so that the stoney wrapper backs the machine up again; this run had stopped in mode ${plan.markFinished.previousMode}${plan.markFinished.previousReturnValue ? ` with code ${plan.markFinished.previousReturnValue}` : ''} and is not a usable backup`,
        }
      : null,
  );
  invalidateFleetCache();
  const warnings = await audit(target, subtree.backup.dn, actor, 'unblock', changes, plan.message);
  return { outcome: 'changed', message: plan.message, token: '', warnings };
}
