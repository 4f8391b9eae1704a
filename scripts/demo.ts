import { buildDemoDirectory, DEMO, type DemoKind } from './directory/demo-directory';
import { startSlapd } from './directory/slapd';
import { startDemoNode } from './node/demo-node';
import { startConsole } from './console-server';
import { startNodeDaemon, type RunningNodeDaemon } from '../tests/fixtures/daemons/node-daemon';
import { startBrokerTransitions, testNodeVirsh, type RunningBrokerTransitions } from '../tests/fixtures/daemons/broker-transitions';

/**
 * `npm run demo`: a private slapd with the demo directory on a loopback port, a test node (a
 * real sshd on a loopback port with the demo's disk images and backups, and a virsh stand-in)
 * that both demo nodes resolve to, and the console on http://localhost:3000 (PORT to change
 * it), until Ctrl-C.
 *
 * DEMO_NODE_DAEMON=<node>[,<node>…] also starts the node daemon stand-in on the test node for
 * those demo nodes (restores of their machines are then daemon-driven), DEMO_BROKER=1 the
 * broker's mode transitions every DEMO_BROKER_PERIOD_SECONDS (default 30), as on FOSS-Cloud.
 * See docs/restore-and-the-daemons.md.
 */
/** DEMO_KIND: which kind of installation the demo shows (docs/installation-kinds.md). */
function demoKind(): DemoKind {
  const kind = process.env.DEMO_KIND ?? 'foss-cloud';
  if (kind !== 'foss-cloud' && kind !== 'stoney-cloud')
    throw new Error(`DEMO_KIND must be foss-cloud or stoney-cloud, not ${JSON.stringify(kind)}`);
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
  const ldap = { url: slapd.url, bindDn: DEMO.rootDn, password: DEMO.rootPassword, baseDn: demo.baseDn };
  const daemons: RunningNodeDaemon[] = [];
  for (const name of (process.env.DEMO_NODE_DAEMON ?? '').split(/[\s,]+/).filter(Boolean)) {
    if (!DEMO.nodes.some((n) => n.fqdn === name))
      throw new Error(`DEMO_NODE_DAEMON names ${name}, which is not a demo node (${DEMO.nodes.map((n) => n.fqdn).join(', ')})`);
    const daemon = await startNodeDaemon({
      nodeDir: node.node.dir,
      virshStateDir: node.node.virshStateDir,
      environment: name,
      ldap,
      virtualizationRoot: node.paths.virtualizationRoot,
    });
    daemons.push(daemon);
    console.log(`Node daemon stand-in for ${name}: process ${daemon.pid}, log ${daemon.logPath}`);
  }
  let broker: RunningBrokerTransitions | null = null;
  if (process.env.DEMO_BROKER === '1') {
    const periodMs = Number(process.env.DEMO_BROKER_PERIOD_SECONDS ?? 30) * 1000;
    broker = await startBrokerTransitions({
      ldap,
      periodMs,
      logPath: `${node.node.dir}/broker-transitions.log`,
      virsh: testNodeVirsh(node.node.dir, node.node.virshStateDir),
    });
    console.log(`Broker transitions (daemons.md fact 2) every ${periodMs / 1000} s, log ${broker.logPath}`);
  }
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
      // The demo knows whether its broker runs: without it nobody else asks for a daemon-driven restore.
      RESTORE_BROKER_WAIT_SECONDS: process.env.RESTORE_BROKER_WAIT_SECONDS ?? (broker ? '60' : '0'),
      NODE_TIME_ZONE: process.env.NODE_TIME_ZONE ?? 'Europe/Zurich',
      ...(process.env.INSTALLATION_KIND ? { INSTALLATION_KIND: process.env.INSTALLATION_KIND } : {}),
      ...node.env,
    },
  });
  console.log('');
  console.log(`The backup console is running on http://localhost:${port}`);
  console.log(`  Sign in as "${DEMO.logins.admin.login}" with password "${DEMO.logins.admin.password}"`);
  console.log(`  (also: "${DEMO.logins.operator.login}" / "${DEMO.logins.operator.password}" via the administrators group;`);
  console.log(
    `   "${DEMO.logins.viewer.login}", "${DEMO.logins.configurer.login}" and "${DEMO.logins.restorer.login}" (password <name>-demo) may only view, configure or restore;`,
  );
  console.log(
    `   "${DEMO.logins.production.login}" / "${DEMO.logins.production.password}" configures and restores the Production servers pool only;`,
  );
  console.log(`   "${DEMO.logins.user.login}" / "${DEMO.logins.user.password}" is refused: no right in the console)`);
  console.log('Press Ctrl-C to stop.');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    await broker?.stop();
    for (const daemon of daemons) await daemon.stop();
    await slapd.stop();
    await node.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  app.process.on('exit', (code) => {
    if (!stopping) {
      console.error(`The console stopped unexpectedly (exit ${code}).`);
      void Promise.all([broker?.stop(), ...daemons.map((d) => d.stop())])
        .then(() => Promise.all([slapd.stop(), node.stop()]))
        .then(() => process.exit(1));
    }
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
