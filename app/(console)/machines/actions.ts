'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import type { ActionResult } from '@/lib/action-result';
import { consoleAction } from '@/lib/actions';
import { excludeIntentSchema, uuidSchema } from '@/lib/backup/action-schemas';
import { setMachinesExcluded, type BulkOutcome } from '@/lib/backup/editing';

/** A row's own button ("exclude:<uuid>") wins over the selection the form also carries. */
const setMachinesExcludedSchema = z
  .object({
    toggle: z
      .string()
      .regex(/^(exclude|include):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'This row button is not valid.')
      .optional(),
    intent: excludeIntentSchema.optional(),
    uuids: z.array(uuidSchema).max(1000, 'Select at most 1000 machines at a time.'),
  })
  .transform((v) => {
    if (v.toggle) {
      const [intent, uuid] = v.toggle.split(':');
      return { intent: intent as 'exclude' | 'include', uuids: [uuid.toLowerCase()] };
    }
    return { intent: v.intent, uuids: v.uuids };
  })
  .refine((v) => v.intent !== undefined, { message: 'Say whether to exclude or include.', path: ['intent'] })
  .refine((v) => v.uuids.length > 0, { message: 'Select at least one machine.', path: ['uuids'] });

const run = consoleAction(
  { capability: 'configure', schema: setMachinesExcludedSchema, scope: ({ uuids }) => ({ machines: uuids }) },
  async ({ intent, uuids }, actor) => {
    const results = await setMachinesExcluded(uuids, intent === 'exclude', actor);
    revalidatePath('/', 'layout');
    return { intent: intent as 'exclude' | 'include', results };
  },
);

export async function setMachinesExcludedAction(
  _previous: ActionResult<{ intent: 'exclude' | 'include'; results: BulkOutcome[] }> | null,
  form: FormData,
): Promise<ActionResult<{ intent: 'exclude' | 'include'; results: BulkOutcome[] }>> {
  if (!(form instanceof FormData)) return { ok: false, error: 'Select machines and say whether to exclude or include them.' };
  const text = (value: FormDataEntryValue | null) => (typeof value === 'string' ? value : undefined);
  // The intent is validated by the schema; an unknown word gets its sentence there.
  const intent = text(form.get('intent')) as 'exclude' | 'include' | undefined;
  return run({ toggle: text(form.get('toggle')), intent, uuids: form.getAll('uuid').filter((u) => typeof u === 'string') });
}
