/**
 * Stand-in for `next/headers` in integration tests: one browser's cookie jar and request headers.
 * With it the console's real session and authorization code runs against the real directory —
 * `vi.mock('next/headers', () => import('../support/next-headers'))` in a test file.
 */
const jar = new Map<string, string>();
let requestHeaders = new Headers({ 'x-forwarded-for': '192.0.2.10' });

export async function cookies() {
  return {
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) as string } : undefined),
    set: (name: string, value: string) => {
      jar.set(name, value);
    },
    delete: (name: string) => {
      jar.delete(name);
    },
  };
}

export async function headers() {
  return requestHeaders;
}

/** What the tests do to "the browser". */
export const browser = {
  cookie: (name = 'console_session') => jar.get(name),
  setCookie: (value: string, name = 'console_session') => jar.set(name, value),
  clearCookies: () => jar.clear(),
  /** The client address the console sees (X-Forwarded-For, as Next.js passes it). */
  setAddress: (address: string) => {
    requestHeaders = new Headers({ 'x-forwarded-for': address });
  },
};
