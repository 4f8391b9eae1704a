import { DEMO } from '../scripts/directory/demo-directory';
import { expect, test } from './fixtures';

/** Pages show only what the person may do: the demo people with one right each, and one limited to a pool. */

const web = DEMO.machines.find((m) => m.name === 'web-01');
const template = DEMO.machines.find((m) => m.name === 'tpl-windows-2022');
const production = DEMO.pools.find((p) => p.name === 'Production servers');
if (!web || !template || !production) throw new Error('demo data changed');

test('a viewer sees everything and is offered nothing to change or restore', async ({ signedInAs }) => {
  const { overviewPage, machinesPage, machinePage, backupConfigPage } = await signedInAs(DEMO.logins.viewer);
  await expect(overviewPage.navLink('Configuration')).toHaveCount(0);
  await machinesPage.open();
  await expect(machinesPage.rows()).toHaveCount(DEMO.machines.length);
  await expect(machinesPage.exclusionButtons()).toHaveCount(0);
  await expect(machinesPage.checkboxes()).toHaveCount(0);
  await machinePage.open(web.uuid);
  await expect(machinePage.heading(/web-01/)).toBeVisible();
  await expect(machinePage.editConfigurationLink()).toHaveCount(0);
  await expect(machinePage.excludeButton()).toHaveCount(0);
  await expect(machinePage.restoreLinks()).toHaveCount(0);
  await machinePage.screenshot('machine-viewer');
  await backupConfigPage.openMachine(web.uuid);
  await expect(backupConfigPage.alert()).toContainText('Not permitted');
  await expect(backupConfigPage.alert()).toContainText('no "configure" right');
});

test('a restorer is offered restores, not configuration', async ({ signedInAs }) => {
  const { machinePage } = await signedInAs(DEMO.logins.restorer);
  await machinePage.open(web.uuid);
  await expect(machinePage.restoreLinks().first()).toBeVisible();
  await expect(machinePage.editConfigurationLink()).toHaveCount(0);
  await expect(machinePage.excludeButton()).toHaveCount(0);
});

test('a configurer is offered configuration and exclusion, not restores', async ({ signedInAs }) => {
  const { overviewPage, machinePage, iterationPage, restoreWizard, page } = await signedInAs(DEMO.logins.configurer);
  await expect(overviewPage.navLink('Configuration')).toBeVisible();
  await machinePage.open(web.uuid);
  await expect(machinePage.editConfigurationLink()).toBeVisible();
  await expect(machinePage.excludeButton()).toBeVisible();
  await expect(machinePage.restoreLinks()).toHaveCount(0);
  await machinePage.iterationLink(machinePage.iterationRows().first()).click();
  await expect(iterationPage.heading(/^Iteration/)).toBeVisible();
  await expect(iterationPage.restoreLink()).toHaveCount(0);
  await restoreWizard.open(web.uuid, page.url().split('/').pop() ?? '');
  await expect(restoreWizard.alert()).toContainText('no "restore" right');
});

test('a person limited to one pool sees only its machines and acts only there', async ({ signedInAs }) => {
  const { overviewPage, machinesPage, machinePage, page } = await signedInAs(DEMO.logins.production);
  const inPool = DEMO.machines.filter((m) => m.poolUuid === production.uuid);
  await expect(overviewPage.poolRows()).toHaveCount(1);
  await machinesPage.open();
  await expect(machinesPage.rows()).toHaveCount(inPool.length);
  await expect(machinesPage.table()).not.toContainText('tpl-');
  await expect(machinesPage.rowButton('Exclude', 'web-01')).toBeVisible();
  await machinesPage.screenshot('machines-one-pool');
  // The configuration of the whole cloud needs the right for every pool.
  await expect(machinesPage.navLink('Configuration')).toHaveCount(0);
  await machinePage.open(web.uuid);
  await expect(machinePage.restoreLinks().first()).toBeVisible();
  await expect(machinePage.editConfigurationLink()).toBeVisible();
  await machinePage.open(template.uuid);
  await expect(machinePage.alert()).toContainText(`may not see ${template.name}`);
  const api = await page.request.get(`/api/machines/${template.uuid}/iterations`);
  expect(api.status()).toBe(403);
});
