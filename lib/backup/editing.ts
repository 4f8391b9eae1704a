import 'server-only';
import { recordAudit } from '@/lib/audit';
import type { Actor } from '@/lib/auth/access';
import { AppError } from '@/lib/errors';
import { invalidateFleetCache } from '@/lib/inventory/cache';
import { readCloudBackupConfig, readPoolBackupConfig } from '@/lib/ldap/backup';
import { readStoredBackupEntry, writeStoredBackupEntry, type BackupTarget, type StoredBackupEntry } from '@/lib/ldap/backup-config';
import type { AttributeChange } from '@/lib/ldap/guarded-write';
import { readMachine, uuidPattern } from '@/lib/ldap/machines';
import type { CompleteBackupConfig } from './complete-config';
import { resolveEffectiveConfig, type BackupConfigEntry, type BackupLevel, type EffectiveConfig } from './config';
import { planExclude, planInclude, planRemoveOverride, planSave, type EntryPlan, type OverrideLevel } from './override';
import { decodeStateToken, describeStateDifferences, encodeStateToken, sameState } from './state-token';

export type { Actor };
export type { BackupTarget } from '@/lib/ldap/backup-config';

export type WriteOutcome = {
  outcome: 'changed' | 'unchanged';
  message: string;
  /** The version token of the entry after the write, for the next save from the same form. */
  token: string;
  /** Things the administrator should know although the change was made (e.g. no audit record). */
  warnings: string[];
};

export function checkTarget(target: BackupTarget): BackupTarget {
  if (target.level !== 'cloud' && !uuidPattern.test(target.uuid)) throw new AppError('not-found', `There is no ${target.level} with this UUID.`);
  return target.level === 'cloud' ? target : { ...target, uuid: target.uuid.toLowerCase() };
}

/** The entries above the target, and what it would follow without a configuration of its own. */
export async function inheritedConfig(target: BackupTarget): Promise<{
  inherited: EffectiveConfig;
  above: { pool?: BackupConfigEntry | null; cloud?: BackupConfigEntry | null };
  poolUuid: string | null;
}> {
  if (target.level === 'cloud') return { inherited: resolveEffectiveConfig({}), above: {}, poolUuid: null };
  const cloud = await readCloudBackupConfig();
  if (target.level === 'pool') return { inherited: resolveEffectiveConfig({ cloud }), above: { cloud }, poolUuid: target.uuid };
  const machine = await readMachine(target.uuid, []);
  if (!machine) throw new AppError('not-found', 'There is no machine with this UUID in the directory.');
  const poolUuid = machine.poolUuid?.toLowerCase() ?? null;
  const pool = poolUuid ? await readPoolBackupConfig(poolUuid) : null;
  return { inherited: resolveEffectiveConfig({ pool, cloud }), above: { pool, cloud }, poolUuid };
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

const AUDIT_ACTION = { save: 'backup-config.save', remove: 'backup-config.remove-override', exclude: 'backup.exclude', include: 'backup.include' } as const;

type Action = keyof typeof AUDIT_ACTION;

async function audit(target: BackupTarget, stored: StoredBackupEntry, actor: Actor, action: Action, changes: AttributeChange[], note: string) {
  try {
    await recordAudit({
      session: actor,
      action: AUDIT_ACTION[action],
      targetDn: stored.dn,
      ...(target.level === 'machine' ? { machineUuid: target.uuid } : {}),
      ...(target.level === 'pool' ? { poolUuid: target.uuid } : {}),
      changes,
      note,
    });
    return [];
  } catch (error) {
    console.error(`[audit] could not record ${AUDIT_ACTION[action]} on ${stored.dn}`, error);
    return ['The change was made, but the audit record could not be written (see the console log).'];
  }
}

async function apply(target: BackupTarget, stored: StoredBackupEntry, plan: EntryPlan, actor: Actor, action: Action): Promise<WriteOutcome> {
  if (plan.kind === 'refuse') throw new AppError('invalid-input', plan.message);
  if (plan.kind === 'none') return { outcome: 'unchanged', message: plan.message, token: encodeStateToken(stored.state), warnings: [] };
  const changes = await writeStoredBackupEntry(stored, plan.next);
  invalidateFleetCache();
  const after = await readStoredBackupEntry(target);
  if (changes.length === 0) return { outcome: 'unchanged', message: 'Nothing needed to change.', token: encodeStateToken(after.state), warnings: [] };
  const warnings = await audit(target, stored, actor, action, changes, plan.message);
  return { outcome: 'changed', message: plan.message, token: encodeStateToken(after.state), warnings };
}

/** Saves a complete configuration on the cloud, a pool or a machine (creating the override if needed). */
export async function saveBackupConfig(rawTarget: BackupTarget, token: string, config: CompleteBackupConfig, actor: Actor): Promise<WriteOutcome> {
  const target = checkTarget(rawTarget);
  const stored = await readStoredBackupEntry(target);
  assertUnchanged(stored, token);
  return apply(target, stored, planSave(config), actor, 'save');
}

/** Removes a pool's or machine's own configuration; its ou=backup and the iterations below stay. */
export async function removeBackupOverride(rawTarget: Exclude<BackupTarget, { level: 'cloud' }>, token: string, actor: Actor): Promise<WriteOutcome> {
  const target = checkTarget(rawTarget) as Exclude<BackupTarget, { level: 'cloud' }>;
  const stored = await readStoredBackupEntry(target);
  assertUnchanged(stored, token);
  return apply(target, stored, planRemoveOverride(target.level, stored.state), actor, 'remove');
}

/**
 * Excludes or includes a machine or pool. The request states the wanted result rather than
 * a version, so it is safe to repeat; when someone changes the entry between our read and
 * our write the directory refuses it and the whole decision is made once more.
 */
export async function setBackupExcluded(rawTarget: Exclude<BackupTarget, { level: 'cloud' }>, exclude: boolean, actor: Actor): Promise<WriteOutcome> {
  const target = checkTarget(rawTarget) as Exclude<BackupTarget, { level: 'cloud' }>;
  const level: OverrideLevel = target.level;
  for (let attempt = 1; ; attempt += 1) {
    const [{ inherited }, stored] = await Promise.all([inheritedConfig(target), readStoredBackupEntry(target)]);
    const excludedAbove: BackupLevel | null = inherited.excluded ? inherited.excludedBy : null;
    const plan = exclude ? planExclude(level, stored.state, inherited) : planInclude(level, stored.state, inherited, excludedAbove);
    try {
      return await apply(target, stored, plan, actor, exclude ? 'exclude' : 'include');
    } catch (error) {
      if (attempt >= 2 || !(error instanceof AppError) || error.code !== 'conflict') throw error;
    }
  }
}

export type BulkOutcome = { uuid: string; outcome: 'changed' | 'unchanged' | 'refused'; message: string };

/** The machine list's selection: each machine on its own, so one refusal does not stop the rest. */
export async function setMachinesExcluded(uuids: string[], exclude: boolean, actor: Actor): Promise<BulkOutcome[]> {
  const results: BulkOutcome[] = [];
  for (const uuid of [...new Set(uuids.map((u) => u.toLowerCase()))]) {
    try {
      const r = await setBackupExcluded({ level: 'machine', uuid }, exclude, actor);
      results.push({ uuid, outcome: r.outcome, message: [r.message, ...r.warnings].join(' ') });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      results.push({ uuid, outcome: 'refused', message: error.message });
    }
  }
  return results;
}
