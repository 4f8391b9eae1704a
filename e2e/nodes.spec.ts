import { DEMO } from '../scripts/directory/demo-directory';
import { demoNode } from './demo-node';
import { expect, test } from './fixtures';

test('the nodes page shows both demo nodes reachable, with the address used and disk usage', async ({ nodesPage: nodes }) => {
  const { host, port, tree } = demoNode();
  await nodes.open();
  await expect(nodes.title('Nodes')).toBeVisible();
  for (const { fqdn } of DEMO.nodes) {
    await expect(nodes.reachable(fqdn)).toBeVisible();
    await expect(nodes.address(fqdn)).toHaveText(`${host}:${port} (from NODE_ADDRESSES)`);
    await expect(nodes.commands(fqdn)).toContainText('through the command runner');
    const usage = nodes.diskUsageRows(fqdn);
    await expect(usage).toHaveCount(2);
    await expect(usage.nth(0)).toContainText('backup root');
    await expect(usage.nth(0)).toContainText(tree.backupRoot);
    await expect(usage.nth(1)).toContainText('retain directory');
    await expect(usage.nth(1)).toContainText(tree.retainRoot);
    await expect(nodes.usedMeters(fqdn)).toHaveCount(2);
    await expect(nodes.diskUsage(fqdn)).toContainText(/\d+(\.\d)? (GiB|TiB)/);
  }
  await expect(nodes.errors()).toHaveCount(0);
  // Who executes restores: set by NODE_DAEMON for node-01, found out over SSH on node-02.
  const [one, two] = DEMO.nodes.map((n) => n.fqdn);
  await expect(nodes.daemon(one)).toHaveAttribute('data-source', 'NODE_DAEMON');
  await expect(nodes.daemon(one)).toHaveAttribute('data-runs', 'false');
  await expect(nodes.daemon(one)).toContainText(
    'Does not run — this console executes restores on this node over SSH. (set by NODE_DAEMON)',
  );
  await expect(nodes.daemon(two)).toHaveAttribute('data-source', 'detected');
  await expect(nodes.daemon(two)).toContainText('(found out over SSH)');
  await expect(nodes.daemonSummary(two)).toContainText(`node-02.stoney-cloud.org`);
  await nodes.screenshot('nodes');
});

test('the route the nodes page polls answers with the same checks, and only to a signed-in administrator', async ({ page, browser }) => {
  const response = await page.request.get('/api/nodes');
  expect(response.ok()).toBe(true);
  const body = (await response.json()) as {
    nodes: { configured: boolean; nodes: { name: string; reachable: boolean; disks: { ok: boolean }[] }[] };
  };
  expect(body.nodes.configured).toBe(true);
  expect(body.nodes.nodes.map((n) => [n.name, n.reachable, n.disks.map((d) => d.ok)])).toEqual(
    DEMO.nodes.map((n) => [n.fqdn, true, [true, true]]),
  );
  const anonymous = await browser.newContext({ storageState: { cookies: [], origins: [] }, baseURL: test.info().project.use.baseURL });
  expect((await anonymous.request.get('/api/nodes')).status()).toBe(401);
  await anonymous.close();
});
