import { NextResponse } from 'next/server';
import { currentSession } from '@/lib/auth/session';
import { isAppError } from '@/lib/errors';
import { iterationRef, readRestoreStatus } from '@/lib/restore/service';

export const dynamic = 'force-dynamic';

/** Polled by the restore page while something runs. */
export async function GET(_request: Request, { params }: { params: Promise<{ uuid: string; iteration: string }> }) {
  if (!(await currentSession())) return NextResponse.json({ error: 'Your session has ended; sign in again.' }, { status: 401 });
  const { uuid, iteration } = await params;
  try {
    return NextResponse.json(await readRestoreStatus(iterationRef(uuid, iteration)));
  } catch (error) {
    if (isAppError(error)) return NextResponse.json({ error: error.message }, { status: error.code === 'not-found' ? 404 : 503 });
    throw error;
  }
}
