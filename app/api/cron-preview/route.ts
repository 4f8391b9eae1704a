import { z } from 'zod';
import { apiRoute } from '@/lib/api-route';
import { env } from '@/lib/env';
import { cronPlanOfTexts } from '@/lib/backup/cron-form';
import { installationKind } from '@/lib/backup/installation-reader';
import { isValidTimeZone, previewCronPlan } from '@/lib/cron';

export const dynamic = 'force-dynamic';

const field = z.string().max(200).catch('');
const cronPreviewQuerySchema = z.object({
  minute: field,
  hour: field,
  day: field,
  month: field,
  dayOfWeek: field,
  active: z.enum(['TRUE', 'FALSE']).catch('FALSE'),
  /** The zone the page computes in (a node's own on stoney cloud); anything unknown falls back to NODE_TIME_ZONE. */
  timeZone: z.string().max(64).optional().catch(undefined),
});

/** The cron editor's live preview: plain words, next runs on the node and in UTC, warnings. */
export const GET = apiRoute({ capability: 'configure', input: cronPreviewQuerySchema, scope: 'any' }, async (q) => {
  const zone = q.timeZone && isValidTimeZone(q.timeZone) ? q.timeZone : env().nodeTimeZone;
  return previewCronPlan(cronPlanOfTexts(q), new Date(), zone, 5, await installationKind());
});
