'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { adminAction } from '@/lib/actions';
import { objectiveHoursSchema } from '@/lib/backup/objective-schema';
import { setRecoveryPointObjective } from '@/lib/inventory/objectives';

const setCloudObjective = adminAction(z.object({ hours: objectiveHoursSchema }), async ({ hours }, session) => {
  const outcome = await setRecoveryPointObjective({ level: 'cloud' }, hours, session);
  revalidatePath('/', 'layout');
  return outcome;
});

/** The overview's recovery point objective form: hours, or empty for the plans' default. */
export async function setCloudObjectiveAction(input: unknown) {
  return setCloudObjective(input);
}
