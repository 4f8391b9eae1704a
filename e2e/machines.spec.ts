import { DEMO } from '../scripts/directory/demo-directory';
import { expect, test } from './fixtures';

test('search by name and by UUID', async ({ machinesPage: machines }) => {
  await machines.open();
  await expect(machines.machineNames()).toHaveCount(DEMO.machines.length);
  await machines.screenshot('machines');
  await machines.search('tpl-');
  await expect(machines.machineNames()).toHaveText(['tpl-debian-12', 'tpl-windows-2022']);
  const db = DEMO.machines.find((m) => m.name === 'db-01');
  await machines.search(db?.uuid.slice(0, 18) ?? '');
  await expect(machines.machineNames()).toHaveText(['db-01']);
});

test('filter by pool, node and status, and sort', async ({ machinesPage: machines }) => {
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

test('a failed iteration shows its reason in words', async ({ machinePage, iterationPage }) => {
  const mail = DEMO.machines.find((m) => m.name === 'mail-01');
  await machinePage.open(mail?.uuid ?? '');
  await expect(machinePage.statusActivity()).toContainText('The backup');
  await expect(machinePage.statusActivity()).toContainText('failed in merge (mode merging) with code 11');
  await expect(machinePage.statusNext()).toContainText("node daemon's log");
  await expect(machinePage.statusReason()).toContainText('older than the recovery point objective');
  const failedRow = machinePage.iterationRows().first();
  await expect(failedRow).toContainText('11 CANNOT_MERGE_DISK_IMAGES');
  await machinePage.iterationLink(failedRow).click();
  await expect(iterationPage.returnText()).toContainText('CANNOT_MERGE_DISK_IMAGES');
  // A failed step is over: said in the past, with what an administrator does next.
  await expect(iterationPage.modeMeaning()).toContainText('The merge failed (mode merging, code 11 CANNOT_MERGE_DISK_IMAGES)');
  await expect(iterationPage.nextActor()).toContainText("Read the node daemon's log");
  await iterationPage.screenshot('failed-iteration');
});

test('a running backup refreshes itself', async ({ machinePage }) => {
  const app = DEMO.machines.find((m) => m.name === 'app-01');
  await machinePage.open(app?.uuid ?? '');
  await expect(machinePage.liveRefresh()).toBeVisible();
  const refreshed = machinePage.page.waitForResponse((r) => r.url().includes(`/api/machines/${app?.uuid}/iterations`) && r.ok(), {
    timeout: 10_000,
  });
  expect((await refreshed).ok()).toBe(true);
});
