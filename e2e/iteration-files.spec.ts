import { DEMO } from '../scripts/directory/demo-directory';
import { demoNode } from './demo-node';
import { expect, screenshot, test } from './fixtures';

test('the iteration page lists the files on the node with their sizes', async ({ page }) => {
  const { tree } = demoNode();
  const web = tree.machines.find((m) => m.name === 'web-01');
  const newest = web?.iterations.filter((i) => i.folder !== null).sort((a, b) => b.name.localeCompare(a.name))[0];
  if (!web || !newest) throw new Error('demo node changed');
  await page.goto(`/machines/${web.uuid}/iterations/${newest.name}`);
  await expect(page.getByTestId('iteration-folder')).toHaveText(`${newest.folder}/`);
  await expect(page.getByTestId('node-files-summary')).toHaveText(`All ${newest.files.length} files are on node ${web.node}.`);
  const rows = page.getByRole('table', { name: 'Expected files' }).locator('tbody tr');
  await expect(rows).toHaveCount(newest.files.length);
  for (const file of newest.files) {
    const row = rows.filter({ hasText: file.name });
    await expect(row.getByTestId('file-on-node').locator('span[title]')).toHaveAttribute('title', `${file.sizeBytes} bytes`);
  }
  await expect(rows.filter({ hasText: '.qcow2.' })).toHaveCount(2);
  await expect(page.getByText('missing', { exact: true })).toHaveCount(0);
  await screenshot(page, 'iteration-files');
});

test('an iteration whose backup failed shows its files as missing on the node', async ({ page }) => {
  const mail = DEMO.machines.find((m) => m.name === 'mail-01');
  const { tree } = demoNode();
  const failed = tree.machines.find((m) => m.uuid === mail?.uuid)?.iterations.find((i) => i.mode === 'merging');
  if (!mail || !failed) throw new Error('demo node changed');
  await page.goto(`/machines/${mail.uuid}/iterations/${failed.name}`);
  await expect(page.getByTestId('node-files-summary')).toContainText(`Node ${mail.node} has no folder`);
  const rows = page.getByRole('table', { name: 'Expected files' }).locator('tbody tr');
  await expect(rows.getByText('missing', { exact: true })).toHaveCount(await rows.count());
  // The rest of the page is there.
  await expect(page.getByTestId('return-text')).toContainText('CANNOT_MERGE_DISK_IMAGES');
});
