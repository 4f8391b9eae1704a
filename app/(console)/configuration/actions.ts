'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { adminAction } from '@/lib/actions';
import { confirmSchema, tokenSchema } from '@/lib/backup/action-schemas';
import { configFormShape, formToConfig } from '@/lib/backup/config-schema';
import { saveBackupConfig } from '@/lib/backup/editing';
import { readInstallation } from '@/lib/backup/installation-reader';
import { invalidateFleetCache } from '@/lib/inventory/cache';

const saveCloudConfigSchema = z.object({ token: tokenSchema, confirm: confirmSchema, ...configFormShape });

const save = adminAction(saveCloudConfigSchema, async ({ token, confirm, ...form }, session) => {
  const result = await saveBackupConfig({ level: 'cloud' }, token, formToConfig(form), session, confirm);
  revalidatePath('/', 'layout');
  return result;
});

export async function saveCloudConfigAction(input: unknown) {
  return save(input);
}

const lookAgain = adminAction(z.object({}), async () => {
  const view = await readInstallation({ refresh: true });
  invalidateFleetCache();
  revalidatePath('/', 'layout');
  return { kind: view.kind, reason: view.reason };
});

/** Reads the directory and the nodes again for the kind of installation (instead of waiting for the cache to expire). */
export async function refreshInstallationAction(input: unknown) {
  return lookAgain(input);
}
