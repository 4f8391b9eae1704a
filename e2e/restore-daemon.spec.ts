import { readFileSync } from 'node:fs';
import { DEMO } from '../scripts/directory/demo-directory';
import { startNodeDaemon, type RunningNodeDaemon } from '../tests/fixtures/daemons/node-daemon';
import { demoNode, liveDomain, sha256 } from './demo-node';
import { iterationsOf, machineSubtree } from './directory';
import { expect, test } from './fixtures';

/**
 * Issue #10, end to end: a restore the node daemon executes. The node daemon stand-in runs on
 * the test node for node-02 (the e2e console finds out over SSH who executes there; node-01 is
 * console-driven by NODE_DAEMON) only while this spec runs, and restores tpl-windows-2022,
 * which no other spec restores: afterwards it runs (it was shut off) from the same images.
 */
const NODE_2 = 'node-02.stoney-cloud.org';
let daemon: RunningNodeDaemon | null = null;

test.beforeAll(async () => {
  const { dir, virshStateDir, tree } = demoNode();
  const { url, baseDn } = JSON.parse(readFileSync('test-results/e2e-state/directory.json', 'utf8')) as { url: string; baseDn: string };
  daemon = await startNodeDaemon({
    nodeDir: dir,
    virshStateDir,
    environment: NODE_2,
    ldap: { url, bindDn: DEMO.rootDn, password: DEMO.rootPassword, baseDn },
    virtualizationRoot: tree.virtualizationRoot,
  });
});

test.afterAll(async () => {
  await daemon?.stop();
});

test('the Nodes page shows the node daemon found on node-02, and how', async ({ nodesPage: nodes }) => {
  await nodes.open();
  const found = nodes.daemon(NODE_2);
  await expect(found).toHaveAttribute('data-runs', 'true');
  await expect(found).toContainText(
    'Runs — restores on this node are executed by the node daemon; the console asks it for each step. (found out over SSH)',
  );
  await expect(nodes.daemonSummary(NODE_2)).toContainText(`process ${daemon?.pid}`);
  await nodes.showDaemonFindings(NODE_2);
  await expect(found).toContainText('SERVICE Backup, TYPE KVM, ENVIRONMENT node-02.stoney-cloud.org');
  await nodes.screenshot('nodes-daemon');
});

test('a restore of tpl-windows-2022 through the node daemon: the wizard says who executes, and the machine comes back from the backup', async ({
  restoreWizard: wizard,
}) => {
  test.setTimeout(180_000);
  const machine = demoNode().tree.machines.find((m) => m.name === 'tpl-windows-2022');
  if (!machine) throw new Error('the demo node has no tpl-windows-2022');
  const newest = machine.iterations.filter((i) => i.folder !== null).sort((a, b) => b.name.localeCompare(a.name))[0];
  const before = await machineSubtree(machine.uuid);

  await wizard.open(machine.uuid, newest.name);
  const executor = wizard.preflightExecutor();
  await expect(executor).toHaveAttribute('data-executor', 'daemon');
  await expect(executor).toContainText(`The node daemon runs on ${NODE_2}: process ${daemon?.pid}`);
  await expect(wizard.checks()).toHaveCount(8);
  await expect(wizard.passedChecks()).toHaveCount(8);
  await expect(wizard.check('Every path stays in its folder on the node')).toBeVisible();
  await expect(wizard.check('The node daemon reads the backup root as configured')).toBeVisible();
  await wizard.screenshot('restore-daemon-preflight');

  await wizard.start();
  await expect(wizard.stage('deciding')).toBeVisible({ timeout: 60_000 });
  await expect(wizard.executor()).toHaveAttribute('data-executor', 'daemon');
  await expect(wizard.executor()).toContainText(`The node daemon on ${NODE_2} executes the node steps`);
  await wizard.keepLiveForAll();
  await wizard.reviewPlan();
  await expect(wizard.stage('confirming')).toBeVisible();
  await wizard.confirm('tpl-windows-2022');
  await expect(wizard.stage('finished')).toBeVisible({ timeout: 120_000 });
  await expect(wizard.finished()).toContainText(`by the node daemon on ${NODE_2}`);
  await expect(wizard.steps(2, 'done')).toHaveCount(7);
  await expect(wizard.journal()).toContainText('The node daemon answered restored.');
  await wizard.screenshot('restore-daemon-finished');

  // The daemon executed each command once; the machine runs from the backup's images; every iteration is kept.
  const dn = Object.keys(iterationsOf(before)).find((d) => d.startsWith(`ou=${newest.name.toLowerCase()},`)) ?? '';
  await expect
    .poll(() =>
      daemon
        ?.logFor(dn)
        .filter((l) => l.event === 'executed')
        .map((l) => [l.command, l.returnValue]),
    )
    .toEqual([
      ['unretainSmallFiles', 0],
      ['unretainLargeFiles', 0],
      ['restore', 0],
    ]);
  expect(liveDomain(machine.uuid)).toMatchObject({ state: 'running', persistent: true });
  for (const image of machine.liveImages) {
    expect(sha256(image.path)).toBe(sha256(newest.files.find((f) => f.kind === 'disk' && f.disk === image.disk)?.path ?? ''));
  }
  const after = iterationsOf(await machineSubtree(machine.uuid));
  expect(Object.keys(after).sort()).toEqual(Object.keys(iterationsOf(before)).sort());
  expect(Object.entries(after).find(([d]) => d === dn)?.[1]).toMatchObject({ mode: 'finished', returnValue: '0' });
});
