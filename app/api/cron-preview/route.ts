import { NextResponse } from 'next/server';
import { z } from 'zod';
import { currentSession } from '@/lib/auth/session';
import { env } from '@/lib/env';
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
export async function GET(request: Request) {
  if (!(await currentSession())) return NextResponse.json({ error: 'Your session has ended; sign in again.' }, { status: 401 });
  const params = Object.fromEntries(new URL(request.url).searchParams.entries());
  const q = cronPreviewQuerySchema.parse(params);
  const zone = q.timeZone && isValidTimeZone(q.timeZone) ? q.timeZone : env().nodeTimeZone;
  const plan = { minute: q.minute, hour: q.hour, day: q.day, month: q.month, dayOfWeek: q.dayOfWeek, active: q.active === 'TRUE' };
  const preview = previewCronPlan(plan, new Date(), zone, 5, await installationKind());
  return NextResponse.json(preview);
}
