import { DEMO } from '../scripts/directory/demo-directory';
import { demoNode } from './demo-node';
import { expect, screenshot, test } from './fixtures';

test('pool → machine → iteration', async ({ page }) => {
  const web = DEMO.machines.find((m) => m.name === 'web-01');
  const production = DEMO.pools.find((p) => p.uuid === web?.poolUuid);
  if (!web || !production) throw new Error('demo data changed');

  await page.goto('/pools');
  await expect(page.getByRole('table', { name: 'VM pools' }).getByRole('row')).toHaveCount(DEMO.pools.length + 1);
  await screenshot(page, 'pools');

  await page.getByRole('link', { name: production.name }).click();
  await expect(page.getByRole('heading', { name: production.name })).toBeVisible();
  await expect(page.getByTestId('config-level')).toHaveText('The cloud-wide configuration applies');
  await screenshot(page, 'pool');

  await page.getByRole('table', { name: 'Machines' }).getByRole('link', { name: 'web-01', exact: true }).click();
  await expect(page.getByRole('heading', { name: /web-01/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Disks' }).getByRole('row')).toHaveCount(3);
  await expect(page.getByTestId('plan-text')).toContainText('03:00');
  const iterations = page.getByRole('table', { name: 'Backup iterations' });
  await expect(iterations.locator('tbody tr')).toHaveCount(3);
  await screenshot(page, 'machine');

  // The first cell's link; the last cell has the row's restore link.
  const newest = iterations.locator('tbody tr').first().locator('td').first().getByRole('link');
  const name = (await newest.textContent()) ?? '';
  await newest.click();
  await expect(page.getByRole('heading', { name: `Iteration ${name}` })).toBeVisible();
  await expect(page.getByTestId('iteration-folder')).toContainText(`${demoNode().tree.backupRoot}/vm-persistent/`);
  await expect(page.getByTestId('iteration-folder')).toContainText(`${web.uuid}/${name}`);
  await expect(page.getByRole('table', { name: 'Expected files' })).toContainText(`${web.uuid}.ldif.${name}`);
  await screenshot(page, 'iteration');
});

test('a machine with its own configuration and one excluded say so', async ({ page }) => {
  const db = DEMO.machines.find((m) => m.name === 'db-01');
  const legacy = DEMO.machines.find((m) => m.status === 'excluded');
  await page.goto(`/machines/${db?.uuid}`);
  await expect(page.getByTestId('config-level')).toHaveText("The machine's own configuration applies");
  await page.goto(`/machines/${legacy?.uuid}`);
  await expect(page.getByRole('heading', { name: legacy?.name })).toBeVisible();
  await expect(page.getByTestId('excluded')).toContainText('yes');
});

test('an unknown machine shows a not-found page, not an error', async ({ page }) => {
  const response = await page.goto('/machines/00000000-0000-4000-8000-000000000000');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
});
