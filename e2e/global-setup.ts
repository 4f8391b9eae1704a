import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium, type FullConfig } from '@playwright/test';
import { buildDemoDirectory, DEMO } from '../scripts/directory/demo-directory';
import { startSlapd } from '../scripts/directory/slapd';
import { startDemoNode } from '../scripts/node/demo-node';
import { startConsole } from '../scripts/console-server';
import { E2E_PORT, E2E_STONEY_PORT } from '../playwright.config';

/**
 * A real slapd with the demo directory, the demo node (a real sshd with the demo's files, see
 * scripts/node/demo-node.ts) and the production build of the console, started once; the
 * administrator logs in once and every test reuses that session. What the node holds is
 * written to test-results/e2e-state/node.json for the specs.
 */
export default async function globalSetup(config: FullConfig) {
  const now = new Date();
  const node = await startDemoNode(now);
  const demo = buildDemoDirectory(now, node.paths);
  const slapd = await startSlapd({ baseDn: demo.baseDn, rootDn: DEMO.rootDn, rootPassword: DEMO.rootPassword, ldif: [demo.ldif] });
  const consoleEnv = (directory: { url: string; baseDn: string }, nodeEnv: Record<string, string>) => ({
    LDAP_URL: directory.url,
    LDAP_BASE_DN: directory.baseDn,
    LDAP_BIND_DN: DEMO.rootDn,
    LDAP_BIND_PASSWORD: DEMO.rootPassword,
    CONSOLE_ADMIN_GROUP: DEMO.adminGroupUid,
    ...DEMO.grants,
    SESSION_SECRET: 'e2e-session-secret-e2e-session-secret-0123',
    CONSOLE_TIME_ZONE: 'Europe/Zurich',
    NODE_TIME_ZONE: 'Europe/Zurich',
    ...nodeEnv,
  });
  const consoleServer = await startConsole({
    port: E2E_PORT,
    quiet: !process.env.E2E_VERBOSE,
    env: {
      ...consoleEnv({ url: slapd.url, baseDn: demo.baseDn }, node.env),
      // node-01: the console executes, whatever runs there (restore.spec.ts); node-02: found out
      // over SSH (restore-daemon.spec.ts starts the node daemon stand-in there). No broker runs.
      NODE_DAEMON: 'node-01.stoney-cloud.org=absent',
      RESTORE_BROKER_WAIT_SECONDS: '0',
    },
  });
  // The same demo as a stoney cloud installation, on a console of its own (see e2e/stoney.spec.ts).
  const stoneyNode = await startDemoNode(now, {}, { imageBytes: 256 * 1024 }, 'stoney-cloud');
  const stoney = buildDemoDirectory(now, stoneyNode.paths, { kind: 'stoney-cloud' });
  const stoneySlapd = await startSlapd({ baseDn: stoney.baseDn, rootDn: DEMO.rootDn, rootPassword: DEMO.rootPassword, ldif: [stoney.ldif] });
  const stoneyConsole = await startConsole({
    port: E2E_STONEY_PORT,
    quiet: !process.env.E2E_VERBOSE,
    env: {
      ...consoleEnv({ url: stoneySlapd.url, baseDn: stoney.baseDn }, stoneyNode.env),
      // No node daemon runs on a stoney cloud node; a stand-in of another run on this machine would otherwise be found on the shared /proc.
      NODE_DAEMON: '*=absent',
    },
  });
  const project = config.projects[0];
  const baseURL = project.use.baseURL ?? consoleServer.url;
  const browser = await chromium.launch(project.use.launchOptions);
  mkdirSync('test-results/e2e-state', { recursive: true });
  // Sessions live in each console's directory, so each console gets a sign-in (and a browser state) of its own.
  for (const [url, state] of [[baseURL, 'admin.json'], [stoneyConsole.url, 'stoney-admin.json']] as const) {
    const page = await browser.newPage({ baseURL: url });
    await page.goto('/login');
    await page.getByLabel('Login name').fill(DEMO.logins.admin.login);
    await page.getByLabel('Password').fill(DEMO.logins.admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await page.context().storageState({ path: `test-results/e2e-state/${state}` });
    await page.context().close();
  }
  await browser.close();
  writeFileSync('test-results/e2e-state/directory.json', JSON.stringify({ url: slapd.url, baseDn: demo.baseDn }));
  writeFileSync(
    'test-results/e2e-state/node.json',
    JSON.stringify({ host: node.node.host, port: node.node.port, tree: node.tree, dir: node.node.dir, virshStateDir: node.node.virshStateDir }),
  );
  writeFileSync(
    'test-results/e2e-state/stoney.json',
    JSON.stringify({ url: stoneyConsole.url, directory: { url: stoneySlapd.url, baseDn: stoney.baseDn }, tree: stoneyNode.tree, virshStateDir: stoneyNode.node.virshStateDir }),
  );
  return async () => {
    await Promise.all([consoleServer.stop(), stoneyConsole.stop()]);
    await Promise.all([slapd.stop(), stoneySlapd.stop()]);
    await Promise.all([node.stop(), stoneyNode.stop()]);
  };
}
