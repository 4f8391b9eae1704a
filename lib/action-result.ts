/**
 * What every server action returns: expected failures are values, never thrown (production
 * strips thrown messages). Its own module, without `server-only`, so client components that call
 * actions import the same type as the actions themselves.
 */
export type ActionFailure = { ok: false; error: string; fieldErrors?: Record<string, string> };

export type ActionResult<T> = { ok: true; data: T } | ActionFailure;
