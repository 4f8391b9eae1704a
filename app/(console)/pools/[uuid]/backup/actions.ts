'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import { removeOverrideSchema, setExcludedSchema, tokenSchema, uuidSchema } from '@/lib/backup/action-schemas';
import { configFormShape, formToConfig } from '@/lib/backup/config-schema';
import { removeBackupOverride, saveBackupConfig, setBackupExcluded } from '@/lib/backup/editing';

const savePoolConfigSchema = z.object({ uuid: uuidSchema, token: tokenSchema, ...configFormShape });

const refreshed = <T>(result: T): T => {
  revalidatePath('/', 'layout');
  return result;
};

const save = consoleAction({ capability: 'configure', schema: savePoolConfigSchema, scope: ({ uuid }) => ({ pool: uuid }) }, async ({ uuid, token, ...form }, actor) =>
  refreshed(await saveBackupConfig({ level: 'pool', uuid }, token, formToConfig(form), actor)),
);
const remove = consoleAction({ capability: 'configure', schema: removeOverrideSchema, scope: ({ uuid }) => ({ pool: uuid }) }, async ({ uuid, token }, actor) =>
  refreshed(await removeBackupOverride({ level: 'pool', uuid }, token, actor)),
);
const setExcluded = consoleAction({ capability: 'configure', schema: setExcludedSchema, scope: ({ uuid }) => ({ pool: uuid }) }, async ({ uuid, intent }, actor) =>
  refreshed(await setBackupExcluded({ level: 'pool', uuid }, intent === 'exclude', actor)),
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
