import { DEMO } from '../scripts/directory/demo-directory';
import { demoNode } from './demo-node';
import { expect, screenshot, test } from './fixtures';
import { NodesPage } from './pages/nodes-page';

test('the nodes page shows both demo nodes reachable, with the address used and disk usage', async ({ page }) => {
  const { host, port, tree } = demoNode();
  const nodes = new NodesPage(page);
  await nodes.open();
  await expect(page.getByRole('heading', { name: 'Nodes', level: 1 })).toBeVisible();
  for (const { fqdn } of DEMO.nodes) {
    await expect(nodes.card(fqdn).getByText('Reachable', { exact: true })).toBeVisible();
    await expect(nodes.node(fqdn).getByTestId('node-address')).toHaveText(`${host}:${port} (from NODE_ADDRESSES)`);
    await expect(nodes.node(fqdn).getByTestId('node-commands')).toContainText('through the command runner');
    const usage = nodes.diskUsage(fqdn);
    await expect(usage.locator('tbody tr')).toHaveCount(2);
    await expect(usage.locator('tbody tr').nth(0)).toContainText('backup root');
    await expect(usage.locator('tbody tr').nth(0)).toContainText(tree.backupRoot);
    await expect(usage.locator('tbody tr').nth(1)).toContainText('retain directory');
    await expect(usage.locator('tbody tr').nth(1)).toContainText(tree.retainRoot);
    await expect(usage.getByRole('meter', { name: 'Used' })).toHaveCount(2);
    await expect(usage).toContainText(/\d+(\.\d)? (GiB|TiB)/);
  }
  await expect(page.getByTestId('node-error')).toHaveCount(0);
  // Who executes restores: set by NODE_DAEMON for node-01, found out over SSH on node-02.
  const [one, two] = DEMO.nodes.map((n) => nodes.node(n.fqdn).getByTestId('node-daemon'));
  await expect(one).toHaveAttribute('data-source', 'NODE_DAEMON');
  await expect(one).toHaveAttribute('data-runs', 'false');
  await expect(one).toContainText('Does not run — this console executes restores on this node over SSH. (set by NODE_DAEMON)');
  await expect(two).toHaveAttribute('data-source', 'detected');
  await expect(two).toContainText('(found out over SSH)');
  await expect(two.getByTestId('node-daemon-summary')).toContainText(`node-02.stoney-cloud.org`);
  await screenshot(page, 'nodes');
});

test('the route the nodes page polls answers with the same checks, and only to a signed-in administrator', async ({ page, browser }) => {
  const response = await page.request.get('/api/nodes');
  expect(response.ok()).toBe(true);
  const body = (await response.json()) as { nodes: { configured: boolean; nodes: { name: string; reachable: boolean; disks: { ok: boolean }[] }[] } };
  expect(body.nodes.configured).toBe(true);
  expect(body.nodes.nodes.map((n) => [n.name, n.reachable, n.disks.map((d) => d.ok)])).toEqual(DEMO.nodes.map((n) => [n.fqdn, true, [true, true]]));
  const anonymous = await browser.newContext({ storageState: { cookies: [], origins: [] }, baseURL: test.info().project.use.baseURL });
  expect((await anonymous.request.get('/api/nodes')).status()).toBe(401);
  await anonymous.close();
});
