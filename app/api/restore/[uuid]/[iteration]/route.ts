import { z } from 'zod';
import { apiRoute } from '@/lib/api-route';
import { iterationRef, readRestoreStatus } from '@/lib/restore/service';

export const dynamic = 'force-dynamic';

const inputSchema = z.object({ uuid: z.string().max(64), iteration: z.string().max(64) });

/** Polled by the restore page while something runs. */
export const GET = apiRoute(
  { capability: 'restore', input: inputSchema, scope: ({ uuid }) => ({ machine: uuid }) },
  async ({ uuid, iteration }) => readRestoreStatus(iterationRef(uuid, iteration)),
);
