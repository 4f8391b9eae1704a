import 'server-only';
import { requireAccess } from '@/lib/auth/access';
import { readInstallation, type InstallationView } from '@/lib/backup/installation-reader';

/** The kind of installation, for the Configuration page. */
export async function loadInstallation(): Promise<InstallationView> {
  await requireAccess('view');
  return readInstallation();
}
