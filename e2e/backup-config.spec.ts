import { DEMO } from '../scripts/directory/demo-directory';
import { clearPoolExcludeFlag, makeMachineBackupPlain, removeMachineBackupEntry } from './directory';
import { expect, test } from './fixtures';

const machine = (name: string) => {
  const m = DEMO.machines.find((x) => x.name === name);
  if (!m) throw new Error(`demo machine ${name} missing`);
  return m;
};

test('excluding a machine from the list updates the overview, and including it again restores it', async ({
  overviewPage: overview,
  machinesPage: machines,
  backupConfigPage: editor,
}) => {
  const fresh = machine('new-01');
  try {
    await overview.open();
    const never = await overview.countOf('never');
    const excluded = await overview.countOf('excluded');
    await expect(overview.attentionLink('new-01')).toBeVisible();

    await machines.open();
    await machines.rowButton('Exclude', 'new-01').click();
    await expect(machines.selectionResult()).toContainText('Excluded 1 machine: new-01');
    await expect(machines.rowButton('Include', 'new-01')).toBeVisible();
    await machines.screenshot('machines-exclude');

    await overview.open();
    await expect(overview.count('excluded')).toHaveText(String(excluded + 1));
    await expect(overview.count('never')).toHaveText(String(never - 1));
    await expect(overview.attentionLink('new-01')).toHaveCount(0);

    await editor.openMachine(fresh.uuid);
    await expect(editor.inheritance()).toContainText('A copy made by the console');

    await machines.open();
    await machines.select('new-01');
    await machines.includeSelected();
    await expect(machines.selectionResult()).toContainText('Included 1 machine: new-01');

    await overview.open();
    await expect(overview.count('excluded')).toHaveText(String(excluded));
    await expect(overview.count('never')).toHaveText(String(never));
  } finally {
    await removeMachineBackupEntry(fresh.uuid);
  }
});

test('editing a cron plan shows it in words with the next runs, and saving makes it apply', async ({
  backupConfigPage: editor,
  machinePage,
  auditPage,
}) => {
  const web = machine('web-01');
  try {
    await editor.openMachine(web.uuid);
    await expect(editor.heading('Backup configuration of web-01')).toBeVisible();
    await expect(editor.description()).toHaveText('Every day at 03:00');
    await expect(editor.nextRuns()).toHaveCount(5);

    await editor.cronField('Minute').fill('15');
    await editor.cronField('Hour').fill('4');
    await editor.cronField('Day of week').fill('1-5');
    await expect(editor.description()).toHaveText('On weekdays (Mon–Fri) at 04:15');
    // fc-brokerd (FOSS-Cloud) reads "1-5" as 1: Mondays only. The page shows its runs, and cron's reading beside them.
    await expect(editor.misreadings()).toContainText("'1-5' becomes 1 (Monday)");
    await expect(editor.nextRuns()).toHaveCount(5);
    const first = editor.nextRuns().first();
    await expect(editor.runCell(first, 0)).toContainText('04:15');
    await expect(editor.runCell(first, 1)).toHaveText(/^\d{4}-\d{2}-\d{2} 0[23]:15$/);
    // The broker names the leaf with the local time and a literal Z.
    await expect(editor.runCell(first, 2)).toHaveText(/^\d{8}T041500Z$/);
    await expect(editor.cronDiffers()).toBeVisible();

    await editor.cronField('Hour').fill('24');
    await expect(editor.fieldError('cron-hour')).toHaveText('Hour 24 is out of range 0–23.');
    await editor.cronField('Hour').fill('4');
    await editor.cronField('Day of month').fill('1');
    await expect(editor.cronWarnings()).toContainText('both restricted');
    await editor.cronField('Day of month').fill('*');

    await editor.field('Iterations kept').fill('1');
    await expect(editor.retentionStops()).toContainText('fc-brokerd never backs up this machine again: web-01 (3 leaves)');
    await editor.field('Iterations kept').fill('3');
    await expect(editor.retentionPreview()).toContainText('would remove 1 existing iteration');
    await editor.screenshot('machine-backup');

    await editor.submit();
    await expect(editor.confirmations()).toContainText("'1-5' becomes 1 (Monday)");
    await editor.saveAnyway();
    await expect(editor.saved()).toBeVisible();
    await machinePage.open(web.uuid);
    await expect(machinePage.configLevel()).toHaveText("The machine's own configuration applies");
    await expect(machinePage.planText()).toHaveText('On weekdays (Mon–Fri) at 04:15');

    await auditPage.open(`?machine=${web.uuid}`);
    await expect(auditPage.table()).toContainText('Saved backup configuration');
    await expect(auditPage.table()).toContainText('sstCronHour');
    await auditPage.screenshot('audit');

    await editor.openMachine(web.uuid);
    await editor.removeOwnConfiguration('machine');
    await expect(editor.message("The machine's own configuration was removed")).toBeVisible();
    await machinePage.open(web.uuid);
    await expect(machinePage.configLevel()).toHaveText('The cloud-wide configuration applies');
    await expect(machinePage.iterationRows()).toHaveCount(3);
  } finally {
    await makeMachineBackupPlain(web.uuid);
  }
});

test('an invalid permission shows an error next to its field and nothing is saved', async ({ backupConfigPage: editor }) => {
  await editor.openCloud();
  await expect(editor.heading('Cloud-wide backup configuration')).toBeVisible();
  await editor.screenshot('configuration');
  await editor.field('Disk image permissions').fill('999');
  await editor.submit();
  await expect(editor.fieldError('diskImagePermission')).toContainText('octal permissions');
  await expect(editor.formError()).toHaveText('Some values are not valid; nothing was changed.');
  await expect(editor.field('Disk image permissions')).toHaveAttribute('aria-invalid', 'true');
  await editor.page.reload();
  await expect(editor.field('Disk image permissions')).toHaveValue('660');
});

test('a pool shows which machines follow it and can be excluded and included again', async ({ backupConfigPage: editor }) => {
  const templates = DEMO.pools.find((p) => p.name === 'Templates');
  if (!templates) throw new Error('demo pool Templates missing');
  try {
    await editor.openPool(templates.uuid);
    await expect(editor.inheritance()).toContainText('This pool has its own configuration');
    await expect(editor.inheritance()).toContainText('tpl-debian-12');
    await editor.screenshot('pool-backup');
    await editor.setExcluded('pool', true);
    await expect(editor.excludeResult()).toContainText('now excluded');
    await expect(editor.exclusionState()).toContainText('excluded from backup');
    await editor.setExcluded('pool', false);
    await expect(editor.excludeResult()).toContainText('included again');
    await expect(editor.exclusionState()).toContainText('backed up as planned');
  } finally {
    await clearPoolExcludeFlag(templates.uuid);
  }
});

test('the Configuration page says which kind of installation applies and why', async ({ backupConfigPage: configuration }) => {
  await configuration.openCloud();
  await expect(configuration.installationKind()).toHaveText('FOSS-Cloud');
  await expect(configuration.installationReason()).toContainText('only possible on FOSS-Cloud');
  await expect(await configuration.showEvidence()).toContainText('iteration leaves in the directory');
});
