'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import { confirmSchema, tokenSchema } from '@/lib/backup/action-schemas';
import { configFormShape, formToConfig } from '@/lib/backup/config-schema';
import { saveBackupConfig } from '@/lib/backup/editing';
import { readInstallation } from '@/lib/backup/installation-reader';
import { invalidateFleetCache } from '@/lib/inventory/cache';

const saveCloudConfigSchema = z.object({ token: tokenSchema, confirm: confirmSchema, ...configFormShape });

const save = consoleAction({ capability: 'configure', schema: saveCloudConfigSchema, scope: 'cloud' }, async ({ token, confirm, ...form }, actor) => {
  const result = await saveBackupConfig({ level: 'cloud' }, token, formToConfig(form), actor, confirm);
  revalidatePath('/', 'layout');
  return result;
});

export async function saveCloudConfigAction(input: unknown) {
  return save(input);
}

// Only re-reads what the directory and the nodes say; anyone who may configure the cloud may ask for it.
const lookAgain = consoleAction({ capability: 'configure', schema: z.object({}), scope: 'cloud' }, async () => {
  const view = await readInstallation({ refresh: true });
  invalidateFleetCache();
  revalidatePath('/', 'layout');
  return { kind: view.kind, reason: view.reason };
});

/** Reads the directory and the nodes again for the kind of installation (instead of waiting for the cache to expire). */
export async function refreshInstallationAction(input: unknown) {
  return lookAgain(input);
}
