import { buildDemoDirectory, DEMO, type DemoKind } from './directory/demo-directory';
import { startSlapd } from './directory/slapd';
import { startDemoNode } from './node/demo-node';
import { startConsole } from './console-server';

/**
 * `npm run demo`: a private slapd with the demo directory on a loopback port, a test node (a
 * real sshd on a loopback port with the demo's disk images and backups, and a virsh stand-in)
 * that both demo nodes resolve to, and the console on http://localhost:3000 (PORT to change
 * it), until Ctrl-C.
 */
/** DEMO_KIND: which kind of installation the demo shows (README, "Two kinds of installation"). */
function demoKind(): DemoKind {
  const kind = process.env.DEMO_KIND ?? 'foss-cloud';
  if (kind !== 'foss-cloud' && kind !== 'stoney-cloud') throw new Error(`DEMO_KIND must be foss-cloud or stoney-cloud, not ${JSON.stringify(kind)}`);
  return kind;
}

async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const now = new Date();
  const kind = demoKind();
  const node = await startDemoNode(now, {}, {}, kind);
  console.log(`Demo node: sshd on ${node.node.host}:${node.node.port} for both demo nodes; files in ${node.node.root}`);
  const demo = buildDemoDirectory(now, node.paths, { kind });
  console.log(`Demo kind: ${kind} (DEMO_KIND); the console detects it unless INSTALLATION_KIND says otherwise`);
  const slapd = await startSlapd({
    baseDn: demo.baseDn,
    rootDn: DEMO.rootDn,
    rootPassword: DEMO.rootPassword,
    ldif: [demo.ldif],
    port: process.env.DEMO_LDAP_PORT ? Number(process.env.DEMO_LDAP_PORT) : undefined,
  });
  console.log(`Demo directory: ${slapd.url} (base ${demo.baseDn}, bind ${DEMO.rootDn} / ${DEMO.rootPassword})`);
  const app = await startConsole({
    port,
    env: {
      LDAP_URL: slapd.url,
      LDAP_BASE_DN: demo.baseDn,
      LDAP_BIND_DN: DEMO.rootDn,
      LDAP_BIND_PASSWORD: DEMO.rootPassword,
      CONSOLE_ADMIN_GROUP: DEMO.adminGroupUid,
      ...DEMO.grants,
      SESSION_SECRET: process.env.SESSION_SECRET ?? 'demo-only-session-secret-change-me-0123456789',
      NODE_TIME_ZONE: process.env.NODE_TIME_ZONE ?? 'Europe/Zurich',
      ...(process.env.INSTALLATION_KIND ? { INSTALLATION_KIND: process.env.INSTALLATION_KIND } : {}),
      ...node.env,
    },
  });
  console.log('');
  console.log(`The backup console is running on http://localhost:${port}`);
  console.log(`  Sign in as "${DEMO.logins.admin.login}" with password "${DEMO.logins.admin.password}"`);
  console.log(`  (also: "${DEMO.logins.operator.login}" / "${DEMO.logins.operator.password}" via the administrators group;`);
  console.log(`   "${DEMO.logins.viewer.login}", "${DEMO.logins.configurer.login}" and "${DEMO.logins.restorer.login}" (password <name>-demo) may only view, configure or restore;`);
  console.log(`   "${DEMO.logins.production.login}" / "${DEMO.logins.production.password}" configures and restores the Production servers pool only;`);
  console.log(`   "${DEMO.logins.user.login}" / "${DEMO.logins.user.password}" is refused: no right in the console)`);
  console.log('Press Ctrl-C to stop.');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    await slapd.stop();
    await node.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  app.process.on('exit', (code) => {
    if (!stopping) {
      console.error(`The console stopped unexpectedly (exit ${code}).`);
      void Promise.all([slapd.stop(), node.stop()]).then(() => process.exit(1));
    }
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
