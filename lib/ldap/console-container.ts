import 'server-only';
import { AlreadyExistsError } from 'ldapts';
import { isAppError } from '@/lib/errors';
import { baseDn } from './layout';
import { withDirectory } from './client';

/**
 * The console's own records live in `ou=backup-console,ou=services,<base>`, outside every
 * subtree the broker, the node daemon or the stoney wrappers read (audit trail, restore
 * journals). Plain organizationalUnits only: the installation's schema is not changed.
 */
const servicesDn = () => `ou=services,${baseDn()}`;
export const consoleDn = () => `ou=backup-console,${servicesDn()}`;

/** `ou=<ou>,ou=backup-console,ou=services,<base>`. */
export const consoleContainerDn = (ou: string) => `ou=${ou},${consoleDn()}`;

/** Creates the container and the entries above it that are missing; another instance creating them at the same moment is fine. */
export async function ensureConsoleContainer(ou: string): Promise<void> {
  const chain: [string, string][] = [
    [servicesDn(), 'services'],
    [consoleDn(), 'backup-console'],
    [consoleContainerDn(ou), ou],
  ];
  await withDirectory(`Creating the console's ${ou} container`, async (client) => {
    for (const [dn, name] of chain) {
      try {
        await client.add(dn, { objectClass: ['top', 'organizationalUnit'], ou: name });
      } catch (error) {
        if (!(error instanceof AlreadyExistsError)) throw error;
      }
    }
  });
}

/**
 * Adds an entry below a console container, creating the container on first use (withDirectory
 * reports the missing parent as not-found).
 */
export async function addInConsoleContainer(ou: string, add: () => Promise<void>): Promise<void> {
  try {
    await add();
  } catch (error) {
    if (!(isAppError(error) && error.code === 'not-found')) throw error;
    await ensureConsoleContainer(ou);
    await add();
  }
}
