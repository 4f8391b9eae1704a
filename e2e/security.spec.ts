import type { APIResponse, Page, Response } from '@playwright/test';
import { DEMO } from '../scripts/directory/demo-directory';
import { expect, test } from './fixtures';

/**
 * Every page under the content security policy: Chromium reports each violation as a
 * `securitypolicyviolation` event (collected from before the page's own scripts run) and as a
 * console message. A page passes when neither appears and its scripts ran (it hydrated).
 */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const messages: string[] = [];
  page.on('console', (m) => {
    if (/content security policy/i.test(m.text())) messages.push(m.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  return async () => [...messages, ...(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations))];
}

function expectSecurityHeaders(response: Response | APIResponse | null, nonce = true) {
  const headers = response?.headers() ?? {};
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  if (nonce) expect(headers['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
}

const web = DEMO.machines.find((m) => m.name === 'web-01');
const waiting = DEMO.machines.find((m) => m.name === 'tpl-debian-12');
const production = DEMO.pools.find((p) => p.name === 'Production servers');
if (!web || !waiting || !production) throw new Error('demo data changed');

async function firstIterationHref(page: Page, uuid: string, column: 'iteration' | 'restore'): Promise<string> {
  await page.goto(`/machines/${uuid}`);
  const row = page.getByRole('table', { name: 'Backup iterations' }).locator('tbody tr').last();
  const link = column === 'iteration' ? row.locator('td').first().getByRole('link') : row.locator('td').last().getByRole('link');
  return (await link.getAttribute('href')) ?? '';
}

test('every page carries the security headers and renders without a CSP violation', async ({ page }) => {
  test.setTimeout(120_000);
  const violations = await watchViolations(page);
  const iteration = await firstIterationHref(page, web.uuid, 'iteration');
  const restore = await firstIterationHref(page, web.uuid, 'restore');
  const waitingRestore = await firstIterationHref(page, waiting.uuid, 'restore');
  const paths = [
    '/',
    '/pools',
    `/pools/${production.uuid}`,
    `/pools/${production.uuid}/backup`,
    '/machines',
    '/machines?status=failed',
    '/history',
    `/machines/${web.uuid}`,
    `/machines/${web.uuid}/backup`,
    iteration,
    restore,
    waitingRestore,
    '/nodes',
    '/configuration',
    '/audit',
    '/no-such-page',
  ];
  for (const path of paths) {
    const response = await page.goto(path);
    expectSecurityHeaders(response);
    // Hydrated: the client-side navigation links work only when the page's scripts ran.
    await expect(page.getByRole('link').first()).toBeVisible();
    await page.waitForLoadState('load');
    // Scripts the policy blocks are reported as they load; give the page's chunks a moment to arrive.
    await page.waitForTimeout(300);
    expect(await violations(), path).toEqual([]);
  }
  // The watcher does see a violation when there is one: an image from another site.
  await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<img alt="" src="http://evil.invalid/pixel.png">'));
  await expect.poll(async () => (await violations()).some((v) => v.startsWith('img-src http://evil.invalid/pixel.png'))).toBe(true);
});

test('react-query polling and server actions work under the policy', async ({ page }) => {
  const violations = await watchViolations(page);
  const running = DEMO.machines.find((m) => m.name === 'app-01');
  if (!running) throw new Error('demo data changed');
  // app-01's backup is running, so its iteration table asks the server again every few seconds.
  await page.goto(`/machines/${running.uuid}`);
  await expect(page.getByTestId('live-refresh')).toBeVisible();
  const poll = await page.waitForResponse((r) => r.url().includes(`/api/machines/${running.uuid}/iterations`), { timeout: 10_000 });
  expect(poll.status()).toBe(200);
  expectSecurityHeaders(poll, false);

  // A server action there and back: exclude files-01, include it again.
  const files = DEMO.machines.find((m) => m.name === 'files-01');
  if (!files) throw new Error('demo data changed');
  await page.goto(`/machines/${files.uuid}`);
  await page.getByRole('button', { name: 'Exclude this machine from backup' }).click();
  await expect(page.getByTestId('excluded')).toContainText('yes');
  await page.getByRole('button', { name: 'Include this machine in backups again' }).click();
  await expect(page.getByTestId('excluded')).toHaveText('no');
  expect(await violations()).toEqual([]);
});

test('the sign-in page passes the policy too, and refuses to be framed', async ({ browser }) => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  const violations = await watchViolations(page);
  const response = await page.goto('/login');
  expectSecurityHeaders(response);
  await page.getByLabel('Login name').fill('nobody');
  await page.getByLabel('Password').fill('x');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('form').getByRole('alert')).toBeVisible();
  expect(await violations()).toEqual([]);
  await context.close();
});

test.describe('requests the console refuses before reading them', () => {
  // Signed out: the sign-in page, whose form names the action these requests call.
  test.use({ storageState: { cookies: [], origins: [] } });

  test('too large, of unknown length, of the wrong type or malformed: a 4xx with a sentence', async ({ request }) => {
    const login = await request.get('/login');
    const action = /&quot;id&quot;:&quot;([0-9a-f]+)&quot;/.exec(await login.text())?.[1] ?? '';
    expect(action).not.toBe('');
    const post = (headers: Record<string, string>, data: string | Buffer) => request.post('/login', { headers: { 'next-action': action, ...headers }, data });

    const tooLarge = await post({ 'content-type': 'text/plain;charset=UTF-8' }, Buffer.alloc(1024 * 1024 + 10, 'a'));
    expect(tooLarge.status()).toBe(413);
    expect(await tooLarge.text()).toMatch(/^The request body is larger than 1024 KiB/);
    expectSecurityHeaders(tooLarge, false);

    const json = await post({ 'content-type': 'application/json' }, '[]');
    expect(json.status()).toBe(415);

    for (const [type, body] of [
      ['text/plain;charset=UTF-8', '{{{ not json'],
      ['text/plain;charset=UTF-8', '["$Q99"]'],
      ['multipart/form-data; boundary=XYZ', 'no parts at all'],
    ]) {
      const malformed = await post({ 'content-type': type }, body);
      expect(malformed.status(), body).toBe(400);
      expect(await malformed.text()).toMatch(/^The request body is malformed/);
    }

    // An action called with arguments of the wrong shape answers with its own refusal, not a 500.
    const wrongShape = await post({ 'content-type': 'text/plain;charset=UTF-8' }, '[{"a":1},{"b":2}]');
    expect(wrongShape.status()).toBe(200);
  });
});

test('route handlers: 400 for bad parameters with the value cut short, 405 for other methods', async ({ request }) => {
  const long = 'x'.repeat(5000);
  const bad = await request.get(`/api/machines/${long}/iterations`);
  expect(bad.status()).toBe(400);
  const text = await bad.text();
  expect(text).not.toContain(long.slice(0, 200));
  expect(JSON.parse(text).error).toMatch(/^The request is not valid/);
  expect((await request.post('/api/nodes', { data: {} })).status()).toBe(405);
});
