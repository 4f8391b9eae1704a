'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { adminAction } from '@/lib/actions';
import { tokenSchema } from '@/lib/backup/action-schemas';
import { configFormShape, formToConfig } from '@/lib/backup/config-schema';
import { saveBackupConfig } from '@/lib/backup/editing';

const saveCloudConfigSchema = z.object({ token: tokenSchema, ...configFormShape });

const save = adminAction(saveCloudConfigSchema, async ({ token, ...form }, session) => {
  const result = await saveBackupConfig({ level: 'cloud' }, token, formToConfig(form), session);
  revalidatePath('/', 'layout');
  return result;
});

export async function saveCloudConfigAction(input: unknown) {
  return save(input);
}
