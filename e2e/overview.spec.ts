import { DEMO } from '../scripts/directory/demo-directory';
import { expect, screenshot, test } from './fixtures';

const statuses = ['protected', 'stale', 'never', 'excluded', 'failed', 'stuck', 'running'] as const;
/** A status counts every machine having it on either side: mail-01 is failed and stale. */
const expectedCount = (status: string) => DEMO.machines.filter((m) => m.protection === status || m.activity === status).length;

test('the overview counts match the demo directory', async ({ page }) => {
  await page.goto('/');
  for (const status of statuses) {
    await expect(page.getByTestId(`count-${status}`).locator('div').first(), status).toHaveText(String(expectedCount(status)));
  }
  await expect(page.getByTestId('count-excluded')).toContainText('1 dynamic clone among them');
  const attention = page.getByRole('table', { name: 'Machines needing attention' });
  for (const m of DEMO.machines.filter((x) => ['stale', 'never'].includes(x.protection) || ['failed', 'stuck'].includes(x.activity ?? ''))) {
    await expect(attention.getByRole('link', { name: m.name, exact: true })).toBeVisible();
  }
  await expect(attention.getByRole('link', { name: 'web-01', exact: true })).toHaveCount(0);
  // mail-01: its merge failed, and its last good backup is older than the objective; both are said.
  const mail = attention.locator('tr', { has: page.getByRole('link', { name: 'mail-01', exact: true }) });
  await expect(mail.getByTestId('status-badges')).toContainText('Stale');
  await expect(mail.getByTestId('status-badges')).toContainText('Failed');
  await expect(mail.getByTestId('attention-activity')).toContainText('failed in merge (mode merging) with code 11 CANNOT_MERGE_DISK_IMAGES');
  await expect(page.getByRole('table', { name: 'VM pools' })).toContainText('each plan’s period + 6 hours');
  await screenshot(page, 'overview');
});

test('a status count leads to the filtered machine list', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('count-failed').click();
  await expect(page).toHaveURL(/status=failed/);
  const names = page.getByRole('table', { name: 'Machines' }).locator('tbody tr td:first-child a');
  await expect(names).toHaveText(DEMO.machines.filter((m) => m.activity === 'failed').map((m) => m.name));
  await page.goto('/machines?status=stale');
  await expect(names).toHaveText(DEMO.machines.filter((m) => m.protection === 'stale').map((m) => m.name).sort());
  await expect(page.getByRole('heading', { level: 1 }).locator('..')).toContainText(/\d+ machines? match(es)?/);
});
