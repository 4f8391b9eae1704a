/**
 * What every response carries and which requests are refused before they reach a page, an action
 * or a route handler. Plain functions, used by proxy.ts and next.config.ts and tested on their own.
 */

/** Server actions and route handlers take small forms and JSON; Next.js is told the same limit (next.config.ts). */
export const REQUEST_BODY_LIMIT = 1024 * 1024;

/** Headers that do not depend on the request: no framing, no type sniffing, no referrer to other sites. */
export const SECURITY_HEADERS: Record<string, string> = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/**
 * The content security policy of a page: scripts only with this response's nonce (Next.js puts it
 * on its own scripts, and 'strict-dynamic' lets those load the rest), style elements and sheets only
 * from the console or with the nonce, nothing framed, no plugins, fetches and form posts only to the
 * console. Style attributes stay allowed: progress bars set their width that way, and an attribute
 * cannot run code. Development needs 'unsafe-eval' for React's error overlay.
 */
export function contentSecurityPolicy(nonce: string, options: { development: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** A request refused before anything reads its body: status and the sentence the client gets. */
export interface RequestRefusal {
  status: number;
  message: string;
}

const ACTION_TYPES = ['multipart/form-data', 'text/plain', 'application/x-www-form-urlencoded'];

/**
 * Requests with a body must say how long it is and stay under the limit; server actions (the
 * `Next-Action` header) must be POSTs of the types React sends. Everything else reaches Next.js,
 * which would otherwise answer some of these with a 500.
 */
export function refuseRequest(
  method: string,
  headers: { get(name: string): string | null },
  limit = REQUEST_BODY_LIMIT,
): RequestRefusal | null {
  const upper = method.toUpperCase();
  const action = headers.get('next-action') !== null;
  if (action && upper !== 'POST') return { status: 405, message: 'Server actions are called with POST only.' };
  if (upper === 'GET' || upper === 'HEAD' || upper === 'OPTIONS') return null;
  const length = headers.get('content-length');
  const chunked = (headers.get('transfer-encoding') ?? '').toLowerCase().includes('chunked');
  if (length === null && chunked)
    return { status: 411, message: 'Send the request body with a Content-Length; the console does not accept chunked request bodies.' };
  if (length !== null && (!/^\d{1,15}$/.test(length.trim()) || Number(length) > limit)) {
    return {
      status: 413,
      message: `The request body is larger than ${Math.round(limit / 1024)} KiB, the most the console accepts; nothing was done.`,
    };
  }
  if (action) {
    const type = (headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
    if (!ACTION_TYPES.includes(type))
      return {
        status: 415,
        message: 'A server action must be sent as a form or as text, as the console\u2019s own pages send it; nothing was done.',
      };
  }
  return null;
}

/**
 * The `$` tokens React puts in a server action's arguments that need nothing else from the request:
 * an escaped `$`, undefined, NaN, infinities, -0, dates, big integers, FormData (`$K`) and
 * temporary references (`$T`). `$@`, `$Q`, `$W` and `$i` point at another part of the body and
 * must find it; anything else (typed arrays, blobs, server references) is never sent by the
 * console's pages and is refused.
 */
const INLINE_TOKEN = /^\$(?:\$.*|undefined|NaN|Infinity|-Infinity|-0|D.{1,40}|n-?\d{1,300}|K[0-9a-f]*|T.*)$/s;
const PART_TOKEN = /^\$[@QWi]([0-9a-f]{1,8})$/;

function tokenProblem(value: unknown, parts: ReadonlySet<string>, depth = 0): boolean {
  if (depth > 64) return true;
  if (typeof value === 'string') {
    if (!value.startsWith('$') || INLINE_TOKEN.test(value)) return false;
    const part = PART_TOKEN.exec(value);
    return !part || !parts.has(String(parseInt(part[1], 16)));
  }
  if (Array.isArray(value)) return value.some((v) => tokenProblem(v, parts, depth + 1));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => tokenProblem(v, parts, depth + 1));
  return false;
}

const MALFORMED: RequestRefusal = {
  status: 400,
  message: 'The request body is malformed (not what the console\u2019s own pages send); nothing was done.',
};

function jsonProblem(text: string, parts: ReadonlySet<string>): boolean {
  try {
    return tokenProblem(JSON.parse(text), parts);
  } catch {
    return true;
  }
}

/**
 * Server action bodies, checked before Next.js decodes them (it answers a body it cannot decode
 * with a 500): text must be JSON, a form must parse, the JSON parts must be JSON, and references
 * between parts must point at parts that are there. Forms posted without JavaScript carry their
 * action in `$ACTION_…` fields, whose JSON is checked the same way.
 */
export async function refuseActionBody(
  headers: { get(name: string): string | null },
  body: { text(): Promise<string>; formData(): Promise<FormData> },
): Promise<RequestRefusal | null> {
  const type = (headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const action = headers.get('next-action') !== null;
  if (action && type === 'text/plain') return jsonProblem(await body.text(), new Set()) ? MALFORMED : null;
  if (type !== 'multipart/form-data') return null;
  let form: FormData;
  try {
    form = await body.formData();
  } catch {
    return MALFORMED;
  }
  const keys = [...form.keys()];
  const parts = new Set(keys.filter((k) => /^\d+$/.test(k)));
  const json = action ? [...parts] : keys.filter((k) => /^\$ACTION_\d+:\d+$/.test(k));
  if (action && !parts.has('0')) return MALFORMED;
  for (const key of json) {
    const value = form.get(key);
    if (
      typeof value !== 'string' ||
      jsonProblem(value, action ? parts : new Set(keys.filter((k) => k.startsWith('$ACTION_')).map((k) => k.replace(/^.*:/, ''))))
    ) {
      return MALFORMED;
    }
  }
  return null;
}
