'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import { confirmSchema, removeOverrideSchema, setExcludedSchema, tokenSchema, uuidOnlySchema, uuidSchema } from '@/lib/backup/action-schemas';
import { configFormShape, formToConfig } from '@/lib/backup/config-schema';
import { removeBackupOverride, saveBackupConfig, setBackupExcluded, unblockMachine } from '@/lib/backup/editing';

const saveMachineConfigSchema = z.object({ uuid: uuidSchema, token: tokenSchema, confirm: confirmSchema, ...configFormShape });

// Every page shows statuses derived from the configuration, so all of them are refreshed.
const refreshed = <T>(result: T): T => {
  revalidatePath('/', 'layout');
  return result;
};

const save = consoleAction({ capability: 'configure', schema: saveMachineConfigSchema, scope: ({ uuid }) => ({ machine: uuid }) }, async ({ uuid, token, confirm, ...form }, actor) =>
  refreshed(await saveBackupConfig({ level: 'machine', uuid }, token, formToConfig(form), actor, confirm)),
);
const remove = consoleAction({ capability: 'configure', schema: removeOverrideSchema, scope: ({ uuid }) => ({ machine: uuid }) }, async ({ uuid, token }, actor) =>
  refreshed(await removeBackupOverride({ level: 'machine', uuid }, token, actor)),
);
const setExcluded = consoleAction({ capability: 'configure', schema: setExcludedSchema, scope: ({ uuid }) => ({ machine: uuid }) }, async ({ uuid, intent }, actor) =>
  refreshed(await setBackupExcluded({ level: 'machine', uuid }, intent === 'exclude', actor)),
);

const unblock = consoleAction({ capability: 'configure', schema: uuidOnlySchema, scope: ({ uuid }) => ({ machine: uuid }) }, async ({ uuid }, actor) =>
  refreshed(await unblockMachine(uuid, actor)),
);

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
