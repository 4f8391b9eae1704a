import { z } from 'zod';
import { apiRoute } from '@/lib/api-route';
import { loadNodes } from '@/lib/inventory/nodes';

export const dynamic = 'force-dynamic';

/** The nodes page polls this: node reachability and disk usage, checked on every call (only the nodes the person may see). */
export const GET = apiRoute({ capability: 'view', input: z.object({}), scope: 'any' }, async () => ({ nodes: await loadNodes() }));
