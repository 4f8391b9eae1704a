/**
 * parseDn from lib/ldap/dn.ts with a fast path. parseDn unescapes byte by byte through Buffer,
 * which dominated the comparison's run time; a DN without a backslash has nothing to unescape,
 * and for it this gives exactly parseDn's result.
 */
import { parseDn, type Rdn } from '../ldap/dn';

export type { Rdn };

export function rdnsOf(dn: string): Rdn[] {
  if (dn.includes('\\')) return parseDn(dn);
  if (dn === '') return [];
  return dn.split(',').map((part) => {
    const first = part.split('+')[0];
    const eqAt = first.indexOf('=');
    return { attribute: first.slice(0, eqAt).trim(), value: first.slice(eqAt + 1).trim() };
  });
}
