import type { ReactNode } from 'react';
import { NavLink } from '@/components/nav-link';
import { requireAdmin } from '@/lib/auth/session';
import { logoutAction } from '../(auth)/login/actions';

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await requireAdmin();
  return (
    <div className="min-h-screen">
      <header className="bg-brand text-brand-ink">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-4 px-6 py-2.5">
          <span className="mr-4 font-semibold tracking-tight">Backup console</span>
          <nav aria-label="Main" className="flex gap-1">
            <NavLink href="/">Overview</NavLink>
            <NavLink href="/pools">Pools</NavLink>
            <NavLink href="/machines">Machines</NavLink>
            <NavLink href="/history">History</NavLink>
            <NavLink href="/nodes">Nodes</NavLink>
            <NavLink href="/configuration">Configuration</NavLink>
            <NavLink href="/audit">Audit</NavLink>
          </nav>
          <div className="ml-auto flex items-center gap-3">
            <span title={session.dn} className="text-white/85">
              {session.name}
            </span>
            <form action={logoutAction}>
              <button type="submit" className="rounded-md border border-white/40 px-3 py-1 text-white hover:bg-white/10">
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-6 py-6">{children}</main>
    </div>
  );
}
