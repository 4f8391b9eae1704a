import { afterAll, inject } from 'vitest';
import { DEMO } from '../../scripts/directory/demo-directory';
import { directoryEnv } from '../../scripts/directory/slapd';
import type { DirectoryInfo } from './global-setup';
import { closeDirectory } from '@/lib/ldap/client';
import { closeNodeConnections } from '@/lib/ssh/pool';

/** The secret the test consoles sign their session cookies with. */
export const TEST_SESSION_SECRET = 'integration-test-secret-integration-test-secret';

/** What every test console is told: its directory (bound as the root), the session secret and the demo's time zone. */
export function testConsoleEnv(dir: DirectoryInfo): Record<string, string> {
  return {
    ...directoryEnv(dir),
    SESSION_SECRET: TEST_SESSION_SECRET,
    CONSOLE_TIME_ZONE: 'Europe/Zurich',
    NODE_TIME_ZONE: 'Europe/Zurich',
  };
}

/**
 * Points lib/env at the demo directory unless a test file chose another one first
 * (see `withDirectory`). The console reads its configuration lazily, so this runs in time.
 */
export function withDirectory(which: 'demoDirectory' | 'otherDirectory' | 'stoneyDirectory', extra: Record<string, string> = {}) {
  Object.assign(process.env, {
    ...testConsoleEnv(inject(which)),
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
