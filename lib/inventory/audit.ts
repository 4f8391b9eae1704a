import 'server-only';
import { z } from 'zod';
import { listAudit, type AuditRecord } from '@/lib/audit';
import { requireAdmin } from '@/lib/auth/session';
import { searchMachineSummaries, uuidPattern } from '@/lib/ldap/machines';
import { searchPools } from '@/lib/ldap/pools';

const uuid = z.string().trim().regex(uuidPattern).transform((v) => v.toLowerCase()).optional().catch(undefined);

/** The audit page's query string; anything malformed is ignored rather than refused. */
export const auditQuerySchema = z.object({
  machine: uuid,
  pool: uuid,
  scope: z.enum(['cloud']).optional().catch(undefined),
  cursor: z.string().regex(/^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]+$/).optional().catch(undefined),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export interface AuditPage {
  query: AuditQuery;
  records: AuditRecord[];
  nextCursor: string | null;
  machines: { uuid: string; name: string }[];
  pools: { uuid: string; name: string }[];
}

export async function loadAuditPage(params: Record<string, string | string[] | undefined>): Promise<AuditPage> {
  await requireAdmin();
  const flat = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const query = auditQuerySchema.parse(flat);
  const [page, machines, pools] = await Promise.all([
    listAudit({ machineUuid: query.machine, poolUuid: query.machine ? undefined : query.pool, cloud: !query.machine && !query.pool && query.scope === 'cloud', limit: 50, cursor: query.cursor }),
    searchMachineSummaries([]),
    searchPools([]),
  ]);
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
  return {
    query,
    records: page.records,
    nextCursor: page.nextCursor,
    machines: machines.map((m) => ({ uuid: m.uuid.toLowerCase(), name: m.name })).sort(byName),
    pools: pools.map((p) => ({ uuid: p.uuid.toLowerCase(), name: p.name })).sort(byName),
  };
}
