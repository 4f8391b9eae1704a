import { NextResponse } from 'next/server';
import { currentSession } from '@/lib/auth/session';
import { isAppError } from '@/lib/errors';
import { loadNodes } from '@/lib/inventory/nodes';

export const dynamic = 'force-dynamic';

/** The nodes page polls this: node reachability and disk usage, checked on every call. */
export async function GET() {
  if (!(await currentSession())) return NextResponse.json({ error: 'Your session has ended; sign in again.' }, { status: 401 });
  try {
    return NextResponse.json({ nodes: await loadNodes() });
  } catch (error) {
    if (isAppError(error)) return NextResponse.json({ error: error.message }, { status: 503 });
    throw error;
  }
}
