'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import type { ActionScope } from '@/lib/auth/scope';
import {
  backupTargetSchema,
  confirmSchema,
  excludeIntentSchema,
  ownTargetSchema,
  tokenSchema,
  uuidOnlySchema,
} from '@/lib/backup/action-schemas';
import { configFormShape, formToConfig } from '@/lib/backup/config-schema';
import { excludePoolOverriders, removeBackupOverride, saveBackupConfig, setBackupExcluded, unblockMachine } from '@/lib/backup/editing';
import { readInstallation } from '@/lib/backup/installation-reader';
import { invalidateFleetCache } from '@/lib/inventory/cache';
import type { BackupTarget } from '@/lib/ldap/backup-config';

// The actions of the backup configuration pages, one set for the three levels (cloud, pool,
// machine): the input names the level (and the pool's or machine's UUID) next to its values.

type OwnTarget = Exclude<BackupTarget, { level: 'cloud' }>;

/** The level and UUID of a validated input, without its other fields. */
function targetOf(input: OwnTarget): OwnTarget;
function targetOf(input: BackupTarget): BackupTarget;
function targetOf(input: BackupTarget): BackupTarget {
  return input.level === 'cloud' ? { level: 'cloud' } : { level: input.level, uuid: input.uuid };
}

/** The pools a change at this level concerns, for the check of the person's rights. */
function scopeOf(target: BackupTarget): ActionScope {
  if (target.level === 'cloud') return 'cloud';
  return target.level === 'pool' ? { pool: target.uuid } : { machine: target.uuid };
}

// Every page shows statuses derived from the configuration, so all of them are refreshed.
function refreshed<T>(result: T): T {
  revalidatePath('/', 'layout');
  return result;
}

const saveSchema = z.intersection(backupTargetSchema, z.object({ token: tokenSchema, confirm: confirmSchema, ...configFormShape }));

/** Creates or changes the configuration of the level: refused, asked to confirm, or written. */
export const saveBackupConfigAction = consoleAction(
  { capability: 'configure', schema: saveSchema, scope: scopeOf },
  async (input, actor) => {
    const { level: _level, token, confirm, ...form } = input;
    return refreshed(await saveBackupConfig(targetOf(input), token, formToConfig(form), actor, confirm));
  },
);

/** Removes a pool's or machine's own configuration; the iterations below it stay. */
export const removeBackupOverrideAction = consoleAction(
  { capability: 'configure', schema: z.intersection(ownTargetSchema, z.object({ token: tokenSchema })), scope: scopeOf },
  async (input, actor) => refreshed(await removeBackupOverride(targetOf(input), input.token, actor)),
);

/** Excludes a pool or machine from backup, or includes it again. */
export const setBackupExcludedAction = consoleAction(
  { capability: 'configure', schema: z.intersection(ownTargetSchema, z.object({ intent: excludeIntentSchema })), scope: scopeOf },
  async (input, actor) => refreshed(await setBackupExcluded(targetOf(input), input.intent === 'exclude', actor)),
);

/** FOSS-Cloud: excludes the machines of an excluded pool that have a configuration of their own. */
export const excludePoolOverridersAction = consoleAction(
  { capability: 'configure', schema: uuidOnlySchema, scope: ({ uuid }) => ({ pool: uuid }) },
  async ({ uuid }, actor) => refreshed({ results: await excludePoolOverriders(uuid, actor) }),
);

/** stoney cloud: puts a blocked machine back into a state the wrapper accepts. */
export const unblockMachineAction = consoleAction(
  { capability: 'configure', schema: uuidOnlySchema, scope: ({ uuid }) => ({ machine: uuid }) },
  async ({ uuid }, actor) => refreshed(await unblockMachine(uuid, actor)),
);

/**
 * Reads the directory and the nodes again for the kind of installation (instead of waiting for
 * the cache to expire). Only re-reads; anyone who may configure the cloud may ask for it.
 */
export const refreshInstallationAction = consoleAction({ capability: 'configure', schema: z.object({}), scope: 'cloud' }, async () => {
  const view = await readInstallation({ refresh: true });
  invalidateFleetCache();
  return refreshed({ kind: view.kind, reason: view.reason });
});
