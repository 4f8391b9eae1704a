'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { adminAction } from '@/lib/actions';
import { uuidSchema } from '@/lib/backup/action-schemas';
import { objectiveHoursSchema } from '@/lib/backup/objective-schema';
import { setRecoveryPointObjective } from '@/lib/inventory/objectives';

const setPoolObjective = adminAction(z.object({ uuid: uuidSchema, hours: objectiveHoursSchema }), async ({ uuid, hours }, session) => {
  const outcome = await setRecoveryPointObjective({ level: 'pool', uuid }, hours, session);
  revalidatePath('/', 'layout');
  return outcome;
});

/** The pool page's recovery point objective form: hours, or empty for the cloud-wide default. */
export async function setPoolObjectiveAction(input: unknown) {
  return setPoolObjective(input);
}
