import 'server-only';
import { AlreadyExistsError } from 'ldapts';
import { isAppError } from '@/lib/errors';
import { rdn } from './escape';
import { baseDn } from './layout';
import { withDirectory } from './client';

/**
 * The console's own records live in `ou=backup-console,ou=services,<base>`, one
 * organizationalUnit per kind of record below it (ou=audit, ou=objectives, …). Only core schema
 * classes are used there, so the sst schema stays untouched and the daemons never look at it.
 */
const servicesDn = () => `ou=services,${baseDn()}`;
export const consoleDn = () => `ou=backup-console,${servicesDn()}`;
/** `ou=<name>,ou=backup-console,ou=services,<base>` */
export const consoleContainerDn = (name: string) => `${rdn('ou', name)},${consoleDn()}`;

/** Creates ou=services, ou=backup-console and ou=<name> where missing. */
export async function ensureConsoleContainer(name: string): Promise<void> {
  const chain: [string, string][] = [
    [servicesDn(), 'services'],
    [consoleDn(), 'backup-console'],
    [consoleContainerDn(name), name],
  ];
  await withDirectory(`Creating the console's ${name} container`, async (client) => {
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

/**
 * Runs a write below ou=<name>; when the container is missing (withDirectory reports that as
 * not-found), creates it on first use and writes once more.
 */
export async function writeBelowConsoleContainer<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(isAppError(error) && error.code === 'not-found')) throw error;
    await ensureConsoleContainer(name);
    return write();
  }
}
