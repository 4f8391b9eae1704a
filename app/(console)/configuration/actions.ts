'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import { tokenSchema } from '@/lib/backup/action-schemas';
import { configFormShape, formToConfig } from '@/lib/backup/config-schema';
import { saveBackupConfig } from '@/lib/backup/editing';

const saveCloudConfigSchema = z.object({ token: tokenSchema, ...configFormShape });

const save = consoleAction({ capability: 'configure', schema: saveCloudConfigSchema, scope: 'cloud' }, async ({ token, ...form }, actor) => {
  const result = await saveBackupConfig({ level: 'cloud' }, token, formToConfig(form), actor);
  revalidatePath('/', 'layout');
  return result;
});

export async function saveCloudConfigAction(input: unknown) {
  return save(input);
}
