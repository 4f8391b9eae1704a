import { DEMO } from '../scripts/directory/demo-directory';
import { demoNode } from './demo-node';
import { expect, test } from './fixtures';

test('pool → machine → iteration', async ({ poolsPage, machinePage, iterationPage }) => {
  const web = DEMO.machines.find((m) => m.name === 'web-01');
  const production = DEMO.pools.find((p) => p.uuid === web?.poolUuid);
  if (!web || !production) throw new Error('demo data changed');

  await poolsPage.open();
  await expect(poolsPage.table().getByRole('row')).toHaveCount(DEMO.pools.length + 1);
  await poolsPage.screenshot('pools');

  await poolsPage.openPool(production.name);
  await expect(poolsPage.heading(production.name)).toBeVisible();
  await expect(poolsPage.configLevel()).toHaveText('The cloud-wide configuration applies');
  await poolsPage.screenshot('pool');

  await poolsPage.openMachine('web-01');
  await expect(machinePage.heading(/web-01/)).toBeVisible();
  await expect(machinePage.disks()).toHaveCount(3);
  await expect(machinePage.planText()).toContainText('03:00');
  await expect(machinePage.iterationRows()).toHaveCount(3);
  await machinePage.screenshot('machine');

  const newest = machinePage.iterationLink(machinePage.iterationRows().first());
  const name = (await newest.textContent()) ?? '';
  await newest.click();
  await expect(iterationPage.heading(`Iteration ${name}`)).toBeVisible();
  await expect(iterationPage.folder()).toContainText(`${demoNode().tree.backupRoot}/vm-persistent/`);
  await expect(iterationPage.folder()).toContainText(`${web.uuid}/${name}`);
  await expect(iterationPage.files()).toContainText(`${web.uuid}.ldif.${name}`);
  await iterationPage.screenshot('iteration');
});

test('a machine with its own configuration and one excluded say so', async ({ machinePage }) => {
  const db = DEMO.machines.find((m) => m.name === 'db-01');
  const legacy = DEMO.machines.find((m) => m.status === 'excluded');
  await machinePage.open(db?.uuid ?? '');
  await expect(machinePage.configLevel()).toHaveText("The machine's own configuration applies");
  await machinePage.open(legacy?.uuid ?? '');
  await expect(machinePage.heading(legacy?.name ?? '')).toBeVisible();
  await expect(machinePage.excluded()).toContainText('yes');
});

test('an unknown machine shows a not-found page, not an error', async ({ machinePage }) => {
  const response = await machinePage.visit('/machines/00000000-0000-4000-8000-000000000000');
  expect(response?.status()).toBe(404);
  await expect(machinePage.notFound()).toBeVisible();
});

test('the console has its icon', async ({ request }) => {
  const icon = await request.get('/favicon.ico');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);
});
