import { afterAll, inject } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { closeDirectory } from '@/lib/ldap/client';
import { closeNodeConnections } from '@/lib/ssh/pool';

/**
 * Points lib/env at the demo directory unless a test file chose another one first
 * (see `withDirectory`). The console reads its configuration lazily, so this runs in time.
 */
export function withDirectory(which: 'demoDirectory' | 'otherDirectory' | 'stoneyDirectory', extra: Record<string, string> = {}) {
  const dir = inject(which);
  Object.assign(process.env, {
    LDAP_URL: dir.url,
    LDAP_BASE_DN: dir.baseDn,
    LDAP_BIND_DN: dir.rootDn,
    LDAP_BIND_PASSWORD: dir.rootPassword,
    SESSION_SECRET: 'integration-test-secret-integration-test-secret',
    CONSOLE_TIME_ZONE: 'Europe/Zurich',
    NODE_TIME_ZONE: 'Europe/Zurich',
    // The console tells the kind from the directory and the nodes unless a test says otherwise.
    INSTALLATION_KIND: 'detect',
    // The test machine runs several suites at once: a node command that would take 15 s (the
    // default) only under that load is not what these tests are about; timeout tests set their own.
    NODE_SSH_TIMEOUT_MS: '60000',
    // Both demo nodes are the one test node (a real sshd on a loopback port); disk images
    // and backups are in its folder tree.
    ...(which === 'stoneyDirectory' ? inject('stoneyNodeEnv') : inject('nodeEnv')),
    ...extra,
  });
}

withDirectory('demoDirectory', { CONSOLE_ADMIN_GROUP: '4000014', ...DEMO.grants });

afterAll(async () => {
  await closeNodeConnections();
  await closeDirectory();
});
