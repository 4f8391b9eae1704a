import { DEMO } from '../scripts/directory/demo-directory';
import { readDomain } from '../scripts/node/virsh-state';
import { fileSnapshot, sha256 } from './demo-node';
import { expect, pagesOf, test } from './fixtures';
import { restoreSubtree, saveSubtree, stoneyMachineBackupDn, stoneyWorld } from './stoney-world';

// The stoney console keeps its sessions in its own directory: its own sign-in (e2e/global-setup.ts).
test.use({ storageState: 'test-results/e2e-state/stoney-admin.json' });

const machine = (name: string) => {
  const m = DEMO.machines.find((x) => x.name === name);
  if (!m) throw new Error(`demo machine ${name} missing`);
  return m;
};

test('on stoney cloud a machine page lists the iterations on the node beside the one in the directory, with files and sizes', async ({
  stoney,
}) => {
  const { tree } = stoneyWorld();
  const page = stoney.machinePage;
  const web = machine('web-01');
  const folders =
    tree.machines
      .find((m) => m.uuid === web.uuid)
      ?.iterations.filter((i) => i.folder)
      .sort((a, b) => b.name.localeCompare(a.name)) ?? [];
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
  // Backups over time: the leaf, and the older folders on the node with their sizes but no recorded result.
  const chart = page.chart().svg();
  await expect(chart.locator('[data-iteration]')).toHaveCount(3);
  await expect(chart.locator('[data-result="unrecorded"]')).toHaveCount(2);
  await expect(chart.locator('[data-size]')).toHaveCount(3);
  await expect(page.nights('machine-nights').svg().locator('[data-cell][data-state="good"]')).toHaveCount(1);
  await page.screenshot('stoney-machine');
});

test('on stoney cloud the Configuration page says the kind applies because of the nodes, and the cron fields are unused', async ({
  stoney,
}) => {
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
    // Blocked is shown beside the last good backup, never instead of it.
    await expect(page.statusBlocked()).toContainText('Blocked:');
    await expect(page.statusBadges()).toContainText('Blocked');
    await expect(page.statusReason()).toContainText('the stoney wrapper starts a run only after a good one');
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

test('on stoney cloud an iteration that exists only on the node is restored through the wizard, and the machine keeps its one leaf as it was', async ({
  stoney,
}) => {
  test.setTimeout(180_000);
  const { url, tree, virshStateDir } = stoneyWorld();
  const { machinePage, iterationPage, restoreWizard: wizard } = stoney;
  const db = machine('db-01');
  const onNode = tree.machines.find((m) => m.uuid === db.uuid);
  const [leaf, chosen] = onNode?.iterations.filter((i) => i.folder).sort((a, b) => b.name.localeCompare(a.name)) ?? [];
  expect(chosen).toBeDefined();
  const backupBefore = await saveSubtree(stoneyMachineBackupDn(db.uuid));
  const retainBefore = fileSnapshot(tree.retainRoot);
  const nodeWork = { timeout: 30_000 };

  // The machine page offers the folder for a restore; its iteration page says it exists only on the node.
  await machinePage.open(db.uuid);
  const row = machinePage.nodeIterationRow(chosen.name);
  await expect(machinePage.nodeIterationWhere(row)).toHaveText('only on the node');
  await expect(machinePage.restoreFromNodeLink(row, chosen.name)).toBeVisible();
  await machinePage.nodeIterationLink(row, chosen.name).click();
  await expect(iterationPage.onlyOnNode()).toContainText(chosen.folder ?? '');
  await iterationPage.restoreLink().click();
  await expect(wizard.heading(/Restore db-01/)).toBeVisible();

  // Pre-flight: the machine's one leaf will hold the restore; the console executes.
  await expect(wizard.failedChecks()).toHaveCount(0);
  await expect(wizard.check("The machine's leaf can hold the restore")).toContainText(`leaf ${leaf.name} holds the restore's modes`);
  await expect(wizard.check('Every path stays in its folder on the node')).toContainText('none reached through a symbolic link');
  await expect(wizard.preflightExecutor()).toHaveAttribute('data-executor', 'console');
  await wizard.screenshot('stoney-restore-from-node-preflight');

  await wizard.start();
  await expect(wizard.stage('deciding')).toBeVisible(nodeWork);
  await expect(wizard.onlyOnNode()).toContainText(`leaf ${leaf.name} holds this restore's modes`);
  // Meanwhile the machine page says which restore its leaf holds.
  const other = await wizard.page.context().newPage();
  const meanwhile = pagesOf(other, url).machinePage;
  await meanwhile.open(db.uuid);
  await expect(meanwhile.restoreFromNode()).toContainText(chosen.name);
  await expect(meanwhile.openRestoreLink(chosen.name)).toBeVisible();
  await other.close();

  await wizard.reviewPlan();
  await expect(wizard.stage('confirming')).toBeVisible(nodeWork);
  await wizard.confirm('db-01');
  await expect(wizard.stage('finished')).toBeVisible({ timeout: 90_000 });
  await expect(wizard.finished()).toContainText(`db-01 was restored from iteration ${chosen.name}`);
  await wizard.screenshot('stoney-restore-from-node-finished');

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

  await wizard.backTo('db-01');
  await expect(machinePage.nodeIterationWhere(machinePage.nodeIterationRow(leaf.name))).toHaveText(
    'directory leaf (finished) and folder on the node',
  );
  await expect(machinePage.nodeIterationWhere(machinePage.nodeIterationRow(chosen.name))).toHaveText('only on the node');
  await expect(machinePage.restoreFromNode()).toHaveCount(0);
});
