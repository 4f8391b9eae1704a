import 'server-only';
import { all, one } from './entry';
import { eq, rdn } from './escape';
import { addInConsoleContainer, consoleContainerDn } from './console-container';
import { searchAll, withDirectory } from './client';

/**
 * The audit trail lives in the directory, so every console instance sees it and it survives
 * restarts: `ou=audit,ou=backup-console,ou=services,<base>`, one organizationalUnit per record
 * with the JSON record in `description` and the machine or pool it concerns in `seeAlso`
 * (a DN with an equality rule, so filtering by machine is one equality search). Only core
 * schema classes are used; the stoney cloud schema is not touched.
 */
export const auditDn = () => consoleContainerDn('audit');

export async function addAuditEntry(id: string, json: string, seeAlso: string[]): Promise<void> {
  const dn = `${rdn('ou', id)},${auditDn()}`;
  const attributes = { objectClass: ['top', 'organizationalUnit'], ou: id, description: json, ...(seeAlso.length > 0 ? { seeAlso } : {}) };
  await addInConsoleContainer('audit', () => withDirectory('Writing the audit record', (client) => client.add(dn, attributes)));
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
