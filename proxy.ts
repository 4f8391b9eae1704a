import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, refuseActionBody, refuseRequest, SECURITY_HEADERS } from '@/lib/security';

/**
 * Runs before every page, action and route handler: refuses requests whose body is too large or of
 * the wrong kind (with a sentence instead of a 500), gives each response a fresh CSP nonce (Next.js
 * reads it from the request's policy and puts it on its scripts), and tells pages which path was
 * asked for, so an expired session can come back to it after signing in.
 */
export async function proxy(request: NextRequest) {
  const refusal =
    refuseRequest(request.method, request.headers) ??
    (request.method === 'POST' ? await refuseActionBody(request.headers, request.clone()) : null);
  if (refusal) {
    const response = new NextResponse(`${refusal.message}\n`, {
      status: refusal.status,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
    response.headers.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
    return response;
  }
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  const nonce = Buffer.from(bytes).toString('base64');
  const https = (request.headers.get('x-forwarded-proto') ?? request.nextUrl.protocol).split(',')[0].trim().replace(/:$/, '') === 'https';
  const policy = contentSecurityPolicy(nonce, { development: process.env.NODE_ENV === 'development', https });

  const headers = new Headers(request.headers);
  headers.set('Content-Security-Policy', policy);
  headers.set('x-nonce', nonce);
  headers.set('x-console-path', `${request.nextUrl.pathname}${request.nextUrl.search}`.slice(0, 2048));
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Static files carry the fixed headers from next.config.ts; they need no nonce.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
