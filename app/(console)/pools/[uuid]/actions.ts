'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import { uuidSchema } from '@/lib/backup/action-schemas';
import { objectiveHoursSchema } from '@/lib/backup/objective-schema';
import { setRecoveryPointObjective } from '@/lib/inventory/objectives';

const setPoolObjective = consoleAction(
  { capability: 'configure', schema: z.object({ uuid: uuidSchema, hours: objectiveHoursSchema }), scope: ({ uuid }) => ({ pool: uuid }) },
  async ({ uuid, hours }, actor) => {
    const outcome = await setRecoveryPointObjective({ level: 'pool', uuid }, hours, actor);
    revalidatePath('/', 'layout');
    return outcome;
  },
);

/** The pool page's recovery point objective form: hours, or empty for the cloud-wide default. */
export async function setPoolObjectiveAction(input: unknown) {
  return setPoolObjective(input);
}
