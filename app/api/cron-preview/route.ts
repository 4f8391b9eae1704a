import { z } from 'zod';
import { apiRoute } from '@/lib/api-route';
import { env } from '@/lib/env';
import { previewCronPlan } from '@/lib/cron';

export const dynamic = 'force-dynamic';

const field = z.string().max(200).catch('');
const cronPreviewQuerySchema = z.object({
  minute: field,
  hour: field,
  day: field,
  month: field,
  dayOfWeek: field,
  active: z.enum(['TRUE', 'FALSE']).catch('FALSE'),
});

/** The cron editor's live preview: plain words, next runs on the node and in UTC, warnings. */
export const GET = apiRoute({ capability: 'configure', input: cronPreviewQuerySchema, scope: 'any' }, async (q) =>
  previewCronPlan({ ...q, active: q.active === 'TRUE' }, new Date(), env().nodeTimeZone),
);
