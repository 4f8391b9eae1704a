import { createServer } from 'node:net';
import { buildLargeCloud, LARGE, type LargeCloud } from '../scripts/directory/large-cloud';
import { compactUtc, type MachineSpec } from '../scripts/directory/cloud-ldif';
import { startSlapd, type RunningSlapd } from '../scripts/directory/slapd';
import { startConsole, type RunningConsole } from '../scripts/console-server';
import { expect, screenshot, test } from './fixtures';

/**
 * The console against a directory nobody looked after for two and a half years, in its own
 * slapd and its own console process (on a free port): what a new administrator sees first.
 */
test.use({ storageState: { cookies: [], origins: [] } });
test.describe.configure({ mode: 'serial' });

let slapd: RunningSlapd;
let app: RunningConsole;
let cloud: LargeCloud;
/** The moment the directory was generated for (whole seconds, as the generator keeps it). */
const builtAt = new Date(Math.floor(Date.now() / 1000) * 1000);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const pick = (story: string): MachineSpec => {
  const m = cloud.spec.machines.find((x) => x.story === story);
  if (!m) throw new Error(`no machine whose story is ${story}`);
  return m;
};

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cloud = buildLargeCloud({ seed: 'old-e2e', machines: 160, pools: 5, nodes: 4, disksPerMachine: 1, iterationsPerMachine: 5, now: builtAt, dataAgeYears: 2.5 });
  slapd = await startSlapd({ baseDn: cloud.baseDn, rootDn: LARGE.rootDn, rootPassword: LARGE.rootPassword, ldif: [cloud.ldif] });
  app = await startConsole({
    port: await freePort(),
    quiet: true,
    env: {
      LDAP_URL: slapd.url,
      LDAP_BASE_DN: cloud.baseDn,
      LDAP_BIND_DN: LARGE.rootDn,
      LDAP_BIND_PASSWORD: LARGE.rootPassword,
      SESSION_SECRET: 'old-directory-e2e-secret-old-directory-e2e-secret',
      CONSOLE_TIME_ZONE: 'UTC',
      NODE_TIME_ZONE: 'UTC',
      NODE_SSH_PRIVATE_KEY_FILE: '',
      NODE_SSH_KNOWN_HOSTS_FILE: '',
    },
  });
});

test.afterAll(async () => {
  await app?.stop();
  await slapd?.stop();
});

test.beforeEach(async ({ page }) => {
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Login name').fill(LARGE.admin.login);
  await page.getByLabel('Password').fill(LARGE.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/');
});

test('the overview says nothing is protected, counts the stale, the stuck and the never backed up, and runs nothing', async ({ page }) => {
  for (const [status, count] of Object.entries(cloud.facets)) {
    await expect(page.getByTestId(`count-${status}`).locator('div').first(), status).toHaveText(String(count));
  }
  await expect(page.getByTestId('count-protected').locator('div').first()).toHaveText('0');
  await expect(page.getByTestId('count-running').locator('div').first()).toHaveText('0');
  const attention = page.getByRole('table', { name: 'Machines needing attention' });
  await expect(attention).toContainText('Stuck since');
  await expect(attention).toContainText('Never backed up: it has no iteration at all.');
  await expect(attention).toContainText('older than the recovery point objective');
  for (const row of await page.getByRole('table', { name: 'VM pools' }).getByTestId('within-objective').allTextContents()) expect(['0%', '—']).toContain(row);
  // The last nights: nothing good anywhere.
  const good = await page.getByTestId('pool-nights-total-good').locator('text[data-night]').allTextContents();
  expect(good.every((n) => n === '0')).toBe(true);
  await screenshot(page, 'old-directory-overview');
});

test('a merge stuck since then says so on the list, the pool page and the machine page, with what to do', async ({ page }) => {
  const m = pick('a merge stuck since then');
  const stuck = m.iterations.find((i) => i.mode === 'merging' || i.mode === 'merge');
  const since = new Date(builtAt.getTime() - (stuck?.modifiedAgoMs ?? 0)).toISOString().slice(0, 16).replace('T', ' ');
  await page.goto(`${app.url}/machines?q=${encodeURIComponent(m.name)}`);
  const row = page.getByRole('table', { name: 'Machines' }).locator('tbody tr').first();
  await expect(row.getByTestId('status-badges')).toHaveText(/Stale.*Stuck/);
  await expect(row.getByTestId('row-reason')).toContainText(`Stuck since ${since} in merge`);
  await page.goto(`${app.url}/pools/${m.poolUuid}`);
  const members = cloud.spec.machines.filter((x) => x.poolUuid === m.poolUuid);
  await expect(page.getByTestId('count-stuck').locator('div').first()).toHaveText(String(members.filter((x) => x.expectedActivity === 'stuck').length));
  await expect(page.getByTestId('count-protected').locator('div').first()).toHaveText('0');
  await screenshot(page, 'old-directory-pool');
  await page.goto(`${app.url}/machines/${m.uuid}`);
  await expect(page.getByTestId('status-activity')).toContainText(`Stuck since ${since} in merge`);
  await expect(page.getByTestId('status-activity')).toContainText('limit the floor of 2 hours');
  await expect(page.getByTestId('status-next')).toContainText('leave that folder alone');
  await expect(page.getByTestId('status-reason')).toContainText('older than the recovery point objective');
  await expect(page.getByRole('table', { name: 'Backup iterations' })).toContainText(/— stuck/);
  await expect(page.getByTestId('live-refresh')).toHaveCount(0);
  await screenshot(page, 'old-directory-stuck-merge');
  // The iteration's own page tells the same story.
  await page.getByTestId('status-activity').getByRole('link').click();
  await expect(page.getByTestId('iteration-activity')).toContainText(`Stuck since ${since} in merge`);
});

test('a half-way prune is a stuck prune and a restore left in phase 1 is abandoned, its first step shown done', async ({ page }) => {
  await page.goto(`${app.url}/machines/${pick('a prune left half-way').uuid}`);
  await expect(page.getByTestId('status-activity')).toContainText('in prune of an old iteration (deleting its files)');
  await expect(page.getByTestId('status-activity')).not.toContainText('Backup in progress');
  const restore = pick('a restore abandoned in phase 1');
  await page.goto(`${app.url}/machines/${restore.uuid}`);
  await expect(page.getByTestId('status-activity')).toContainText('restore phase 1 (waiting for a decision)');
  await expect(page.getByTestId('status-next')).toContainText('Open the restore and finish it or abort it');
  const left = restore.iterations.find((i) => i.mode === 'unretainedSmallFiles');
  const waiting = compactUtc(new Date(builtAt.getTime() - (left?.agoMs ?? 0)));
  await expect(page.getByRole('table', { name: 'Backup iterations' }).locator('tr', { hasText: waiting }).getByTestId('finished-cell')).toContainText('not finished');
  await page.goto(`${app.url}/machines/${restore.uuid}/restore/${waiting}`);
  await expect(page.locator('li[data-status="done"]', { hasText: 'Unretain the small files' })).toBeVisible();
  await expect(page.locator('li[data-status="done"]')).toHaveCount(1);
  await screenshot(page, 'old-directory-abandoned-restore');
});

test('a clone without ou=backup is excluded by design and a machine without one is never backed up', async ({ page }) => {
  await page.goto(`${app.url}/machines/${pick('dynamic clone without ou=backup').uuid}`);
  await expect(page.getByTestId('status-badges')).toHaveText('Excluded · dynamic clone');
  await expect(page.getByRole('button', { name: /Exclude this machine/ })).toHaveCount(0);
  await page.goto(`${app.url}/machines/${pick('created then, never got an ou=backup').uuid}`);
  await expect(page.getByTestId('status-badges')).toHaveText('Never backed up');
  await expect(page.getByTestId('status-reason')).toHaveText('Never backed up: it has no iteration at all.');
});
