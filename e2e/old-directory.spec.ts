import type { Page } from '@playwright/test';
import { buildLargeCloud, LARGE, type LargeCloud } from '../scripts/directory/large-cloud';
import { compactUtc, type MachineSpec } from '../scripts/directory/cloud-ldif';
import { startSlapd, type RunningSlapd } from '../scripts/directory/slapd';
import { startConsole, type RunningConsole } from '../scripts/console-server';
import { freePort } from '../scripts/free-port';
import { expect, pagesOf, test, type Pages } from './fixtures';

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

const pick = (story: string): MachineSpec => {
  const m = cloud.spec.machines.find((x) => x.story === story);
  if (!m) throw new Error(`no machine whose story is ${story}`);
  return m;
};

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cloud = buildLargeCloud({
    seed: 'old-e2e',
    machines: 160,
    pools: 5,
    nodes: 4,
    disksPerMachine: 1,
    iterationsPerMachine: 5,
    now: builtAt,
    dataAgeYears: 2.5,
  });
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

/** The page objects on this test's own console. */
const on = (page: Page): Pages => pagesOf(page, app.url);

test.beforeEach(async ({ page }) => {
  const { loginPage } = on(page);
  await loginPage.signIn(LARGE.admin.login, LARGE.admin.password);
  await page.waitForURL((url) => url.pathname === '/');
});

test('the overview says nothing is protected, counts the stale, the stuck and the never backed up, and runs nothing', async ({ page }) => {
  const { overviewPage } = on(page);
  for (const [status, count] of Object.entries(cloud.facets)) {
    await expect(overviewPage.count(status), status).toHaveText(String(count));
  }
  await expect(overviewPage.count('protected')).toHaveText('0');
  await expect(overviewPage.count('running')).toHaveText('0');
  const attention = overviewPage.attention();
  await expect(attention).toContainText('Stuck since');
  await expect(attention).toContainText('Never backed up: it has no iteration at all.');
  await expect(attention).toContainText('older than the recovery point objective');
  for (const row of await overviewPage.withinObjective().allTextContents()) expect(['0%', '—']).toContain(row);
  // The last nights: nothing good anywhere.
  const good = await overviewPage.nights('pool-nights').totals('good');
  expect(good.every((n) => n === 0)).toBe(true);
  await overviewPage.screenshot('old-directory-overview');
});

test('a merge stuck since then says so on the list, the pool page and the machine page, with what to do', async ({ page }) => {
  const { machinesPage, poolsPage, machinePage, iterationPage } = on(page);
  const m = pick('a merge stuck since then');
  const stuck = m.iterations.find((i) => i.mode === 'merging' || i.mode === 'merge');
  const since = new Date(builtAt.getTime() - (stuck?.modifiedAgoMs ?? 0)).toISOString().slice(0, 16).replace('T', ' ');
  await machinesPage.open(`?q=${encodeURIComponent(m.name)}`);
  const row = machinesPage.rows().first();
  await expect(machinesPage.statusBadges(row)).toHaveText(/Stale.*Stuck/);
  await expect(machinesPage.rowReason(row)).toContainText(`Stuck since ${since} in merge`);
  await poolsPage.openUuid(m.poolUuid);
  const members = cloud.spec.machines.filter((x) => x.poolUuid === m.poolUuid);
  await expect(poolsPage.count('stuck')).toHaveText(String(members.filter((x) => x.expectedActivity === 'stuck').length));
  await expect(poolsPage.count('protected')).toHaveText('0');
  await poolsPage.screenshot('old-directory-pool');
  await machinePage.open(m.uuid);
  await expect(machinePage.statusActivity()).toContainText(`Stuck since ${since} in merge`);
  await expect(machinePage.statusActivity()).toContainText('limit the floor of 2 hours');
  await expect(machinePage.statusNext()).toContainText('leave that folder alone');
  await expect(machinePage.statusReason()).toContainText('older than the recovery point objective');
  await expect(machinePage.iterations()).toContainText(/— stuck/);
  await expect(machinePage.liveRefresh()).toHaveCount(0);
  await machinePage.screenshot('old-directory-stuck-merge');
  // The iteration's own page tells the same story.
  await machinePage.statusActivity().getByRole('link').click();
  await expect(iterationPage.activity()).toContainText(`Stuck since ${since} in merge`);
});

test('a half-way prune is a stuck prune and a restore left in phase 1 is abandoned, its first step shown done', async ({ page }) => {
  const { machinePage, restoreWizard } = on(page);
  await machinePage.open(pick('a prune left half-way').uuid);
  await expect(machinePage.statusActivity()).toContainText('in prune of an old iteration (deleting its files)');
  await expect(machinePage.statusActivity()).not.toContainText('Backup in progress');
  const restore = pick('a restore abandoned in phase 1');
  await machinePage.open(restore.uuid);
  await expect(machinePage.statusActivity()).toContainText('restore phase 1 (waiting for a decision)');
  await expect(machinePage.statusNext()).toContainText('Open the restore and finish it or abort it');
  const left = restore.iterations.find((i) => i.mode === 'unretainedSmallFiles');
  const waiting = compactUtc(new Date(builtAt.getTime() - (left?.agoMs ?? 0)));
  await expect(machinePage.finishedCell(machinePage.iterationRow(waiting))).toContainText('not finished');
  await restoreWizard.open(restore.uuid, waiting);
  await expect(restoreWizard.stepsOfBoth('done').filter({ hasText: 'Unretain the small files' })).toBeVisible();
  await expect(restoreWizard.stepsOfBoth('done')).toHaveCount(1);
  await restoreWizard.screenshot('old-directory-abandoned-restore');
});

test('a clone without ou=backup is excluded by design and a machine without one is never backed up', async ({ page }) => {
  const { machinePage } = on(page);
  await machinePage.open(pick('dynamic clone without ou=backup').uuid);
  await expect(machinePage.statusBadges()).toHaveText('Excluded · dynamic clone');
  await expect(machinePage.excludeButton()).toHaveCount(0);
  await machinePage.open(pick('created then, never got an ou=backup').uuid);
  await expect(machinePage.statusBadges()).toHaveText('Never backed up');
  await expect(machinePage.statusReason()).toHaveText('Never backed up: it has no iteration at all.');
});
