import { DEMO } from '../scripts/directory/demo-directory';
import { expect, screenshot, test } from './fixtures';
import { MachinesPage } from './pages/machines-page';

test('search by name and by UUID', async ({ page }) => {
  const machines = new MachinesPage(page);
  await machines.open();
  await expect(machines.machineNames()).toHaveCount(DEMO.machines.length);
  await screenshot(page, 'machines');
  await machines.search('tpl-');
  await expect(machines.machineNames()).toHaveText(['tpl-debian-12', 'tpl-windows-2022']);
  const db = DEMO.machines.find((m) => m.name === 'db-01');
  await machines.search(db?.uuid.slice(0, 18) ?? '');
  await expect(machines.machineNames()).toHaveText(['db-01']);
});

test('filter by pool, node and status, and sort', async ({ page }) => {
  const machines = new MachinesPage(page);
  await machines.open();
  const templates = DEMO.pools.find((p) => p.type === 'template');
  await machines.filter('Pool', templates?.name ?? '');
  await expect(machines.machineNames()).toHaveCount(DEMO.machines.filter((m) => m.poolUuid === templates?.uuid).length);
  await machines.open('?status=never');
  await expect(machines.machineNames()).toHaveText(DEMO.machines.filter((m) => m.status === 'never').map((m) => m.name));
  await machines.open();
  await machines.filter('Node', 'node-02.stoney-cloud.org');
  await expect(machines.machineNames()).toHaveCount(DEMO.machines.filter((m) => m.node === 'node-02.stoney-cloud.org').length);
  await machines.open('?sort=name&dir=desc');
  const names = await machines.machineNames().allTextContents();
  expect(names).toEqual([...names].sort((a, b) => b.localeCompare(a, undefined, { sensitivity: 'base', numeric: true })));
});

test('a failed iteration shows its reason in words', async ({ page }) => {
  const mail = DEMO.machines.find((m) => m.name === 'mail-01');
  await page.goto(`/machines/${mail?.uuid}`);
  await expect(page.getByTestId('status-activity')).toContainText('The backup');
  await expect(page.getByTestId('status-activity')).toContainText('failed in merge (mode merging) with code 11');
  await expect(page.getByTestId('status-next')).toContainText("node daemon's log");
  await expect(page.getByTestId('status-reason')).toContainText('older than the recovery point objective');
  const failedRow = page.getByRole('table', { name: 'Backup iterations' }).locator('tbody tr').first();
  await expect(failedRow).toContainText('11 CANNOT_MERGE_DISK_IMAGES');
  await failedRow.getByRole('link').click();
  await expect(page.getByTestId('return-text')).toContainText('CANNOT_MERGE_DISK_IMAGES');
  // A failed step is over: said in the past, with what an administrator does next.
  await expect(page.getByTestId('mode-meaning')).toContainText('The merge failed (mode merging, code 11 CANNOT_MERGE_DISK_IMAGES)');
  await expect(page.getByTestId('next-actor')).toContainText("Read the node daemon's log");
  await screenshot(page, 'failed-iteration');
});

test('a running backup refreshes itself', async ({ page }) => {
  const app = DEMO.machines.find((m) => m.name === 'app-01');
  await page.goto(`/machines/${app?.uuid}`);
  await expect(page.getByTestId('live-refresh')).toBeVisible();
  const refreshed = page.waitForResponse((r) => r.url().includes(`/api/machines/${app?.uuid}/iterations`) && r.ok(), { timeout: 10_000 });
  expect((await refreshed).ok()).toBe(true);
});
