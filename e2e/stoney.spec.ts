import { DEMO } from '../scripts/directory/demo-directory';
import { expect, test } from './fixtures';
import { restoreSubtree, saveSubtree, stoneyMachineBackupDn, stoneyWorld } from './stoney-world';

// The stoney console keeps its sessions in its own directory: its own sign-in (e2e/global-setup.ts).
test.use({ storageState: 'test-results/e2e-state/stoney-admin.json' });

const machine = (name: string) => {
  const m = DEMO.machines.find((x) => x.name === name);
  if (!m) throw new Error(`demo machine ${name} missing`);
  return m;
};

test('on stoney cloud a machine page lists the iterations on the node beside the one in the directory, with files and sizes', async ({ stoney }) => {
  const { tree } = stoneyWorld();
  const page = stoney.machinePage;
  const web = machine('web-01');
  const folders = tree.machines.find((m) => m.uuid === web.uuid)?.iterations.filter((i) => i.folder).sort((a, b) => b.name.localeCompare(a.name)) ?? [];
  expect(folders).toHaveLength(3);
  await page.open(web.uuid);
  const rows = page.nodeIterationRows();
  await expect(rows).toHaveCount(3);
  await expect(page.nodeIterationWhere(rows.nth(0))).toHaveText('directory leaf (finished) and folder on the node');
  await expect(page.nodeIterationWhere(rows.nth(1))).toHaveText('only on the node');
  await expect(page.nodeIterationWhere(rows.nth(2))).toHaveText('only on the node');
  for (const [i, folder] of folders.entries()) {
    const row = rows.nth(i);
    await expect(row.locator('td').first()).toHaveText(folder.name);
    await page.openNodeIterationFiles(row, folder.files.length);
    for (const file of folder.files) {
      await expect(page.nodeIterationFileSize(row, file.name)).toHaveAttribute('title', `${file.sizeBytes} bytes`);
    }
  }
  // The schedule is the node's crontab line; sstCron* are unused on this kind.
  await expect(page.crontabLine()).toContainText('30 2 * * *');
  await expect(page.schedule()).toContainText('Europe/Zurich (read from the node)');
  await expect(page.planText()).toContainText('sstCron* fields are unused');
  await expect(page.wrapperRuns()).toHaveCount(3);
  await page.screenshot('stoney-machine');
});

test('on stoney cloud the Configuration page says the kind applies because of the nodes, and the cron fields are unused', async ({ stoney }) => {
  const configuration = stoney.backupConfigPage;
  await configuration.openCloud();
  await expect(configuration.installationKind()).toHaveText('stoney cloud');
  await expect(configuration.installationReason()).toContainText('only possible on stoney cloud');
  await expect(configuration.cronUnused()).toBeVisible();
  await expect(configuration.wrapperCrontabLines()).toHaveCount(2);
  await configuration.screenshot('stoney-configuration');
});

test('on stoney cloud a blocked machine is unblocked with one action, and its files stay on the node', async ({ stoney }) => {
  const page = stoney.machinePage;
  const mail = machine('mail-01');
  const saved = await saveSubtree(stoneyMachineBackupDn(mail.uuid));
  try {
    await page.open(mail.uuid);
    await expect(page.statusReason()).toContainText('Blocked:');
    await expect(page.verdict()).toContainText('last backup not successful');
    const folderRows = await page.nodeIterationRows().count();
    await page.unblock();
    await expect(page.unblockResult()).toContainText('the stoney wrapper creates a new ou=backup with a leaf');
    await page.page.reload();
    await expect(page.verdict()).toContainText('Backed up by its scheduler');
    await expect(page.nodeIterationRows()).toHaveCount(folderRows - 1);
    await page.screenshot('stoney-unblocked');
  } finally {
    await restoreSubtree(stoneyMachineBackupDn(mail.uuid), saved);
  }
});
