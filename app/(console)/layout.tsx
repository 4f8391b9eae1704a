import type { ReactNode } from 'react';
import { NightPatternDefs } from '@/components/charts/night-patterns';
import { LoadError } from '@/components/load-error';
import { NavLink } from '@/components/nav-link';
import { attempt } from '@/lib/actions';
import { requireAccess } from '@/lib/auth/access';
import { canEverywhere, describeGrants } from '@/lib/auth/capabilities';
import { logoutAction } from '../(auth)/login/actions';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  // Who is signed in and what they may do, from the directory on every request (briefly cached).
  const result = await attempt(() => requireAccess());
  const access = result.ok ? result.data : null;
  return (
    <div className="min-h-screen">
      {/* The patterns of the history grids and backup charts, once per page (components/charts/night-patterns.tsx). */}
      <NightPatternDefs />
      <header className="bg-brand text-brand-ink">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-4 px-6 py-2.5">
          <span className="mr-4 font-semibold tracking-tight">Backup console</span>
          {access && (
            <nav aria-label="Main" className="flex gap-1">
              <NavLink href="/">Overview</NavLink>
              <NavLink href="/pools">Pools</NavLink>
              <NavLink href="/machines">Machines</NavLink>
              <NavLink href="/history">History</NavLink>
              <NavLink href="/nodes">Nodes</NavLink>
              {canEverywhere(access.grants, 'configure') && <NavLink href="/configuration">Configuration</NavLink>}
              <NavLink href="/audit">Audit</NavLink>
            </nav>
          )}
          <div className="ml-auto flex items-center gap-3">
            {access && (
              <span title={`${access.person.dn}\nMay: ${describeGrants(access.grants)}\nBecause of: ${access.grantedBy.join(', ')}`} className="text-white/85" data-testid="signed-in-as">
                {access.person.name}
              </span>
            )}
            <form action={logoutAction}>
              <button type="submit" className="rounded-md border border-white/40 px-3 py-1 text-white hover:bg-white/10">
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-6 py-6">{result.ok ? children : <LoadError message={result.error} code={result.code} />}</main>
    </div>
  );
}
