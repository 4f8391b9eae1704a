import { DEMO } from '../scripts/directory/demo-directory';
import { clearPoolExcludeFlag, makeMachineBackupPlain, removeMachineBackupEntry } from './directory';
import { expect, screenshot, test } from './fixtures';
import { BackupConfigPage } from './pages/backup-config-page';

const machine = (name: string) => {
  const m = DEMO.machines.find((x) => x.name === name);
  if (!m) throw new Error(`demo machine ${name} missing`);
  return m;
};

async function count(page: import('@playwright/test').Page, status: string): Promise<number> {
  return Number(await page.getByTestId(`count-${status}`).locator('div').first().textContent());
}

test('excluding a machine from the list updates the overview, and including it again restores it', async ({ page }) => {
  const fresh = machine('new-01');
  try {
    await page.goto('/');
    const never = await count(page, 'never');
    const excluded = await count(page, 'excluded');
    await expect(page.getByRole('table', { name: 'Machines needing attention' }).getByRole('link', { name: 'new-01', exact: true })).toBeVisible();

    await page.goto('/machines');
    await page.getByRole('button', { name: 'Exclude new-01', exact: true }).click();
    await expect(page.getByTestId('exclude-selection-result')).toContainText('Excluded 1 machine: new-01');
    await expect(page.getByRole('button', { name: 'Include new-01', exact: true })).toBeVisible();
    await screenshot(page, 'machines-exclude');

    await page.goto('/');
    await expect(page.getByTestId('count-excluded').locator('div').first()).toHaveText(String(excluded + 1));
    await expect(page.getByTestId('count-never').locator('div').first()).toHaveText(String(never - 1));
    await expect(page.getByRole('table', { name: 'Machines needing attention' }).getByRole('link', { name: 'new-01', exact: true })).toHaveCount(0);

    await page.goto(`/machines/${fresh.uuid}/backup`);
    await expect(page.getByTestId('inheritance')).toContainText('A copy made by the console');

    await page.goto('/machines');
    await page.getByRole('checkbox', { name: 'Select new-01' }).check();
    await page.getByRole('button', { name: 'Include selected' }).click();
    await expect(page.getByTestId('exclude-selection-result')).toContainText('Included 1 machine: new-01');

    await page.goto('/');
    await expect(page.getByTestId('count-excluded').locator('div').first()).toHaveText(String(excluded));
    await expect(page.getByTestId('count-never').locator('div').first()).toHaveText(String(never));
  } finally {
    await removeMachineBackupEntry(fresh.uuid);
  }
});

test('editing a cron plan shows it in words with the next runs, and saving makes it apply', async ({ page }) => {
  const web = machine('web-01');
  const editor = new BackupConfigPage(page);
  try {
    await editor.openMachine(web.uuid);
    await expect(page.getByRole('heading', { name: 'Backup configuration of web-01' })).toBeVisible();
    await expect(editor.description()).toHaveText('Every day at 03:00');
    await expect(editor.nextRuns()).toHaveCount(5);

    await editor.cronField('Minute').fill('15');
    await editor.cronField('Hour').fill('4');
    await editor.cronField('Day of week').fill('1-5');
    await expect(editor.description()).toHaveText('On weekdays (Mon–Fri) at 04:15');
    // fc-brokerd (FOSS-Cloud) reads "1-5" as 1: Mondays only. The page shows its runs, and cron's reading beside them.
    await expect(page.getByTestId('cron-misreadings')).toContainText("'1-5' becomes 1 (Monday)");
    await expect(editor.nextRuns()).toHaveCount(5);
    const first = editor.nextRuns().first();
    await expect(first.locator('td').nth(0)).toContainText('04:15');
    await expect(first.locator('td').nth(1)).toHaveText(/^\d{4}-\d{2}-\d{2} 0[23]:15$/);
    // The broker names the leaf with the local time and a literal Z.
    await expect(first.locator('td').nth(2)).toHaveText(/^\d{8}T041500Z$/);
    await expect(page.getByTestId('cron-differs')).toBeVisible();

    await editor.cronField('Hour').fill('24');
    await expect(page.getByTestId('error-cron-hour')).toHaveText('Hour 24 is out of range 0–23.');
    await editor.cronField('Hour').fill('4');
    await editor.cronField('Day of month').fill('1');
    await expect(page.getByTestId('cron-warnings')).toContainText('both restricted');
    await editor.cronField('Day of month').fill('*');

    await editor.field('Iterations kept').fill('1');
    await expect(page.getByTestId('retention-stops')).toContainText('fc-brokerd never backs up this machine again: web-01 (3 leaves)');
    await editor.field('Iterations kept').fill('3');
    await expect(page.getByTestId('retention-preview')).toContainText('would remove 1 existing iteration');
    await screenshot(page, 'machine-backup');

    await editor.submit();
    await expect(page.getByTestId('form-confirmations')).toContainText("'1-5' becomes 1 (Monday)");
    await page.getByRole('button', { name: 'Save anyway' }).click();
    await expect(page.getByTestId('form-saved')).toBeVisible();
    await page.goto(`/machines/${web.uuid}`);
    await expect(page.getByTestId('config-level')).toHaveText("The machine's own configuration applies");
    await expect(page.getByTestId('plan-text')).toHaveText('On weekdays (Mon–Fri) at 04:15');

    await page.goto(`/audit?machine=${web.uuid}`);
    await expect(page.getByRole('table', { name: 'Audit trail' })).toContainText('Saved backup configuration');
    await expect(page.getByRole('table', { name: 'Audit trail' })).toContainText('sstCronHour');
    await screenshot(page, 'audit');

    await editor.openMachine(web.uuid);
    await page.getByRole('button', { name: "Remove this machine's own configuration" }).click();
    await page.getByRole('button', { name: 'Yes, remove it' }).click();
    await expect(page.getByText("The machine's own configuration was removed")).toBeVisible();
    await page.goto(`/machines/${web.uuid}`);
    await expect(page.getByTestId('config-level')).toHaveText('The cloud-wide configuration applies');
    await expect(page.getByRole('table', { name: 'Backup iterations' }).locator('tbody tr')).toHaveCount(3);
  } finally {
    await makeMachineBackupPlain(web.uuid);
  }
});

test('an invalid permission shows an error next to its field and nothing is saved', async ({ page }) => {
  const editor = new BackupConfigPage(page);
  await editor.openCloud();
  await expect(page.getByRole('heading', { name: 'Cloud-wide backup configuration' })).toBeVisible();
  await screenshot(page, 'configuration');
  await editor.field('Disk image permissions').fill('999');
  await editor.submit();
  await expect(page.getByTestId('error-diskImagePermission')).toContainText('octal permissions');
  await expect(page.getByTestId('form-error')).toHaveText('Some values are not valid; nothing was changed.');
  await expect(editor.field('Disk image permissions')).toHaveAttribute('aria-invalid', 'true');
  await page.reload();
  await expect(editor.field('Disk image permissions')).toHaveValue('660');
});

test('a pool shows which machines follow it and can be excluded and included again', async ({ page }) => {
  const templates = DEMO.pools.find((p) => p.name === 'Templates');
  if (!templates) throw new Error('demo pool Templates missing');
  try {
    await page.goto(`/pools/${templates.uuid}/backup`);
    await expect(page.getByTestId('inheritance')).toContainText('This pool has its own configuration');
    await expect(page.getByTestId('inheritance')).toContainText('tpl-debian-12');
    await screenshot(page, 'pool-backup');
    await page.getByRole('button', { name: 'Exclude this pool from backup' }).click();
    await expect(page.getByTestId('exclude-result')).toContainText('now excluded');
    await expect(page.getByTestId('exclusion-state')).toContainText('excluded from backup');
    await page.getByRole('button', { name: 'Include this pool in backups again' }).click();
    await expect(page.getByTestId('exclude-result')).toContainText('included again');
    await expect(page.getByTestId('exclusion-state')).toContainText('backed up as planned');
  } finally {
    await clearPoolExcludeFlag(templates.uuid);
  }
});

test('the Configuration page says which kind of installation applies and why', async ({ page }) => {
  await page.goto('/configuration');
  await expect(page.getByTestId('installation-kind')).toHaveText('FOSS-Cloud');
  await expect(page.getByTestId('installation-reason')).toContainText('only possible on FOSS-Cloud');
  await page.locator('summary', { hasText: 'What the directory and the nodes show' }).click();
  await expect(page.getByTestId('installation-evidence')).toContainText('iteration leaves in the directory');
});
