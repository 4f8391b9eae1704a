import { z } from 'zod';
import { apiRoute } from '@/lib/api-route';
import { loadIterationRow } from '@/lib/inventory/iteration';

export const dynamic = 'force-dynamic';

const inputSchema = z.object({ uuid: z.string().max(64), iteration: z.string().max(64) });

/** The iteration page polls this while the iteration runs. */
export const GET = apiRoute(
  { capability: 'view', input: inputSchema, scope: ({ uuid }) => ({ machine: uuid }) },
  async ({ uuid, iteration }) => ({
    iteration: await loadIterationRow(uuid, iteration),
  }),
);
