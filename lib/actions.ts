import 'server-only';
import { z } from 'zod';
import { requireAdmin, type Session } from '@/lib/auth/session';
import { isAppError } from '@/lib/errors';

/** What every server action returns: expected failures are values, never thrown (production strips thrown messages). */
export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; fieldErrors?: Record<string, string> };

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

export function failure(error: unknown, fallback: string): { ok: false; error: string; fieldErrors?: Record<string, string> } {
  if (isAppError(error)) {
    if (error.detail) console.error(`[action] ${error.code}: ${error.detail}`);
    return error.fieldErrors ? { ok: false, error: error.message, fieldErrors: error.fieldErrors } : { ok: false, error: error.message };
  }
  console.error('[action] unexpected error', error);
  return { ok: false, error: fallback };
}

/**
 * The one wrapper for administrator actions: session, zod validation, the call into lib/, and
 * the mapping of known errors to a sentence. The client sends IDs and values; everything else is
 * re-read from the directory by the lib/ function.
 */
export function adminAction<S extends z.ZodType, T>(schema: S, run: (input: z.infer<S>, session: Session) => Promise<T>) {
  return async (raw: unknown): Promise<ActionResult<T>> => {
    const session = await requireAdmin();
    const parsed = schema.safeParse(raw instanceof FormData ? formDataToObject(raw) : raw);
    if (!parsed.success) return { ok: false, error: 'Some values are not valid; nothing was changed.', fieldErrors: fieldErrorsOf(parsed.error) };
    try {
      return { ok: true, data: await run(parsed.data, session) };
    } catch (error) {
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
