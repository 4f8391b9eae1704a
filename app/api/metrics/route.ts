import { NextResponse } from 'next/server';
import { env } from '@/lib/env';
import { renderMetrics } from '@/lib/metrics/exposition';
import { bearerMatches } from '@/lib/metrics/token';

export const dynamic = 'force-dynamic';

/**
 * Prometheus scrapes this with the bearer token from METRICS_TOKEN; no session is involved.
 * Off (404) unless a token is configured; a missing or wrong token gets 401 and nothing else.
 */
export async function GET(request: Request) {
  const token = env().metrics.token;
  if (!token) return NextResponse.json({ error: 'The metrics endpoint is off: set METRICS_TOKEN (see README, "Monitoring").' }, { status: 404 });
  if (!bearerMatches(request.headers.get('authorization'), token)) {
    return NextResponse.json(
      { error: 'This endpoint needs the bearer token from METRICS_TOKEN.' },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="backup-console metrics"' } },
    );
  }
  const { body, contentType } = await renderMetrics();
  return new Response(body, { status: 200, headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } });
}
