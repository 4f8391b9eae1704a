import 'server-only';
import { z } from 'zod';
import { actorOf, currentAccess, isSignInRedirect, missingCapability, type Access, type Actor } from '@/lib/auth/access';
import type { Capability } from '@/lib/auth/capabilities';
import { checkScope, type ActionScope } from '@/lib/auth/scope';
import type { ActionFailure, ActionResult } from '@/lib/action-result';
import { isAppError } from '@/lib/errors';

export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || 'form';
    out[key] ??= issue.message;
  }
  return out;
}

export function formDataToObject(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === 'string' && !key.startsWith('$ACTION')) out[key] = value;
  return out;
}

export function failure(error: unknown, fallback: string): ActionFailure {
  if (isAppError(error)) {
    if (error.detail) console.error(`[action] ${error.code}: ${error.detail}`);
    return error.fieldErrors ? { ok: false, error: error.message, fieldErrors: error.fieldErrors } : { ok: false, error: error.message };
  }
  console.error('[action] unexpected error', error);
  return { ok: false, error: fallback };
}

export const SESSION_ENDED =
  'Your session has ended (signed out, expired, or your rights were removed in the directory). Sign in again; nothing was changed.';

export interface ActionOptions<S extends z.ZodType> {
  /** The right the action needs: view, configure (backup configuration and exclusion) or restore. */
  capability: Capability;
  schema: S;
  /**
   * What the action concerns, from the validated input: { machine }, { machines }, { pool }, or
   * 'cloud' when it concerns every pool. Checked against the pools the person's right covers.
   */
  scope: 'cloud' | ((input: z.infer<S>) => ActionScope);
}

/**
 * The one wrapper for server actions: the session and the person's rights from the directory,
 * the capability, zod validation, the pool check, the call into lib/, and the mapping of known
 * errors to a sentence. The client sends IDs and values; everything else is re-read by lib/. The
 * actor handed to `run` names the capability, so the audit record says which right was used.
 * The action's parameter has the schema's input type, so every call is checked; what arrives is
 * validated all the same (anyone can post anything to an action, FormData included).
 */
export function consoleAction<S extends z.ZodType, T>(
  options: ActionOptions<S>,
  run: (input: z.infer<S>, actor: Actor, access: Access) => Promise<T>,
): (input: z.input<S>) => Promise<ActionResult<T>> {
  const { capability, schema, scope } = options;
  return async (raw: unknown) => {
    let access: Access | null;
    try {
      access = await currentAccess();
    } catch (error) {
      return failure(error, 'Your session could not be checked; nothing was changed.');
    }
    if (!access) return { ok: false, error: SESSION_ENDED };
    const missing = missingCapability(access, capability);
    if (missing) return { ok: false, error: missing };
    const parsed = schema.safeParse(raw instanceof FormData ? formDataToObject(raw) : raw);
    if (!parsed.success)
      return { ok: false, error: 'Some values are not valid; nothing was changed.', fieldErrors: fieldErrorsOf(parsed.error) };
    try {
      await checkScope(access, capability, scope === 'cloud' ? 'cloud' : scope(parsed.data));
      return { ok: true, data: await run(parsed.data, actorOf(access, capability), access) };
    } catch (error) {
      if (isSignInRedirect(error)) return { ok: false, error: SESSION_ENDED };
      return failure(error, 'The change could not be made; nothing was changed.');
    }
  };
}

/**
 * For pages: runs a lib/ read and turns known errors into a value the page renders. Anything
 * else (including Next's redirect and not-found signals) is rethrown untouched.
 */
export async function attempt<T>(read: () => Promise<T>): Promise<{ ok: true; data: T } | { ok: false; code: string; error: string }> {
  try {
    return { ok: true, data: await read() };
  } catch (error) {
    if (isAppError(error)) return { ok: false, code: error.code, error: error.message };
    throw error;
  }
}
