import { z } from 'zod';
import { apiRoute } from '@/lib/api-route';
import { AppError } from '@/lib/errors';
import { directoryHealth } from '@/lib/ldap/health';

export const dynamic = 'force-dynamic';

/** For load balancers and the demo script: 200 when the directory answers, 503 otherwise. No session needed, no data shown. */
export const GET = apiRoute({ capability: 'none', input: z.object({}), scope: 'any' }, async () => {
  const health = await directoryHealth();
  if (health.directory !== 'ok') throw new AppError('directory-unavailable', 'The directory does not answer.');
  return health;
});
