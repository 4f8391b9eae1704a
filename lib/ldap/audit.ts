import 'server-only';
import { AlreadyExistsError } from 'ldapts';
import { isAppError } from '@/lib/errors';
import { all, one } from './entry';
import { eq, rdn } from './escape';
import { baseDn } from './layout';
import { searchAll, withDirectory } from './client';

/**
 * The audit trail lives in the directory, so every console instance sees it and it survives
 * restarts: `ou=audit,ou=backup-console,ou=services,<base>`, one organizationalUnit per record
 * with the JSON record in `description` and the machine or pool it concerns in `seeAlso`
 * (a DN with an equality rule, so filtering by machine is one equality search). Only core
 * schema classes are used; the stoney cloud schema is not touched.
 */
const servicesDn = () => `ou=services,${baseDn()}`;
const consoleDn = () => `ou=backup-console,${servicesDn()}`;
export const auditDn = () => `ou=audit,${consoleDn()}`;

async function ensureContainer(): Promise<void> {
  const chain: [string, string][] = [
    [servicesDn(), 'services'],
    [consoleDn(), 'backup-console'],
    [auditDn(), 'audit'],
  ];
  await withDirectory('Creating the audit trail container', async (client) => {
    for (const [dn, ou] of chain) {
      try {
        await client.add(dn, { objectClass: ['top', 'organizationalUnit'], ou });
      } catch (error) {
        // Another console instance may create it at the same moment; either way it is there.
        if (!(error instanceof AlreadyExistsError)) throw error;
      }
    }
  });
}

export async function addAuditEntry(id: string, json: string, seeAlso: string[]): Promise<void> {
  const dn = `${rdn('ou', id)},${auditDn()}`;
  const attributes = { objectClass: ['top', 'organizationalUnit'], ou: id, description: json, ...(seeAlso.length > 0 ? { seeAlso } : {}) };
  const add = () => withDirectory('Writing the audit record', (client) => client.add(dn, attributes));
  try {
    await add();
  } catch (error) {
    // withDirectory reports the missing container as not-found: create it on first use.
    if (!(isAppError(error) && error.code === 'not-found')) throw error;
    await ensureContainer();
    await add();
  }
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
