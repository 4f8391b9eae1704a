import { NextResponse } from 'next/server';
import { currentSession } from '@/lib/auth/session';
import { isAppError } from '@/lib/errors';
import { loadIterationRows } from '@/lib/inventory/machine';

export const dynamic = 'force-dynamic';

export async function GET(_request: Request, { params }: { params: Promise<{ uuid: string }> }) {
  if (!(await currentSession())) return NextResponse.json({ error: 'Your session has ended; sign in again.' }, { status: 401 });
  const { uuid } = await params;
  try {
    return NextResponse.json({ iterations: await loadIterationRows(uuid) });
  } catch (error) {
    if (isAppError(error)) return NextResponse.json({ error: error.message }, { status: error.code === 'not-found' ? 404 : 503 });
    throw error;
  }
}
