import { z } from 'zod';

/** IDs and tokens the editing forms send next to their fields. */
export const uuidSchema = z
  .string({ error: 'The UUID is missing.' })
  .trim()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'This is not a UUID.')
  .transform((v) => v.toLowerCase());

export const tokenSchema = z.string({ error: 'The form is missing its version information; reload the page.' }).min(1, 'The form is missing its version information; reload the page.');

/** Form fields arrive as text: the wanted state is spelled out, never a checkbox's absence. */
export const excludeIntentSchema = z.enum(['exclude', 'include'], { error: 'Say whether to exclude or include.' });

export const setExcludedSchema = z.object({ uuid: uuidSchema, intent: excludeIntentSchema });

export const removeOverrideSchema = z.object({ uuid: uuidSchema, token: tokenSchema });

/** The token of the consequences the administrator confirmed ("Save anyway"); absent on a first save. */
export const confirmSchema = z.string().max(64).optional().transform((v) => (v === undefined || v === '' ? null : v));

export const uuidOnlySchema = z.object({ uuid: uuidSchema });
