import { DEMO } from '../scripts/directory/demo-directory';
import { expect, test } from './fixtures';

const statuses = ['protected', 'running', 'failed', 'stale', 'never', 'excluded'] as const;

test('the overview counts match the demo directory', async ({ overviewPage }) => {
  await overviewPage.open();
  for (const status of statuses) {
    const expected = DEMO.machines.filter((m) => m.status === status).length;
    await expect(overviewPage.count(status), status).toHaveText(String(expected));
  }
  for (const m of DEMO.machines.filter((x) => ['failed', 'stale', 'never'].includes(x.status))) {
    await expect(overviewPage.attentionLink(m.name)).toBeVisible();
  }
  await expect(overviewPage.attentionLink('web-01')).toHaveCount(0);
  await overviewPage.screenshot('overview');
});

test('a status count leads to the filtered machine list', async ({ overviewPage, machinesPage }) => {
  await overviewPage.open();
  await overviewPage.openCount('failed');
  await expect(machinesPage.page).toHaveURL(/status=failed/);
  await expect(machinesPage.machineNames()).toHaveText(DEMO.machines.filter((m) => m.status === 'failed').map((m) => m.name));
});
