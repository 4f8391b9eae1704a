import 'server-only';
import { AlreadyExistsError } from 'ldapts';
import { isAppError } from '@/lib/errors';
import { withDirectory } from './client';
import { rdn } from './escape';
import { baseDn } from './layout';

/**
 * The console's own records live in the directory, so every console instance sees them and they
 * survive restarts: `ou=<container>,ou=backup-console,ou=services,<base>` (the audit trail, the
 * sessions, the sign-in failures, the restore journals and leases). Only core schema classes are
 * used; the sst schema is not touched, and the broker, the node daemon and the stoney wrappers
 * never look there.
 */
const servicesDn = () => `ou=services,${baseDn()}`;
export const consoleDn = () => `ou=backup-console,${servicesDn()}`;
export const consoleContainerDn = (container: string) => `${rdn('ou', container)},${consoleDn()}`;

export async function ensureConsoleContainer(container: string): Promise<void> {
  const chain: [string, string][] = [
    [servicesDn(), 'services'],
    [consoleDn(), 'backup-console'],
    [consoleContainerDn(container), container],
  ];
  await withDirectory(`Creating the console's ${container} container`, async (client) => {
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
 * Runs a write below a console container, creating the container when the write finds it missing
 * (withDirectory reports that as not-found) and trying once more.
 */
export async function inConsoleContainer<T>(container: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(isAppError(error) && error.code === 'not-found')) throw error;
    await ensureConsoleContainer(container);
    return write();
  }
}
