import type { Metadata } from 'next';
import { PoolTable } from '@/components/pools/pool-table';
import { PageHeader } from '@/components/ui/card';
import { LoadError } from '@/components/load-error';
import { attempt } from '@/lib/actions';
import { loadPoolsHealth } from '@/lib/inventory/overview';

export const metadata: Metadata = { title: 'Pools' };
export const dynamic = 'force-dynamic';

export default async function PoolsPage() {
  const result = await attempt(loadPoolsHealth);
  if (!result.ok) return <LoadError message={result.error} code={result.code} />;
  return (
    <>
      <PageHeader title="VM pools" subtitle={`${result.data.pools.length} ${result.data.pools.length === 1 ? 'pool' : 'pools'}`} />
      <PoolTable rows={result.data.pools} cloudObjectiveMs={result.data.cloudObjectiveMs} />
    </>
  );
}
