import type { z } from 'zod';
import { quoteShort, type AppErrorCode } from './errors';

/**
 * HTTP facts shared by the route-handler wrapper and the proxy: which status an error gets, and
 * reading a JSON body safely. Plain functions without Next.js, so they are tested on their own.
 */

/** 503 only when the directory or a node cannot be used right now: a load balancer may then try another instance. */
const STATUS: Record<AppErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  'invalid-input': 400,
  'not-found': 404,
  conflict: 409,
  'unsafe-path': 422,
  'directory-unavailable': 503,
  'nodes-not-configured': 503,
  'node-address-unknown': 503,
  'node-unreachable': 503,
  'host-key-unknown': 503,
  'host-key-changed': 503,
  'node-auth-failed': 503,
  'node-timeout': 503,
  'node-connection-lost': 503,
  'directory-error': 502,
  'malformed-entry': 502,
  'command-failed': 502,
  'command-aborted': 502,
};

export function statusOf(code: AppErrorCode): number {
  return STATUS[code];
}

export type BodyResult<T> = { ok: true; data: T } | { ok: false; status: number; error: string };

/** The first problem zod found, as a sentence naming the field; the value sent is not repeated. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue?.message ?? 'not valid'}`;
}

/**
 * A JSON request body, refused with the right 4xx and a sentence: 415 for another content type,
 * 413 over the limit (declared or actual), 400 for text that is not JSON or does not fit `schema`.
 */
export async function readJsonBody<S extends z.ZodType>(request: Request, schema: S, limitBytes: number): Promise<BodyResult<z.infer<S>>> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    return {
      ok: false,
      status: 415,
      error: `The request body must be JSON (Content-Type: application/json), not ${quoteShort(type || 'none', 60)}.`,
    };
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  const tooLarge = { ok: false as const, status: 413, error: `The request body is larger than ${limitBytes} bytes; nothing was done.` };
  if (declared > limitBytes) return tooLarge;
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limitBytes) {
        await reader.cancel().catch(() => undefined);
        return tooLarge;
      }
      chunks.push(value);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return { ok: false, status: 400, error: 'The request body is not valid JSON; nothing was done.' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return { ok: false, status: 400, error: `The request body is not valid (${firstIssue(parsed.error)}); nothing was done.` };
  return { ok: true, data: parsed.data };
}
