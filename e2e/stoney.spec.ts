import { DEMO } from '../scripts/directory/demo-directory';
import { expect, screenshot, test } from './fixtures';
import { restoreSubtree, saveSubtree, stoneyMachineBackupDn, stoneyWorld } from './stoney-world';

// The stoney console keeps its sessions in its own directory: its own sign-in (e2e/global-setup.ts).
test.use({ storageState: 'test-results/e2e-state/stoney-admin.json' });

const machine = (name: string) => {
  const m = DEMO.machines.find((x) => x.name === name);
  if (!m) throw new Error(`demo machine ${name} missing`);
  return m;
};

test('on stoney cloud a machine page lists the iterations on the node beside the one in the directory, with files and sizes', async ({ page }) => {
  const { url, tree } = stoneyWorld();
  const web = machine('web-01');
  const folders = tree.machines.find((m) => m.uuid === web.uuid)?.iterations.filter((i) => i.folder).sort((a, b) => b.name.localeCompare(a.name)) ?? [];
  expect(folders).toHaveLength(3);
  await page.goto(`${url}/machines/${web.uuid}`);
  const rows = page.getByRole('table', { name: 'Iterations on the node' }).locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0).getByTestId('node-iteration-where')).toHaveText('directory leaf (finished) and folder on the node');
  await expect(rows.nth(1).getByTestId('node-iteration-where')).toHaveText('only on the node');
  await expect(rows.nth(2).getByTestId('node-iteration-where')).toHaveText('only on the node');
  for (const [i, folder] of folders.entries()) {
    const row = rows.nth(i);
    await expect(row.locator('td').first()).toHaveText(folder.name);
    await row.getByText(`${folder.files.length} files`).click();
    for (const file of folder.files) {
      await expect(row.getByTestId('node-iteration-file').filter({ hasText: file.name }).locator('span[title]')).toHaveAttribute('title', `${file.sizeBytes} bytes`);
    }
  }
  // The schedule is the node's crontab line; sstCron* are unused on this kind.
  await expect(page.getByTestId('crontab-line')).toContainText('30 2 * * *');
  await expect(page.getByTestId('machine-schedule')).toContainText('Europe/Zurich (read from the node)');
  await expect(page.getByTestId('plan-text')).toContainText('sstCron* fields are unused');
  await expect(page.getByRole('table', { name: 'Next runs of the wrapper' }).locator('tbody tr')).toHaveCount(3);
  // Backups over time: the leaf, and the older folders on the node with their sizes but no recorded result.
  const chart = page.getByTestId('backup-chart-svg');
  await expect(chart.locator('[data-iteration]')).toHaveCount(3);
  await expect(chart.locator('[data-result="unrecorded"]')).toHaveCount(2);
  await expect(chart.locator('[data-size]')).toHaveCount(3);
  await expect(page.getByTestId('machine-nights-svg').locator('[data-cell][data-state="good"]')).toHaveCount(1);
  await screenshot(page, 'stoney-machine');
});

test('on stoney cloud the Configuration page says the kind applies because of the nodes, and the cron fields are unused', async ({ page }) => {
  const { url } = stoneyWorld();
  await page.goto(`${url}/configuration`);
  await expect(page.getByTestId('installation-kind')).toHaveText('stoney cloud');
  await expect(page.getByTestId('installation-reason')).toContainText('only possible on stoney cloud');
  await expect(page.getByTestId('cron-unused')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Crontab lines that start the stoney wrapper' }).getByTestId('crontab-line')).toHaveCount(2);
  await screenshot(page, 'stoney-configuration');
});

test('on stoney cloud a blocked machine is unblocked with one action, and its files stay on the node', async ({ page }) => {
  const { url } = stoneyWorld();
  const mail = machine('mail-01');
  const saved = await saveSubtree(stoneyMachineBackupDn(mail.uuid));
  try {
    await page.goto(`${url}/machines/${mail.uuid}`);
    // Blocked is shown beside the last good backup, never instead of it.
    await expect(page.getByTestId('status-blocked')).toContainText('Blocked:');
    await expect(page.getByTestId('status-badges')).toContainText('Blocked');
    await expect(page.getByTestId('status-reason')).toContainText('the stoney wrapper starts a run only after a good one');
    await expect(page.getByTestId('backup-verdict')).toContainText('last backup not successful');
    const folderRows = await page.getByRole('table', { name: 'Iterations on the node' }).locator('tbody tr').count();
    await page.getByRole('button', { name: 'Unblock backups of this machine' }).click();
    await page.getByRole('button', { name: 'Yes, unblock' }).click();
    await expect(page.getByTestId('unblock-result')).toContainText('the stoney wrapper creates a new ou=backup with a leaf');
    await page.reload();
    await expect(page.getByTestId('backup-verdict')).toContainText('Backed up by its scheduler');
    await expect(page.getByRole('table', { name: 'Iterations on the node' }).locator('tbody tr')).toHaveCount(folderRows - 1);
    await screenshot(page, 'stoney-unblocked');
  } finally {
    await restoreSubtree(stoneyMachineBackupDn(mail.uuid), saved);
  }
});
