'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { adminAction } from '@/lib/actions';
import { confirmSchema, removeOverrideSchema, setExcludedSchema, tokenSchema, uuidOnlySchema, uuidSchema } from '@/lib/backup/action-schemas';
import { configFormShape, formToConfig } from '@/lib/backup/config-schema';
import { excludePoolOverriders, removeBackupOverride, saveBackupConfig, setBackupExcluded } from '@/lib/backup/editing';

const savePoolConfigSchema = z.object({ uuid: uuidSchema, token: tokenSchema, confirm: confirmSchema, ...configFormShape });

const refreshed = <T>(result: T): T => {
  revalidatePath('/', 'layout');
  return result;
};

const save = adminAction(savePoolConfigSchema, async ({ uuid, token, confirm, ...form }, session) =>
  refreshed(await saveBackupConfig({ level: 'pool', uuid }, token, formToConfig(form), session, confirm)),
);
const remove = adminAction(removeOverrideSchema, async ({ uuid, token }, session) =>
  refreshed(await removeBackupOverride({ level: 'pool', uuid }, token, session)),
);
const setExcluded = adminAction(setExcludedSchema, async ({ uuid, intent }, session) =>
  refreshed(await setBackupExcluded({ level: 'pool', uuid }, intent === 'exclude', session)),
);

const excludeOverriders = adminAction(uuidOnlySchema, async ({ uuid }, session) => refreshed({ results: await excludePoolOverriders(uuid, session) }));

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
