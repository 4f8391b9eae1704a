import { z } from 'zod';
import { apiRoute } from '@/lib/api-route';
import { iterationRef } from '@/lib/restore/service';
import { readUndoStatus } from '@/lib/restore/undo-service';

export const dynamic = 'force-dynamic';

const inputSchema = z.object({ uuid: z.string().max(64), iteration: z.string().max(64) });

/** Polled by the undo page while an undo runs. */
export const GET = apiRoute(
  { capability: 'restore', input: inputSchema, scope: ({ uuid }) => ({ machine: uuid }) },
  async ({ uuid, iteration }) => readUndoStatus(iterationRef(uuid, iteration)),
);
