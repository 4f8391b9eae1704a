import 'server-only';
import { recordAudit } from '@/lib/audit';
import type { Actor } from '@/lib/auth/access';
import { NO_OBJECTIVES, formatObjective, type ObjectiveSettings } from '@/lib/backup/objective';
import { AppError } from '@/lib/errors';
import { poolDn } from '@/lib/ldap/layout';
import type { EntryProblem } from '@/lib/ldap/entry';
import { objectiveDn, readObjective, readObjectiveSettings, writeObjective, type ObjectiveScope } from '@/lib/ldap/objectives';
import { readPool } from '@/lib/ldap/pools';
import { invalidateFleetCache } from './cache';

/**
 * The objectives set, or none when they cannot be read (the console's bind account may lack
 * read access to its own subtree): then each plan's default applies, and the log says why.
 */
export async function readObjectivesOrDefaults(problems: EntryProblem[]): Promise<ObjectiveSettings> {
  try {
    return await readObjectiveSettings(problems);
  } catch (error) {
    console.error("[objectives] could not be read; the plans' defaults apply", error);
    return NO_OBJECTIVES;
  }
}

export type ObjectiveOutcome = { message: string; warnings: string[] };

const describe = (ms: number | null, scope: ObjectiveScope) =>
  ms === null ? (scope.level === 'pool' ? 'the default (cloud-wide objective, else each plan’s period plus 6 hours)' : 'the default (each plan’s period plus 6 hours)') : formatObjective(ms);

/** Sets (or with null clears) the recovery point objective of the cloud or one pool, with an audit record. */
export async function setRecoveryPointObjective(scope: ObjectiveScope, ms: number | null, actor: Actor): Promise<ObjectiveOutcome> {
  let poolName: string | null = null;
  if (scope.level === 'pool') {
    const pool = await readPool(scope.uuid, []);
    if (!pool) throw new AppError('not-found', 'There is no VM pool with this UUID.');
    poolName = pool.name;
  }
  const before = await readObjective(scope);
  const whose = poolName ? `pool ${poolName}` : 'the cloud';
  if (before === ms) return { message: `The recovery point objective of ${whose} is already ${describe(ms, scope)}.`, warnings: [] };
  await writeObjective(scope, ms);
  invalidateFleetCache();
  const message = `The recovery point objective of ${whose} is now ${describe(ms, scope)}.`;
  const seconds = (v: number | null) => (v === null ? [] : [String(Math.round(v / 1000))]);
  try {
    await recordAudit({
      session: actor,
      action: 'objective.set',
      targetDn: scope.level === 'pool' ? poolDn(scope.uuid) : objectiveDn(scope),
      ...(scope.level === 'pool' ? { poolUuid: scope.uuid } : {}),
      changes: [{ attribute: 'recoveryPointObjectiveSeconds', before: seconds(before), after: seconds(ms) }],
      note: message,
    });
    return { message, warnings: [] };
  } catch (error) {
    console.error('[audit] could not record objective.set', error);
    return { message, warnings: ['The change was made, but the audit record could not be written (see the console log).'] };
  }
}
