import { DEMO } from '../scripts/directory/demo-directory';
import { expect, screenshot, test } from './fixtures';

const statuses = ['protected', 'running', 'failed', 'stale', 'never', 'excluded'] as const;

test('the overview counts match the demo directory', async ({ page }) => {
  await page.goto('/');
  for (const status of statuses) {
    const expected = DEMO.machines.filter((m) => m.status === status).length;
    await expect(page.getByTestId(`count-${status}`).locator('div').first(), status).toHaveText(String(expected));
  }
  const attention = page.getByRole('table', { name: 'Machines needing attention' });
  for (const m of DEMO.machines.filter((x) => ['failed', 'stale', 'never'].includes(x.status))) {
    await expect(attention.getByRole('link', { name: m.name, exact: true })).toBeVisible();
  }
  await expect(attention.getByRole('link', { name: 'web-01', exact: true })).toHaveCount(0);
  await screenshot(page, 'overview');
});

test('a status count leads to the filtered machine list', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('count-failed').click();
  await expect(page).toHaveURL(/status=failed/);
  const names = page.getByRole('table', { name: 'Machines' }).locator('tbody tr td:first-child a');
  await expect(names).toHaveText(DEMO.machines.filter((m) => m.status === 'failed').map((m) => m.name));
});
