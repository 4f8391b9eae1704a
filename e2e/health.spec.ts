import { DEMO, DEMO_SPEC } from '../scripts/directory/demo-directory';
import { compactUtc, stepSecondsOf, type MachineSpec } from '../scripts/directory/cloud-ldif';
import { demoNode } from './demo-node';
import { expect, test } from './fixtures';
import { directoryBuiltAt, E2E_METRICS_TOKEN, expectedNights, nightDates } from './history-expectation';

const ZONE = 'Europe/Zurich';
/** "Thu 12 Mar 2026" of a YYYYMMDD date, as the grid words a night. */
const nightLabel = (date: string) =>
  new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))))
    .toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })
    .replace(',', '');
const spec = (name: string): MachineSpec => {
  const m = DEMO_SPEC.machines.find((x) => x.name === name);
  if (!m) throw new Error(`demo machine ${name} missing`);
  return m;
};

test('the overview history grid shows each night of the machines needing attention as the directory has it', async ({ overviewPage }) => {
  await overviewPage.open();
  const now = directoryBuiltAt();
  const dates = nightDates(new Date(), ZONE).map((n) => n.date);
  const grid = overviewPage.nights('attention-nights');
  await expect(grid.rows().first()).toBeVisible();
  const attention = DEMO.machines.filter(
    (m) => ['stale', 'never'].includes(m.protection) || ['failed', 'stuck'].includes(m.activity ?? ''),
  );
  await expect(grid.rows()).toHaveCount(attention.length);
  for (const m of attention) {
    const row = grid.row(m.uuid);
    const cells = grid.cells(row);
    // One cell per night, oldest first; each says which night it is.
    await expect(cells).toHaveCount(dates.length);
    expect(await cells.first().getAttribute('aria-label')).toContain(nightLabel(dates[0]));
    expect(await cells.last().getAttribute('aria-label')).toContain(nightLabel(dates.at(-1) ?? ''));
    expect(await grid.states(row), m.name).toEqual(expectedNights(DEMO_SPEC, spec(m.name), now, ZONE));
  }
  // Each night's totals count every machine of the fleet.
  const perNight = DEMO_SPEC.machines.map((m) => expectedNights(DEMO_SPEC, m, now, ZONE));
  const pools = overviewPage.nights('pool-nights');
  expect(await pools.totals('good')).toEqual(dates.map((_, i) => perNight.filter((n) => n[i] === 'good').length));
  expect(await pools.totals('missing')).toEqual(dates.map((_, i) => perNight.filter((n) => n[i] === 'missing').length));
  await pools.svg().scrollIntoViewIfNeeded();
  await overviewPage.screenshot('overview-history-grid');
});

test('the grid is one tab stop with arrow keys and shows each cell in words', async ({ overviewPage }) => {
  await overviewPage.open();
  const grid = overviewPage.nights('attention-nights');
  const keyboard = overviewPage.page.keyboard;
  const first = grid.cells().first();
  await overviewPage.focusChartCell(first);
  const tooltip = overviewPage.chartTooltip();
  const firstLabel = await first.getAttribute('aria-label');
  await expect(tooltip).toHaveText(firstLabel ?? '');
  await keyboard.press('ArrowRight');
  const second = grid.cells().nth(1);
  await expect(second).toBeFocused();
  await expect(tooltip).toHaveText((await second.getAttribute('aria-label')) ?? '');
  await expect(second).toHaveAttribute('tabindex', '0');
  await expect(first).toHaveAttribute('tabindex', '-1');
  await keyboard.press('ArrowDown');
  await expect(grid.cells(grid.rows().nth(1)).nth(1)).toBeFocused();
  await keyboard.press('End');
  const last = grid.cells(grid.rows().nth(1)).last();
  await expect(last).toBeFocused();
  await expect(tooltip).toHaveText((await last.getAttribute('aria-label')) ?? '');
  await overviewPage.screenshot('history-grid-tooltip');
});

test('the pool page counts against the objective, shows its machines night by night, and sets its own objective', async ({
  poolsPage,
  machinePage,
  auditPage,
}) => {
  const production = DEMO.pools.find((p) => p.name === 'Production servers');
  await poolsPage.openUuid(production?.uuid ?? '');
  const members = DEMO.machines.filter((m) => m.poolUuid === production?.uuid);
  for (const status of ['protected', 'stale', 'never', 'excluded', 'failed', 'running'] as const) {
    await expect(poolsPage.count(status), status).toHaveText(
      String(members.filter((m) => m.protection === status || m.activity === status).length),
    );
  }
  const now = directoryBuiltAt();
  const grid = poolsPage.nights('pool-machine-nights');
  await expect(grid.rows()).toHaveCount(members.length);
  for (const m of members) {
    expect(await grid.states(grid.row(m.uuid)), m.name).toEqual(expectedNights(DEMO_SPEC, spec(m.name), now, ZONE));
  }
  await grid.svg().scrollIntoViewIfNeeded();
  await poolsPage.screenshot('pool-history-grid');

  // 2 days instead of each plan's 30 hours: mail-01 (last good 44 hours ago) is no longer stale.
  const stale = members.filter((m) => m.protection === 'stale').length;
  const objective = poolsPage.objective();
  try {
    await objective.save('48');
    await expect(objective.result()).toContainText('is now 2 days');
    await poolsPage.page.reload();
    await expect(poolsPage.count('stale')).toHaveText(String(stale - 1));
    await expect(objective.effective()).toContainText('older than 2 days');
    await machinePage.open(spec('mail-01').uuid);
    await expect(machinePage.statusReason()).toContainText(
      "within the recovery point objective (2 days: the pool's recovery point objective)",
    );
    await auditPage.open();
    await expect(auditPage.table()).toContainText('Set the recovery point objective');
  } finally {
    await poolsPage.openUuid(production?.uuid ?? '');
    if (await objective.useDefaultButton().isVisible()) {
      await objective.useDefaultButton().click();
      await expect(objective.result()).toContainText('the default');
    }
  }
  await poolsPage.page.reload();
  await expect(poolsPage.count('stale')).toHaveText(String(stale));
});

test('an objective that is not a number of hours is refused next to the field', async ({ overviewPage }) => {
  await overviewPage.open();
  const objective = overviewPage.objective();
  await objective.save('soon');
  await expect(objective.error()).toContainText('Enter a number of hours');
  await objective.save('0.1');
  await expect(objective.error()).toContainText('Enter between 1 and 8784 hours');
  await expect(objective.field()).toHaveAttribute('aria-invalid', 'true');
});

test("the machine chart shows each iteration's steps, result and size as the directory and the node have them", async ({ machinePage }) => {
  const web = spec('web-01');
  const now = directoryBuiltAt();
  await machinePage.open(web.uuid);
  const chart = machinePage.chart();
  const bars = chart.bars();
  const iterations = [...web.iterations].sort((a, b) => b.agoMs - a.agoMs);
  const names = iterations.map((it) => compactUtc(new Date(now.getTime() - it.agoMs)));
  await expect(bars).toHaveCount(names.length);
  expect(await chart.barsAttribute('data-iteration')).toEqual(names);
  expect(await chart.barsAttribute('data-result')).toEqual(names.map(() => 'good'));
  const tree = demoNode().tree.machines.find((m) => m.uuid === web.uuid);
  await expect(chart.sizesNote()).toContainText('apparent bytes');
  for (const [i, it] of iterations.entries()) {
    const bar = bars.nth(i);
    const s = stepSecondsOf(it);
    const label = await bar.getAttribute('aria-label');
    expect(label).toContain(`snapshot ${s.snapshot} s`);
    expect(label).toContain(`downtime ${s.downtime} s`);
    expect(label).toMatch(new RegExp(`merge ${Math.floor(s.merge / 60)} min ${s.merge % 60} s`));
    // Stacked: the merge segment is as much taller than the snapshot as the merge took longer.
    const heights = await chart.stepHeights(bar);
    expect(heights.merge / heights.snapshot).toBeCloseTo(s.merge / s.snapshot, 0);
    const size = tree?.iterations.find((x) => x.name === names[i])?.files.reduce((a, f) => a + f.sizeBytes, 0);
    await expect(chart.barSize(bar)).toHaveAttribute('data-size', String(size));
  }
  // mail-01: a failed merge is a failed bar, without step times.
  await machinePage.open(spec('mail-01').uuid);
  // Polled: right after the navigation the previous machine's bars may still be on the page.
  await expect.poll(() => chart.barsAttribute('data-result')).toEqual(['good', 'failed']);
  await expect(bars.last()).toHaveAttribute('aria-label', /failed in mode merging with code 11 CANNOT_MERGE_DISK_IMAGES/);
  await machinePage.open(web.uuid);
  await chart.svg().scrollIntoViewIfNeeded();
  await machinePage.focusChartCell(bars.last());
  await expect(machinePage.chartTooltip()).toContainText(names.at(-1) ?? '');
  await machinePage.screenshot('machine-backup-chart');
});

test('an iteration being restored is not "finished", and its restore shows the first step done', async ({ machinePage }) => {
  const tpl = spec('tpl-debian-12');
  const now = directoryBuiltAt();
  const waiting = tpl.iterations.find((i) => i.mode === 'unretainedSmallFiles');
  const name = compactUtc(new Date(now.getTime() - (waiting?.agoMs ?? 0)));
  await machinePage.open(tpl.uuid);
  const row = machinePage.iterationRow(name);
  await expect(machinePage.finishedCell(row)).toContainText('not finished');
  await expect(machinePage.finishedCell(row)).toContainText('last step ended');
  await expect(machinePage.statusBadges()).toContainText('Protected');
  await expect(machinePage.statusBadges()).toContainText('Running');
});

test('a dynamic clone tells one story: excluded, no buttons, no configuration form, not a follower', async ({
  machinePage,
  backupConfigPage,
  machinesPage,
  poolsPage,
}) => {
  const clone = spec('golden-desktop clone');
  await machinePage.open(clone.uuid);
  await expect(machinePage.statusBadges()).toHaveText('Excluded · dynamic clone');
  await expect(machinePage.statusReason()).toHaveText(
    'Dynamic clone: it is rebuilt from its golden image, and fc-brokerd never backs clones up.',
  );
  await expect(machinePage.excluded()).toContainText('dynamic clone');
  await expect(machinePage.cloneNote()).toBeVisible();
  await expect(machinePage.exclusionButtons()).toHaveCount(0);
  await expect(machinePage.editConfigurationLink()).toHaveCount(0);
  await backupConfigPage.openMachine(clone.uuid);
  await expect(backupConfigPage.cloneNote()).toContainText('writes no backup configuration under it');
  await expect(backupConfigPage.saveButtons()).toHaveCount(0);
  await machinesPage.open('?q=clone');
  await expect(machinesPage.rowButton('Exclude', clone.name)).toHaveCount(0);
  await expect(machinesPage.table()).toContainText('none (clone)');
  await backupConfigPage.openCloud();
  await expect(backupConfigPage.cloneNote()).toContainText('1 dynamic clone is not listed');
  const classroom = DEMO.pools.find((p) => p.name === 'Classroom desktops');
  await poolsPage.openUuid(classroom?.uuid ?? '');
  await expect(poolsPage.followers()).toContainText('1 is a dynamic clone, which fc-brokerd never backs up');
  await poolsPage.screenshot('pool-with-clone');
});

test('the full history page pages through every machine, filtered like the machine list', async ({ historyPage }) => {
  await historyPage.open();
  await expect(historyPage.grid().rows()).toHaveCount(DEMO.machines.length);
  await historyPage.open('?status=stale');
  await expect(historyPage.grid().rows()).toHaveCount(DEMO.machines.filter((m) => m.protection === 'stale').length);
  await expect(historyPage.titleBlock()).toContainText('2 machines match');
  await historyPage.open();
  await historyPage.screenshot('history');
});

test('GET /api/metrics needs the bearer token and reports what the directory holds', async ({ request }) => {
  expect((await request.get('/api/metrics')).status()).toBe(401);
  expect(
    (await request.get('/api/metrics', { headers: { authorization: 'Bearer not-the-token-not-the-token-not-the-token' } })).status(),
  ).toBe(401);
  const response = await request.get('/api/metrics', { headers: { authorization: `Bearer ${E2E_METRICS_TOKEN}` } });
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const value = (pattern: RegExp) => {
    const line = text.split('\n').find((l) => pattern.test(l));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  for (const status of ['protected', 'stale', 'never', 'excluded', 'failed', 'stuck', 'running']) {
    expect(value(new RegExp(`^backup_console_machines\\{status="${status}"\\} `)), status).toBe(
      DEMO.machines.filter((m) => m.protection === status || m.activity === status).length,
    );
  }
  const now = directoryBuiltAt();
  const web = spec('web-01');
  const newest = Math.min(...web.iterations.map((i) => i.stateAgoMs ?? i.agoMs));
  expect(value(new RegExp(`^backup_console_machine_last_good_backup_timestamp_seconds\\{uuid="${web.uuid}",machine="web-01",`))).toBe(
    Math.floor((now.getTime() - newest) / 1000),
  );
  const mail = spec('mail-01');
  expect(value(new RegExp(`^backup_console_machine_status\\{uuid="${mail.uuid}",.*status="failed"\\} `))).toBe(1);
  expect(value(new RegExp(`^backup_console_machine_status\\{uuid="${mail.uuid}",.*status="stale"\\} `))).toBe(1);
  expect(value(new RegExp(`^backup_console_machine_excluded\\{uuid="${spec('golden-desktop clone').uuid}",`))).toBe(1);
  expect(value(new RegExp(`^backup_console_machine_excluded\\{uuid="${web.uuid}",`))).toBe(0);
  expect(text).toMatch(
    new RegExp(
      `^backup_console_machine_status\\{uuid="${spec('Legacy ERP, Müller & Söhne').uuid}",machine="Legacy ERP, Müller & Söhne",.*status="excluded"\\} 1$`,
      'm',
    ),
  );
  for (const node of DEMO.nodes) expect(value(new RegExp(`^backup_console_node_up\\{node="${node.fqdn}"\\} `)), node.fqdn).toBe(1);
  expect(value(/^backup_console_directory_up /)).toBe(1);
  expect(text).not.toMatch(/^backup_console_machine_stuck_since_timestamp_seconds\{/m);
});
