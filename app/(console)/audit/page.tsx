import type { Metadata } from 'next';
import Link from 'next/link';
import { AuditTable } from '@/components/audit/audit-table';
import { PageHeader } from '@/components/ui/card';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { env } from '@/lib/env';
import { loadAuditPage, type AuditQuery } from '@/lib/inventory/audit';

export const metadata: Metadata = { title: 'Audit trail' };
export const dynamic = 'force-dynamic';

const field = 'rounded-md border border-line bg-surface px-2.5 py-1.5';

function hrefFor(query: AuditQuery, cursor?: string): string {
  const params = new URLSearchParams();
  if (query.machine) params.set('machine', query.machine);
  else if (query.pool) params.set('pool', query.pool);
  else if (query.scope) params.set('scope', query.scope);
  if (cursor) params.set('cursor', cursor);
  const text = params.toString();
  return text ? `/audit?${text}` : '/audit';
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const result = await attempt(async () => loadAuditPage(await searchParams));
  if (!result.ok) return <LoadError message={result.error} code={result.code} />;
  const { query, records, nextCursor, machines, pools } = result.data;
  const names = Object.fromEntries([...machines, ...pools].map((x) => [x.uuid, x.name]));
  return (
    <>
      <PageHeader title="Audit trail" subtitle="Every change made from the console, every restore decision and every sign-in, newest first. Kept in the directory (ou=audit,ou=backup-console,ou=services)." />
      <form method="get" action="/audit" role="search" className="mb-4 flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor="audit-machine" className="text-xs font-medium text-muted">
            Machine
          </label>
          <select id="audit-machine" name="machine" defaultValue={query.machine ?? ''} className={field}>
            <option value="">All machines</option>
            {machines.map((m) => (
              <option key={m.uuid} value={m.uuid}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="audit-pool" className="text-xs font-medium text-muted">
            Pool (its own entry)
          </label>
          <select id="audit-pool" name="pool" defaultValue={query.pool ?? ''} className={field}>
            <option value="">All pools</option>
            {pools.map((p) => (
              <option key={p.uuid} value={p.uuid}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="rounded-md bg-brand px-4 py-1.5 font-semibold text-brand-ink">
          Show
        </button>
        <Link href="/audit" className="px-2 py-1.5 text-brand hover:underline">
          All changes
        </Link>
        <Link href="/audit?scope=cloud" className="px-2 py-1.5 text-brand hover:underline">
          Cloud-wide changes
        </Link>
      </form>
      <AuditTable records={records} timeZone={env().consoleTimeZone} names={names} />
      <nav aria-label="Pages" className="mt-3 flex justify-between">
        {query.cursor ? <Link href={hrefFor(query)} className="text-brand hover:underline">← Newest</Link> : <span />}
        {nextCursor && (
          <Link href={hrefFor(query, nextCursor)} className="text-brand hover:underline" rel="next">
            Older →
          </Link>
        )}
      </nav>
    </>
  );
}
