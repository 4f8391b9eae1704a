import { DEMO } from '../scripts/directory/demo-directory';
import { expect, test } from './fixtures';

const statuses = ['protected', 'stale', 'never', 'excluded', 'failed', 'stuck', 'running'] as const;
/** A status counts every machine having it on either side: mail-01 is failed and stale. */
const expectedCount = (status: string) => DEMO.machines.filter((m) => m.protection === status || m.activity === status).length;

test('the overview counts match the demo directory', async ({ overviewPage }) => {
  await overviewPage.open();
  for (const status of statuses) {
    await expect(overviewPage.count(status), status).toHaveText(String(expectedCount(status)));
  }
  await expect(overviewPage.countCard('excluded')).toContainText('1 dynamic clone among them');
  for (const m of DEMO.machines.filter(
    (x) => ['stale', 'never'].includes(x.protection) || ['failed', 'stuck'].includes(x.activity ?? ''),
  )) {
    await expect(overviewPage.attentionLink(m.name)).toBeVisible();
  }
  await expect(overviewPage.attentionLink('web-01')).toHaveCount(0);
  // mail-01: its merge failed, and its last good backup is older than the objective; both are said.
  const mail = overviewPage.attentionRow('mail-01');
  await expect(overviewPage.statusBadges(mail)).toContainText('Stale');
  await expect(overviewPage.statusBadges(mail)).toContainText('Failed');
  await expect(overviewPage.attentionActivity(mail)).toContainText('failed in merge (mode merging) with code 11 CANNOT_MERGE_DISK_IMAGES');
  await expect(overviewPage.pools()).toContainText('each plan’s period + 6 hours');
  await overviewPage.screenshot('overview');
});

test('a status count leads to the filtered machine list', async ({ overviewPage, machinesPage }) => {
  await overviewPage.open();
  await overviewPage.openCount('failed');
  await expect(machinesPage.page).toHaveURL(/status=failed/);
  await expect(machinesPage.machineNames()).toHaveText(DEMO.machines.filter((m) => m.activity === 'failed').map((m) => m.name));
  await machinesPage.open('?status=stale');
  await expect(machinesPage.machineNames()).toHaveText(
    DEMO.machines
      .filter((m) => m.protection === 'stale')
      .map((m) => m.name)
      .sort(),
  );
  await expect(machinesPage.titleBlock()).toContainText(/\d+ machines? match(es)?/);
});
