import { DEMO } from '../scripts/directory/demo-directory';
import { readDomain } from '../scripts/node/virsh-state';
import { fileSnapshot, sha256 } from './demo-node';
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
    await expect(page.getByTestId('status-reason')).toContainText('Blocked:');
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

test('on stoney cloud an iteration that exists only on the node is restored through the wizard, and the machine keeps its one leaf as it was', async ({ page }) => {
  test.setTimeout(180_000);
  const { url, tree, virshStateDir } = stoneyWorld();
  const db = machine('db-01');
  const onNode = tree.machines.find((m) => m.uuid === db.uuid);
  const [leaf, chosen] = onNode?.iterations.filter((i) => i.folder).sort((a, b) => b.name.localeCompare(a.name)) ?? [];
  expect(chosen).toBeDefined();
  const backupBefore = await saveSubtree(stoneyMachineBackupDn(db.uuid));
  const retainBefore = fileSnapshot(tree.retainRoot);
  const stage = (name: string) => page.locator(`[data-testid="restore-stage"][data-stage="${name}"]`);
  const nodeWork = { timeout: 30_000 };

  // The machine page offers the folder for a restore; its iteration page says it exists only on the node.
  await page.goto(`${url}/machines/${db.uuid}`);
  const row = page.getByRole('table', { name: 'Iterations on the node' }).locator('tbody tr').filter({ hasText: chosen.name });
  await expect(row.getByTestId('node-iteration-where')).toHaveText('only on the node');
  await expect(row.getByRole('link', { name: `Restore ${chosen.name} from the node` })).toBeVisible();
  await row.getByRole('link', { name: chosen.name, exact: true }).click();
  await expect(page.getByTestId('only-on-node')).toContainText(chosen.folder ?? '');
  await page.getByRole('link', { name: 'Restore this iteration…' }).click();
  await expect(page.getByRole('heading', { name: /Restore db-01/ })).toBeVisible();

  // Pre-flight: the machine's one leaf will hold the restore; the console executes.
  const checks = page.getByRole('list', { name: 'Pre-flight checks' }).getByRole('listitem');
  await expect(checks.and(page.locator('[data-ok="false"]'))).toHaveCount(0);
  await expect(checks.filter({ hasText: "The machine's leaf can hold the restore" })).toContainText(`leaf ${leaf.name} holds the restore's modes`);
  await expect(checks.filter({ hasText: 'Every path stays in its folder on the node' })).toContainText('none reached through a symbolic link');
  await expect(page.getByTestId('preflight-executor')).toHaveAttribute('data-executor', 'console');
  await screenshot(page, 'stoney-restore-from-node-preflight');

  await page.getByRole('button', { name: 'Start the restore' }).click();
  await expect(stage('deciding')).toBeVisible(nodeWork);
  await expect(page.getByTestId('restore-only-on-node')).toContainText(`leaf ${leaf.name} holds this restore's modes`);
  // Meanwhile the machine page says which restore its leaf holds.
  const machinePage = await page.context().newPage();
  await machinePage.goto(`${url}/machines/${db.uuid}`);
  await expect(machinePage.getByTestId('restore-from-node')).toContainText(chosen.name);
  await expect(machinePage.getByRole('table', { name: 'Backup iterations' }).getByRole('link', { name: `Open restore of ${chosen.name}` })).toBeVisible();
  await machinePage.close();

  await page.getByRole('button', { name: 'Review the plan' }).click();
  await expect(stage('confirming')).toBeVisible(nodeWork);
  await page.getByRole('button', { name: 'Confirm and restore db-01' }).click();
  await expect(stage('finished')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('restore-finished')).toContainText(`db-01 was restored from iteration ${chosen.name}`);
  await screenshot(page, 'stoney-restore-from-node-finished');

  // The live images are the folder's, byte for byte; the machine runs; the retain directory is as it was.
  for (const image of onNode?.liveImages ?? []) {
    const backup = chosen.files.find((f) => f.kind === 'disk' && f.disk === image.disk);
    expect(backup, image.disk).toBeDefined();
    expect(sha256(image.path), image.disk).toBe(sha256(backup?.path ?? ''));
  }
  expect(readDomain(virshStateDir, db.uuid)).toMatchObject({ state: 'running', persistent: true });
  expect(fileSnapshot(tree.retainRoot)).toEqual(retainBefore);
  // ou=backup is exactly as before: its one leaf, with its own mode, state and return value, and nothing else.
  expect(await saveSubtree(stoneyMachineBackupDn(db.uuid))).toEqual(backupBefore);

  await page.getByRole('link', { name: 'Back to db-01' }).click();
  const rows = page.getByRole('table', { name: 'Iterations on the node' }).locator('tbody tr');
  await expect(rows.filter({ hasText: leaf.name }).getByTestId('node-iteration-where')).toHaveText('directory leaf (finished) and folder on the node');
  await expect(rows.filter({ hasText: chosen.name }).getByTestId('node-iteration-where')).toHaveText('only on the node');
  await expect(page.getByTestId('restore-from-node')).toHaveCount(0);
});
