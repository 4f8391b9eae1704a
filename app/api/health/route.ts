import { NextResponse } from 'next/server';
import { directoryHealth } from '@/lib/ldap/health';

export const dynamic = 'force-dynamic';

/** For load balancers and the demo script: 200 when the directory answers, 503 otherwise. No session needed, no data shown. */
export async function GET() {
  const health = await directoryHealth();
  return NextResponse.json(health, { status: health.directory === 'ok' ? 200 : 503 });
}
