import type { Metadata } from 'next';
import Link from 'next/link';
import { AuditTable } from '@/components/audit/audit-table';
import { PageHeader } from '@/components/ui/card';
import { byUuid, FilterForm, FilterSelect } from '@/components/ui/filters';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { env } from '@/lib/env';
import { loadAuditPage, type AuditQuery } from '@/lib/inventory/audit';

export const metadata: Metadata = { title: 'Audit trail' };
export const dynamic = 'force-dynamic';

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
      <PageHeader
        title="Audit trail"
        subtitle="Every change made from the console, every restore decision and every sign-in, newest first. Kept in the directory (ou=audit,ou=backup-console,ou=services)."
      />
      <FilterForm
        action="/audit"
        submitLabel="Show"
        links={[
          { href: '/audit', label: 'All changes' },
          { href: '/audit?scope=cloud', label: 'Cloud-wide changes' },
        ]}
      >
        <FilterSelect name="machine" label="Machine" value={query.machine} anyLabel="All machines" options={byUuid(machines)} />
        <FilterSelect name="pool" label="Pool (its own entry)" value={query.pool} anyLabel="All pools" options={byUuid(pools)} />
      </FilterForm>
      <AuditTable records={records} timeZone={env().consoleTimeZone} names={names} />
      <nav aria-label="Pages" className="mt-3 flex justify-between">
        {query.cursor ? (
          <Link href={hrefFor(query)} className="text-brand hover:underline">
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {nextCursor && (
          <Link href={hrefFor(query, nextCursor)} className="text-brand hover:underline" rel="next">
            Older →
          </Link>
        )}
      </nav>
    </>
  );
}
