import 'server-only';
import { z } from 'zod';
import { listAudit, type AuditRecord } from '@/lib/audit';
import { requireAccess } from '@/lib/auth/access';
import { can, canEverywhere } from '@/lib/auth/capabilities';
import { searchMachineSummaries, uuidPattern } from '@/lib/ldap/machines';
import { searchPools } from '@/lib/ldap/pools';

const uuid = z
  .string()
  .trim()
  .regex(uuidPattern)
  .transform((v) => v.toLowerCase())
  .optional()
  .catch(undefined);

/** The audit page's query string; anything malformed is ignored rather than refused. */
export const auditQuerySchema = z.object({
  machine: uuid,
  pool: uuid,
  scope: z.enum(['cloud']).optional().catch(undefined),
  cursor: z
    .string()
    .regex(/^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]+$/)
    .optional()
    .catch(undefined),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export interface AuditPage {
  query: AuditQuery;
  records: AuditRecord[];
  nextCursor: string | null;
  machines: { uuid: string; name: string }[];
  pools: { uuid: string; name: string }[];
}

/**
 * The audit trail page. A person limited to some pools sees only the records about those pools
 * and their machines; cloud-wide changes and sign-ins are for people who may see every pool.
 */
export async function loadAuditPage(params: Record<string, string | string[] | undefined>): Promise<AuditPage> {
  const access = await requireAccess('view');
  const flat = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const query = auditQuerySchema.parse(flat);
  const everything = canEverywhere(access.grants, 'view');
  const [allMachines, allPools] = await Promise.all([searchMachineSummaries([]), searchPools([])]);
  const machines = everything ? allMachines : allMachines.filter((m) => can(access.grants, 'view', m.poolUuid ?? null));
  const pools = everything ? allPools : allPools.filter((p) => can(access.grants, 'view', p.uuid));
  const machineSet = new Set(machines.map((m) => m.uuid.toLowerCase()));
  const poolSet = new Set(pools.map((p) => p.uuid.toLowerCase()));
  const visible = everything
    ? undefined
    : (r: AuditRecord) => (r.machineUuid ? machineSet.has(r.machineUuid) : r.poolUuid ? poolSet.has(r.poolUuid) : false);
  const page = await listAudit({
    machineUuid: query.machine,
    poolUuid: query.machine ? undefined : query.pool,
    cloud: !query.machine && !query.pool && query.scope === 'cloud',
    limit: 50,
    cursor: query.cursor,
    visible,
  });
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
  return {
    query,
    records: page.records,
    nextCursor: page.nextCursor,
    machines: machines.map((m) => ({ uuid: m.uuid.toLowerCase(), name: m.name })).sort(byName),
    pools: pools.map((p) => ({ uuid: p.uuid.toLowerCase(), name: p.name })).sort(byName),
  };
}
