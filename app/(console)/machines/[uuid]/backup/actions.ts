'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { adminAction } from '@/lib/actions';
import { confirmSchema, removeOverrideSchema, setExcludedSchema, tokenSchema, uuidOnlySchema, uuidSchema } from '@/lib/backup/action-schemas';
import { configFormShape, formToConfig } from '@/lib/backup/config-schema';
import { removeBackupOverride, saveBackupConfig, setBackupExcluded, unblockMachine } from '@/lib/backup/editing';

const saveMachineConfigSchema = z.object({ uuid: uuidSchema, token: tokenSchema, confirm: confirmSchema, ...configFormShape });

// Every page shows statuses derived from the configuration, so all of them are refreshed.
const refreshed = <T>(result: T): T => {
  revalidatePath('/', 'layout');
  return result;
};

const save = adminAction(saveMachineConfigSchema, async ({ uuid, token, confirm, ...form }, session) =>
  refreshed(await saveBackupConfig({ level: 'machine', uuid }, token, formToConfig(form), session, confirm)),
);
const remove = adminAction(removeOverrideSchema, async ({ uuid, token }, session) =>
  refreshed(await removeBackupOverride({ level: 'machine', uuid }, token, session)),
);
const setExcluded = adminAction(setExcludedSchema, async ({ uuid, intent }, session) =>
  refreshed(await setBackupExcluded({ level: 'machine', uuid }, intent === 'exclude', session)),
);

const unblock = adminAction(uuidOnlySchema, async ({ uuid }, session) => refreshed(await unblockMachine(uuid, session)));

export async function saveMachineConfigAction(input: unknown) {
  return save(input);
}

export async function removeMachineOverrideAction(input: unknown) {
  return remove(input);
}

export async function setMachineExcludedAction(input: unknown) {
  return setExcluded(input);
}

export async function unblockMachineAction(input: unknown) {
  return unblock(input);
}
