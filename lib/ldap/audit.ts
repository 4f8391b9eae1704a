import 'server-only';
import { searchAll, withDirectory } from './client';
import { consoleContainerDn, inConsoleContainer } from './console-container';
import { all, one } from './entry';
import { eq, rdn } from './escape';

/**
 * The audit trail: `ou=audit,ou=backup-console,ou=services,<base>`, one organizationalUnit per
 * record with the JSON record in `description` and the machine or pool it concerns in `seeAlso`
 * (a DN with an equality rule, so filtering by machine is one equality search).
 */
const AUDIT = 'audit';
export const auditDn = () => consoleContainerDn(AUDIT);

export async function addAuditEntry(id: string, json: string, seeAlso: string[]): Promise<void> {
  const dn = `${rdn('ou', id)},${auditDn()}`;
  const attributes = { objectClass: ['top', 'organizationalUnit'], ou: id, description: json, ...(seeAlso.length > 0 ? { seeAlso } : {}) };
  await inConsoleContainer(AUDIT, () => withDirectory('Writing the audit record', (client) => client.add(dn, attributes)));
}

export type AuditEntry = { id: string; json: string; seeAlso: string[] };

/** Every record, or those about one entry (by DN). Sorting and paging happen in lib/audit. */
export async function searchAuditEntries(seeAlso?: string): Promise<AuditEntry[]> {
  const entries = await searchAll('Reading the audit trail', {
    base: auditDn(),
    scope: 'one',
    filter: seeAlso ? `(&(objectClass=organizationalUnit)${eq('seeAlso', seeAlso)})` : '(objectClass=organizationalUnit)',
    attributes: ['ou', 'description', 'seeAlso'],
  });
  return entries.map((e) => ({ id: one(e, 'ou') ?? '', json: one(e, 'description') ?? '', seeAlso: all(e, 'seeAlso') }));
}
