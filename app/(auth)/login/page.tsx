import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { attempt } from '@/lib/actions';
import { currentAccess } from '@/lib/auth/access';
import { safeNextPath } from '@/lib/auth/next-path';
import { LoginForm } from './_components/login-form';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[]; signout?: string | string[] }>;
}) {
  const { next, signout } = await searchParams;
  const nextPath = typeof next === 'string' ? next : undefined;
  // Someone with a working session has nothing to do here; a directory outage is the form's to report.
  const signedIn = await attempt(currentAccess);
  if (signedIn.ok && signedIn.data) redirect(safeNextPath(nextPath));
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm rounded-lg border border-line bg-surface p-6 shadow-sm">
        <h1 className="text-lg font-semibold">Backup console</h1>
        <p className="mb-5 text-muted">Sign in with your stoney cloud account.</p>
        {signout === 'incomplete' && (
          <p role="status" className="mb-4 rounded-md border border-status-stale/30 bg-status-stale-bg px-3 py-2">
            You are signed out in this browser, but the directory could not be reached to end the session on the server. Sign in and out
            again once it answers, so no copy of the session stays valid.
          </p>
        )}
        <LoginForm next={nextPath} />
      </div>
    </main>
  );
}
