import { DEMO } from '../scripts/directory/demo-directory';
import { expect, screenshot, test } from './fixtures';

test.use({ storageState: { cookies: [], origins: [] } });

const WRONG = 'The login name or the password is not correct.';

async function signIn(page: import('@playwright/test').Page, login: string, password: string, path = '/login') {
  await page.goto(path);
  await page.getByLabel('Login name').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an unauthenticated visitor is sent to the login page, and back where they were after signing in', async ({ page }) => {
  await page.goto('/machines?status=failed');
  await expect(page).toHaveURL(/\/login\?next=%2Fmachines%3Fstatus%3Dfailed$/);
  const api = await page.request.get('/api/machines/00000000-0000-4000-8000-000000000000/iterations');
  expect(api.status()).toBe(401);
  await page.getByLabel('Login name').fill(DEMO.logins.admin.login);
  await page.getByLabel('Password').fill(DEMO.logins.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/machines\?status=failed$/);
  await expect(page.getByRole('heading', { name: 'Machines' })).toBeVisible();
});

test('an unknown name and a wrong password get the same answer', async ({ page }) => {
  await signIn(page, DEMO.logins.admin.login, 'not-the-password');
  await expect(page.locator('form').getByRole('alert')).toHaveText(WRONG);
  await screenshot(page, 'login-refused');
  await signIn(page, 'no-such-person', 'whatever');
  await expect(page.locator('form').getByRole('alert')).toHaveText(WRONG);
});

test('a person without any right in the console is refused, once the password is right', async ({ page }) => {
  await signIn(page, DEMO.logins.user.login, DEMO.logins.user.password);
  await expect(page.locator('form').getByRole('alert')).toContainText('no right in the backup console');
  await expect(page).toHaveURL(/\/login/);
});

test('an administrator signs in and out; the signed-out cookie no longer works', async ({ page, context }) => {
  await signIn(page, DEMO.logins.admin.login, DEMO.logins.admin.password);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  const cookie = (await context.cookies()).find((c) => c.name === 'console_session');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Lax');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  // A copy of the cookie (another tab, a stolen one) is refused too: the session ended on the server.
  if (!cookie) throw new Error('no session cookie');
  await context.addCookies([cookie]);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  expect((await page.request.get('/api/nodes')).status()).toBe(401);
});

test('a member of the configured administrators group gets in', async ({ page }) => {
  await signIn(page, DEMO.logins.operator.login, DEMO.logins.operator.password);
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
});

for (const next of ['/.//evil.example', '//evil.example/', 'https://evil.example/', '/%2F%2Fevil.example', '/\\evil.example']) {
  test(`next=${next} stays on the console`, async ({ page, baseURL }) => {
    await signIn(page, DEMO.logins.viewer.login, DEMO.logins.viewer.password, `/login?next=${encodeURIComponent(next)}`);
    await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
    expect(new URL(page.url()).origin).toBe(new URL(baseURL ?? '').origin);
    expect(new URL(page.url()).pathname).toBe('/');
  });
}

test.describe('guessing passwords', () => {
  // Its own client address (the console reads X-Forwarded-For as Next.js passes it), so other tests' failures do not count here.
  test.use({ extraHTTPHeaders: { 'x-forwarded-for': '198.51.100.77' } });

  test('the eleventh wrong password in a minute is paused, and says until when', async ({ page }) => {
    for (let i = 1; i <= 10; i += 1) {
      await signIn(page, DEMO.logins.user.login, `guess-${i}`);
      await expect(page.locator('form').getByRole('alert')).toContainText(WRONG);
    }
    await expect(page.locator('form').getByRole('alert')).toContainText('Too many failed sign-ins for this login name');
    // The right password does not help now: it is not even checked.
    await signIn(page, DEMO.logins.user.login, DEMO.logins.user.password);
    await expect(page.locator('form').getByRole('alert')).toHaveText(/^Too many failed sign-ins for this login name: signing in is paused until \d\d:\d\d:\d\d \(in \d+ seconds\)\./);
    await screenshot(page, 'login-paused');
  });
});
