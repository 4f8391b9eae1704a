import { z } from 'zod';
import { apiRoute } from '@/lib/api-route';
import { loadIterationRows } from '@/lib/inventory/machine';

export const dynamic = 'force-dynamic';

const inputSchema = z.object({ uuid: z.string().max(64) });

/** The iteration table polls this while something runs. */
export const GET = apiRoute({ capability: 'view', input: inputSchema, scope: ({ uuid }) => ({ machine: uuid }) }, async ({ uuid }) => ({
  iterations: await loadIterationRows(uuid),
}));
