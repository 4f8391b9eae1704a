import { NextResponse } from 'next/server';
import { z } from 'zod';
import { currentSession } from '@/lib/auth/session';
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
export async function GET(request: Request) {
  if (!(await currentSession())) return NextResponse.json({ error: 'Your session has ended; sign in again.' }, { status: 401 });
  const params = Object.fromEntries(new URL(request.url).searchParams.entries());
  const q = cronPreviewQuerySchema.parse(params);
  const preview = previewCronPlan({ ...q, active: q.active === 'TRUE' }, new Date(), env().nodeTimeZone);
  return NextResponse.json(preview);
}
