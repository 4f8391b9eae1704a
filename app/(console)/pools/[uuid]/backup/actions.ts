'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import { confirmSchema, removeOverrideSchema, setExcludedSchema, tokenSchema, uuidOnlySchema, uuidSchema } from '@/lib/backup/action-schemas';
import { configFormShape, formToConfig } from '@/lib/backup/config-schema';
import { excludePoolOverriders, removeBackupOverride, saveBackupConfig, setBackupExcluded } from '@/lib/backup/editing';

const savePoolConfigSchema = z.object({ uuid: uuidSchema, token: tokenSchema, confirm: confirmSchema, ...configFormShape });

const refreshed = <T>(result: T): T => {
  revalidatePath('/', 'layout');
  return result;
};

const save = consoleAction({ capability: 'configure', schema: savePoolConfigSchema, scope: ({ uuid }) => ({ pool: uuid }) }, async ({ uuid, token, confirm, ...form }, actor) =>
  refreshed(await saveBackupConfig({ level: 'pool', uuid }, token, formToConfig(form), actor, confirm)),
);
const remove = consoleAction({ capability: 'configure', schema: removeOverrideSchema, scope: ({ uuid }) => ({ pool: uuid }) }, async ({ uuid, token }, actor) =>
  refreshed(await removeBackupOverride({ level: 'pool', uuid }, token, actor)),
);
const setExcluded = consoleAction({ capability: 'configure', schema: setExcludedSchema, scope: ({ uuid }) => ({ pool: uuid }) }, async ({ uuid, intent }, actor) =>
  refreshed(await setBackupExcluded({ level: 'pool', uuid }, intent === 'exclude', actor)),
);

const excludeOverriders = consoleAction({ capability: 'configure', schema: uuidOnlySchema, scope: ({ uuid }) => ({ pool: uuid }) }, async ({ uuid }, actor) =>
  refreshed({ results: await excludePoolOverriders(uuid, actor) }),
);

export async function savePoolConfigAction(input: unknown) {
  return save(input);
}

export async function removePoolOverrideAction(input: unknown) {
  return remove(input);
}

export async function setPoolExcludedAction(input: unknown) {
  return setExcluded(input);
}

export async function excludePoolOverridersAction(input: unknown) {
  return excludeOverriders(input);
}
