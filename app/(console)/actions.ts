'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { consoleAction } from '@/lib/actions';
import { objectiveHoursSchema } from '@/lib/backup/objective-schema';
import { setRecoveryPointObjective } from '@/lib/inventory/objectives';

// The cloud-wide objective concerns every pool: the configure right for all of them.
const setCloudObjective = consoleAction({ capability: 'configure', schema: z.object({ hours: objectiveHoursSchema }), scope: 'cloud' }, async ({ hours }, actor) => {
  const outcome = await setRecoveryPointObjective({ level: 'cloud' }, hours, actor);
  revalidatePath('/', 'layout');
  return outcome;
});

/** The overview's recovery point objective form: hours, or empty for the plans' default. */
export async function setCloudObjectiveAction(input: unknown) {
  return setCloudObjective(input);
}
