import 'server-only';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { currentAccess, isSignInRedirect, missingCapability, type Access } from '@/lib/auth/access';
import type { Capability } from '@/lib/auth/capabilities';
import { bearerMatches } from '@/lib/auth/bearer';
import { checkScope, type ActionScope } from '@/lib/auth/scope';
import { isAppError } from '@/lib/errors';
import { firstIssue, readJsonBody, statusOf } from '@/lib/http';

/** Request bodies of route handlers are small JSON documents; anything larger is refused unread. */
export const API_BODY_LIMIT = 64 * 1024;

export interface RouteOptions<S extends z.ZodType, B extends z.ZodType> {
  capability: Capability;
  /** The path parameters and the query string, as one object (path parameters win). */
  input: S;
  /** For POST/PUT/PATCH: the JSON body. Without it the handler takes no body. */
  body?: B;
  /** What the request concerns: 'any' (the capability in some pool; filter the answer), 'cloud', or machines / a pool from the input. */
  scope: 'any' | 'cloud' | ((input: z.infer<S>) => Exclude<ActionScope, 'cloud'>);
}

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

const json = (status: number, error: string) => NextResponse.json({ error }, { status, headers: { 'cache-control': 'no-store' } });

/**
 * The one wrapper for route handlers under app/api: the session and the person's rights from the
 * directory, the capability, zod validation of path, query and body, the pool check, the call into
 * lib/, and the answer as JSON. Statuses: 401 no session, 403 not permitted, 400 bad parameters,
 * 404 not found, 409 conflict, 413/415 body too large or not JSON, 503 only when the directory or a
 * node cannot be used now.
 */
export function apiRoute<S extends z.ZodType, T, B extends z.ZodType = z.ZodUndefined>(
  options: RouteOptions<S, B>,
  run: (input: z.infer<S>, access: Access, body: z.infer<B>) => Promise<T>,
): (request: Request, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    try {
      const access = await currentAccess();
      if (!access) return json(401, 'Your session has ended; sign in again.');
      const missing = missingCapability(access, options.capability);
      if (missing) return json(403, missing);
      const query = Object.fromEntries(new URL(request.url).searchParams.entries());
      const params = Object.fromEntries(Object.entries((await context.params) ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join('/') : v]));
      const input = options.input.safeParse({ ...query, ...params });
      if (!input.success) return json(400, `The request is not valid (${firstIssue(input.error)}).`);
      let body: z.infer<B> = undefined as z.infer<B>;
      if (options.body) {
        const read = await readJsonBody(request, options.body, API_BODY_LIMIT);
        if (!read.ok) return json(read.status, read.error);
        body = read.data;
      }
      if (options.scope !== 'any') await checkScope(access, options.capability, options.scope === 'cloud' ? 'cloud' : options.scope(input.data));
      return NextResponse.json(await run(input.data, access, body), { headers: { 'cache-control': 'no-store' } });
    } catch (error) {
      if (isSignInRedirect(error)) return json(401, 'Your session has ended; sign in again.');
      return errorResponse(request, error);
    }
  };
}

/** A known error as its status and sentence; anything else as a 500 whose details go to the log. */
function errorResponse(request: Request, error: unknown): Response {
  if (isAppError(error)) {
    const status = statusOf(error.code);
    if (status >= 500) console.error(`[api] ${new URL(request.url).pathname}: ${error.code}: ${error.detail ?? error.message}`);
    return json(status, error.message);
  }
  console.error(`[api] ${new URL(request.url).pathname}: unexpected error`, error);
  return json(500, 'The console failed to answer this request; the details are in its log.');
}

export interface BearerRouteOptions<S extends z.ZodType> {
  /** The token requests must bear, from configuration; null switches the route off (404). */
  token: () => string | null;
  /** Said with the 404 while the route is off: which setting switches it on. */
  off: string;
  /** Said with the 401, and the realm of the WWW-Authenticate challenge. */
  realm: string;
  /** The query string, as one object. */
  input: S;
}

/**
 * The wrapper for route handlers that machines call with a bearer token from configuration
 * instead of a session (the metrics endpoint): the token compared in constant time, zod
 * validation of the query string, and the same mapping of errors to statuses as apiRoute. The
 * handler makes its own response (it need not be JSON).
 */
export function bearerRoute<S extends z.ZodType>(options: BearerRouteOptions<S>, run: (input: z.infer<S>) => Promise<Response>): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      const token = options.token();
      if (!token) return json(404, options.off);
      if (!bearerMatches(request.headers.get('authorization'), token)) {
        const refused = json(401, `This endpoint needs the bearer token of ${options.realm}.`);
        refused.headers.set('WWW-Authenticate', `Bearer realm="${options.realm}"`);
        return refused;
      }
      const input = options.input.safeParse(Object.fromEntries(new URL(request.url).searchParams.entries()));
      if (!input.success) return json(400, `The request is not valid (${firstIssue(input.error)}).`);
      return await run(input.data);
    } catch (error) {
      return errorResponse(request, error);
    }
  };
}
