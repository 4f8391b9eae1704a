import { DEMO } from '../scripts/directory/demo-directory';
import { expect, test } from './fixtures';

test.use({ storageState: { cookies: [], origins: [] } });

const WRONG = 'The login name or the password is not correct.';

test('an unauthenticated visitor is sent to the login page, and back where they were after signing in', async ({
  loginPage,
  machinesPage,
}) => {
  await machinesPage.open('?status=failed');
  await expect(loginPage.page).toHaveURL(/\/login\?next=%2Fmachines%3Fstatus%3Dfailed$/);
  const api = await loginPage.page.request.get('/api/machines/00000000-0000-4000-8000-000000000000/iterations');
  expect(api.status()).toBe(401);
  await loginPage.fill(DEMO.logins.admin.login, DEMO.logins.admin.password);
  await expect(loginPage.page).toHaveURL(/\/machines\?status=failed$/);
  await expect(machinesPage.title('Machines')).toBeVisible();
});

test('an unknown name and a wrong password get the same answer', async ({ loginPage }) => {
  await loginPage.signIn(DEMO.logins.admin.login, 'not-the-password');
  await expect(loginPage.refusal()).toHaveText(WRONG);
  await loginPage.screenshot('login-refused');
  await loginPage.signIn('no-such-person', 'whatever');
  await expect(loginPage.refusal()).toHaveText(WRONG);
});

test('a person without any right in the console is refused, once the password is right', async ({ loginPage }) => {
  await loginPage.signIn(DEMO.logins.user.login, DEMO.logins.user.password);
  await expect(loginPage.refusal()).toContainText('no right in the backup console');
  await expect(loginPage.page).toHaveURL(/\/login/);
});

test('an administrator signs in and out; the signed-out cookie no longer works', async ({ loginPage, overviewPage, context }) => {
  await loginPage.signIn(DEMO.logins.admin.login, DEMO.logins.admin.password);
  await expect(overviewPage.title('Overview')).toBeVisible();
  const cookie = (await context.cookies()).find((c) => c.name === 'console_session');
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe('Lax');
  await overviewPage.signOut();
  await expect(loginPage.page).toHaveURL(/\/login/);
  // A copy of the cookie (another tab, a stolen one) is refused too: the session ended on the server.
  if (!cookie) throw new Error('no session cookie');
  await context.addCookies([cookie]);
  await overviewPage.open();
  await expect(loginPage.page).toHaveURL(/\/login/);
  expect((await loginPage.page.request.get('/api/nodes')).status()).toBe(401);
});

test('a member of the configured administrators group gets in', async ({ loginPage, overviewPage }) => {
  await loginPage.signIn(DEMO.logins.operator.login, DEMO.logins.operator.password);
  await expect(overviewPage.title('Overview')).toBeVisible();
});

for (const next of ['/.//evil.example', '//evil.example/', 'https://evil.example/', '/%2F%2Fevil.example', '/\\evil.example']) {
  test(`next=${next} stays on the console`, async ({ loginPage, overviewPage, baseURL }) => {
    await loginPage.signIn(DEMO.logins.viewer.login, DEMO.logins.viewer.password, `/login?next=${encodeURIComponent(next)}`);
    await expect(overviewPage.title('Overview')).toBeVisible();
    expect(new URL(loginPage.page.url()).origin).toBe(new URL(baseURL ?? '').origin);
    expect(new URL(loginPage.page.url()).pathname).toBe('/');
  });
}

test.describe('guessing passwords', () => {
  // Its own client address (the console reads X-Forwarded-For as Next.js passes it), so other tests' failures do not count here.
  test.use({ extraHTTPHeaders: { 'x-forwarded-for': '198.51.100.77' } });

  test('the eleventh wrong password in a minute is paused, and says until when', async ({ loginPage }) => {
    for (let i = 1; i <= 10; i += 1) {
      await loginPage.signIn(DEMO.logins.user.login, `guess-${i}`);
      await expect(loginPage.refusal()).toContainText(WRONG);
    }
    await expect(loginPage.refusal()).toContainText('Too many failed sign-ins for this login name');
    // The right password does not help now: it is not even checked.
    await loginPage.signIn(DEMO.logins.user.login, DEMO.logins.user.password);
    await expect(loginPage.refusal()).toHaveText(
      /^Too many failed sign-ins for this login name: signing in is paused until \d\d:\d\d:\d\d \(in \d+ seconds\)\./,
    );
    await loginPage.screenshot('login-paused');
  });
});
