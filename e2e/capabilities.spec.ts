import type { Browser, Page } from '@playwright/test';
import { DEMO } from '../scripts/directory/demo-directory';
import { expect, screenshot, test } from './fixtures';

/** Pages show only what the person may do: the demo people with one right each, and one limited to a pool. */

const web = DEMO.machines.find((m) => m.name === 'web-01');
const template = DEMO.machines.find((m) => m.name === 'tpl-windows-2022');
const production = DEMO.pools.find((p) => p.name === 'Production servers');
if (!web || !template || !production) throw new Error('demo data changed');

async function signedIn(browser: Browser, person: { login: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Login name').fill(person.login);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  return page;
}

const restoreLinks = (page: Page) => page.getByRole('table', { name: 'Backup iterations' }).getByRole('link', { name: /^(Restore|Open restore)/ });

test('a viewer sees everything and is offered nothing to change or restore', async ({ browser }) => {
  const page = await signedIn(browser, DEMO.logins.viewer);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Configuration' })).toHaveCount(0);
  await page.goto('/machines');
  await expect(page.getByRole('table', { name: 'Machines' }).locator('tbody tr')).toHaveCount(DEMO.machines.length);
  await expect(page.getByRole('button', { name: /^(Exclude|Include)/ })).toHaveCount(0);
  await expect(page.getByRole('checkbox')).toHaveCount(0);
  await page.goto(`/machines/${web.uuid}`);
  await expect(page.getByRole('heading', { name: /web-01/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Edit backup configuration' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Exclude this machine/ })).toHaveCount(0);
  await expect(restoreLinks(page)).toHaveCount(0);
  await screenshot(page, 'machine-viewer');
  await page.goto(`/machines/${web.uuid}/backup`);
  await expect(page.getByRole('main').getByRole('alert')).toContainText('Not permitted');
  await expect(page.getByRole('main').getByRole('alert')).toContainText('no "configure" right');
  await page.context().close();
});

test('a restorer is offered restores, not configuration', async ({ browser }) => {
  const page = await signedIn(browser, DEMO.logins.restorer);
  await page.goto(`/machines/${web.uuid}`);
  await expect(restoreLinks(page).first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Edit backup configuration' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Exclude this machine/ })).toHaveCount(0);
  await page.context().close();
});

test('a configurer is offered configuration and exclusion, not restores', async ({ browser }) => {
  const page = await signedIn(browser, DEMO.logins.configurer);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Configuration' })).toBeVisible();
  await page.goto(`/machines/${web.uuid}`);
  await expect(page.getByRole('link', { name: 'Edit backup configuration' })).toBeVisible();
  await expect(page.getByRole('button', { name: /Exclude this machine/ })).toBeVisible();
  await expect(restoreLinks(page)).toHaveCount(0);
  const iteration = page.getByRole('table', { name: 'Backup iterations' }).locator('tbody tr').first().locator('td').first().getByRole('link');
  await iteration.click();
  await expect(page.getByRole('heading', { name: /^Iteration/ })).toBeVisible();
  await expect(page.getByRole('link', { name: /Restore this iteration/ })).toHaveCount(0);
  await page.goto(`/machines/${web.uuid}/restore/${page.url().split("/").pop()}`);
  await expect(page.getByRole('main').getByRole('alert')).toContainText('no "restore" right');
  await page.context().close();
});

test('a person limited to one pool sees only its machines and acts only there', async ({ browser }) => {
  const page = await signedIn(browser, DEMO.logins.production);
  const inPool = DEMO.machines.filter((m) => m.poolUuid === production.uuid);
  await expect(page.getByRole('table', { name: 'VM pools' }).locator('tbody tr')).toHaveCount(1);
  await page.goto('/machines');
  await expect(page.getByRole('table', { name: 'Machines' }).locator('tbody tr')).toHaveCount(inPool.length);
  await expect(page.getByRole('table', { name: 'Machines' })).not.toContainText('tpl-');
  await expect(page.getByRole('button', { name: 'Exclude web-01', exact: true })).toBeVisible();
  await screenshot(page, 'machines-one-pool');
  // The configuration of the whole cloud needs the right for every pool.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Configuration' })).toHaveCount(0);
  await page.goto(`/machines/${web.uuid}`);
  await expect(restoreLinks(page).first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Edit backup configuration' })).toBeVisible();
  await page.goto(`/machines/${template.uuid}`);
  await expect(page.getByRole('main').getByRole('alert')).toContainText(`may not see ${template.name}`);
  const api = await page.request.get(`/api/machines/${template.uuid}/iterations`);
  expect(api.status()).toBe(403);
  await page.context().close();
});
