import 'server-only';
import { requireAdmin } from '@/lib/auth/session';
import { readInstallation, type InstallationView } from '@/lib/backup/installation-reader';

/** The kind of installation, for the Configuration page. */
export async function loadInstallation(): Promise<InstallationView> {
  await requireAdmin();
  return readInstallation();
}
