import { DEMO } from '../scripts/directory/demo-directory';
import { expect, screenshot, test } from './fixtures';

test.use({ storageState: { cookies: [], origins: [] } });

async function signIn(page: import('@playwright/test').Page, login: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Login name').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an unauthenticated visitor is sent to the login page', async ({ page }) => {
  await page.goto('/machines');
  await expect(page).toHaveURL(/\/login/);
  const api = await page.request.get('/api/machines/00000000-0000-4000-8000-000000000000/iterations');
  expect(api.status()).toBe(401);
});

test('a wrong password is refused with its own message', async ({ page }) => {
  await signIn(page, DEMO.logins.admin.login, 'not-the-password');
  await expect(page.locator('form').getByRole('alert')).toHaveText('The password is not correct for this login name.');
  await screenshot(page, 'login-refused');
});

test('a person who is not an administrator is refused', async ({ page }) => {
  await signIn(page, DEMO.logins.user.login, DEMO.logins.user.password);
  await expect(page.locator('form').getByRole('alert')).toContainText('not an administrator');
  await expect(page).toHaveURL(/\/login/);
});

test('an unknown login name is refused', async ({ page }) => {
  await signIn(page, 'no-such-person', 'whatever');
  await expect(page.locator('form').getByRole('alert')).toContainText('no person with this login name');
});

test('an administrator signs in and out', async ({ page }) => {
  await signIn(page, DEMO.logins.admin.login, DEMO.logins.admin.password);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  const cookie = (await page.context().cookies()).find((c) => c.name === 'console_session');
  expect(cookie?.httpOnly).toBe(true);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});

test('a member of the configured administrators group gets in', async ({ page }) => {
  await signIn(page, DEMO.logins.operator.login, DEMO.logins.operator.password);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
});
