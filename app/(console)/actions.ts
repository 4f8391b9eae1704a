'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import { uuidSchema } from '@/lib/backup/action-schemas';
import { objectiveHoursSchema } from '@/lib/backup/objective-schema';
import { setRecoveryPointObjective } from '@/lib/inventory/objectives';

const objectiveSchema = z.object({ hours: objectiveHoursSchema, uuid: uuidSchema.optional() });

/**
 * The recovery point objective of the cloud (no UUID: the overview's form) or of a pool (the pool
 * page's): hours, or empty for the default. The cloud's concerns every pool, so it needs the
 * configure right for all of them.
 */
export const setObjectiveAction = consoleAction(
  { capability: 'configure', schema: objectiveSchema, scope: ({ uuid }) => (uuid === undefined ? 'cloud' : { pool: uuid }) },
  async ({ hours, uuid }, actor) => {
    const outcome = await setRecoveryPointObjective(uuid === undefined ? { level: 'cloud' } : { level: 'pool', uuid }, hours, actor);
    revalidatePath('/', 'layout');
    return outcome;
  },
);
