import { z } from 'zod';
import { bearerRoute } from '@/lib/api-route';
import { env } from '@/lib/env';
import { renderMetrics } from '@/lib/metrics/exposition';

export const dynamic = 'force-dynamic';

/**
 * Prometheus scrapes this with the bearer token from METRICS_TOKEN; no session is involved.
 * Off (404) unless a token is configured; a missing or wrong token gets 401 and nothing else.
 * It takes no parameters: anything in the query string is refused (400).
 */
export const GET = bearerRoute(
  {
    token: () => env().metrics.token,
    off: 'The metrics endpoint is off: set METRICS_TOKEN (see README, "Monitoring").',
    realm: 'backup-console metrics (METRICS_TOKEN)',
    input: z.object({}).strict(),
  },
  async () => {
    const { body, contentType } = await renderMetrics();
    return new Response(body, { status: 200, headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } });
  },
);
