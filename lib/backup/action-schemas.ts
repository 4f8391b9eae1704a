import { z } from 'zod';

/** IDs and tokens the editing forms send next to their fields. */
export const uuidSchema = z
  .string({ error: 'The UUID is missing.' })
  .trim()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'This is not a UUID.')
  .transform((v) => v.toLowerCase());

export const tokenSchema = z
  .string({ error: 'The form is missing its version information; reload the page.' })
  .min(1, 'The form is missing its version information; reload the page.');

/** Form fields arrive as text: the wanted state is spelled out, never a checkbox's absence. */
export const excludeIntentSchema = z.enum(['exclude', 'include'], { error: 'Say whether to exclude or include.' });

/** The token of the consequences the administrator confirmed ("Save anyway"); absent on a first save. */
export const confirmSchema = z
  .string()
  .max(64)
  .optional()
  .transform((v) => (v === undefined || v === '' ? null : v));

export const uuidOnlySchema = z.object({ uuid: uuidSchema });

/** Which configuration an action concerns: the cloud-wide one, a pool's or a machine's. */
export const backupTargetSchema = z.discriminatedUnion('level', [
  z.object({ level: z.literal('cloud') }),
  z.object({ level: z.literal('pool'), uuid: uuidSchema }),
  z.object({ level: z.literal('machine'), uuid: uuidSchema }),
]);

/** A pool or a machine: the levels that can have a configuration of their own, and be excluded. */
export const ownTargetSchema = z.discriminatedUnion('level', [
  z.object({ level: z.literal('pool'), uuid: uuidSchema }),
  z.object({ level: z.literal('machine'), uuid: uuidSchema }),
]);
