import { DEMO, DEMO_SPEC } from '../scripts/directory/demo-directory';
import { compactUtc, stepSecondsOf, type MachineSpec } from '../scripts/directory/cloud-ldif';
import { demoNode } from './demo-node';
import { expect, screenshot, test } from './fixtures';
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

test('the overview history grid shows each night of the machines needing attention as the directory has it', async ({ page }) => {
  await page.goto('/');
  const now = directoryBuiltAt();
  const dates = nightDates(new Date(), ZONE).map((n) => n.date);
  const rows = page.getByTestId('attention-nights-row');
  await expect(rows.first()).toBeVisible();
  const attention = DEMO.machines.filter((m) => ['stale', 'never'].includes(m.protection) || ['failed', 'stuck'].includes(m.activity ?? ''));
  await expect(rows).toHaveCount(attention.length);
  for (const m of attention) {
    const row = page.locator(`[data-testid="attention-nights-row"][data-row="${m.uuid}"]`);
    const cells = row.locator('[data-cell]');
    // One cell per night, oldest first; each says which night it is.
    await expect(cells).toHaveCount(dates.length);
    expect(await cells.first().getAttribute('aria-label')).toContain(nightLabel(dates[0]));
    expect(await cells.last().getAttribute('aria-label')).toContain(nightLabel(dates.at(-1) ?? ''));
    expect(await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))), m.name).toEqual(expectedNights(DEMO_SPEC, spec(m.name), now, ZONE));
  }
  // Each night's totals count every machine of the fleet.
  const perNight = DEMO_SPEC.machines.map((m) => expectedNights(DEMO_SPEC, m, now, ZONE));
  const good = await page.getByTestId('pool-nights-total-good').locator('text[data-night]').allTextContents();
  expect(good.map(Number)).toEqual(dates.map((_, i) => perNight.filter((n) => n[i] === 'good').length));
  const missing = await page.getByTestId('pool-nights-total-missing').locator('text[data-night]').allTextContents();
  expect(missing.map(Number)).toEqual(dates.map((_, i) => perNight.filter((n) => n[i] === 'missing').length));
  await page.getByTestId('pool-nights-svg').scrollIntoViewIfNeeded();
  await screenshot(page, 'overview-history-grid');
});

test('the grid is one tab stop with arrow keys and shows each cell in words', async ({ page }) => {
  await page.goto('/');
  const first = page.locator('[data-testid="attention-nights-row"] [data-cell]').first();
  await first.focus();
  const tooltip = page.getByTestId('chart-tooltip');
  await expect(tooltip).toBeVisible();
  const firstLabel = await first.getAttribute('aria-label');
  await expect(tooltip).toHaveText(firstLabel ?? '');
  await page.keyboard.press('ArrowRight');
  const second = page.locator('[data-testid="attention-nights-row"] [data-cell]').nth(1);
  await expect(second).toBeFocused();
  await expect(tooltip).toHaveText((await second.getAttribute('aria-label')) ?? '');
  await expect(second).toHaveAttribute('tabindex', '0');
  await expect(first).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('[data-testid="attention-nights-row"]').nth(1).locator('[data-cell]').nth(1)).toBeFocused();
  await page.keyboard.press('End');
  const last = page.locator('[data-testid="attention-nights-row"]').nth(1).locator('[data-cell]').last();
  await expect(last).toBeFocused();
  await expect(tooltip).toHaveText((await last.getAttribute('aria-label')) ?? '');
  await screenshot(page, 'history-grid-tooltip');
});

test('the pool page counts against the objective, shows its machines night by night, and sets its own objective', async ({ page }) => {
  const production = DEMO.pools.find((p) => p.name === 'Production servers');
  await page.goto(`/pools/${production?.uuid}`);
  const members = DEMO.machines.filter((m) => m.poolUuid === production?.uuid);
  for (const status of ['protected', 'stale', 'never', 'excluded', 'failed', 'running'] as const) {
    await expect(page.getByTestId(`count-${status}`).locator('div').first(), status).toHaveText(String(members.filter((m) => m.protection === status || m.activity === status).length));
  }
  const now = directoryBuiltAt();
  const rows = page.getByTestId('pool-machine-nights-row');
  await expect(rows).toHaveCount(members.length);
  for (const m of members) {
    const cells = page.locator(`[data-testid="pool-machine-nights-row"][data-row="${m.uuid}"] [data-cell]`);
    expect(await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))), m.name).toEqual(expectedNights(DEMO_SPEC, spec(m.name), now, ZONE));
  }
  await page.getByTestId('pool-machine-nights-svg').scrollIntoViewIfNeeded();
  await screenshot(page, 'pool-history-grid');

  // 2 days instead of each plan's 30 hours: mail-01 (last good 44 hours ago) is no longer stale.
  const stale = members.filter((m) => m.protection === 'stale').length;
  try {
    await page.getByLabel('Recovery point objective (hours; empty for the default)').fill('48');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByTestId('pool-objective-result')).toContainText('is now 2 days');
    await page.reload();
    await expect(page.getByTestId('count-stale').locator('div').first()).toHaveText(String(stale - 1));
    await expect(page.getByTestId('pool-objective-effective')).toContainText('older than 2 days');
    await page.goto(`/machines/${spec('mail-01').uuid}`);
    await expect(page.getByTestId('status-reason')).toContainText("within the recovery point objective (2 days: the pool's recovery point objective)");
    await page.goto('/audit');
    await expect(page.getByRole('table', { name: 'Audit trail' })).toContainText('Set the recovery point objective');
  } finally {
    await page.goto(`/pools/${production?.uuid}`);
    const back = page.getByRole('button', { name: 'Use the default' });
    if (await back.isVisible()) {
      await back.click();
      await expect(page.getByTestId('pool-objective-result')).toContainText('the default');
    }
  }
  await page.reload();
  await expect(page.getByTestId('count-stale').locator('div').first()).toHaveText(String(stale));
});

test('an objective that is not a number of hours is refused next to the field', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Recovery point objective (hours; empty for the default)').fill('soon');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('#cloud-objective-error')).toContainText('Enter a number of hours');
  await page.getByLabel('Recovery point objective (hours; empty for the default)').fill('0.1');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('#cloud-objective-error')).toContainText('Enter between 1 and 8784 hours');
  await expect(page.getByLabel('Recovery point objective (hours; empty for the default)')).toHaveAttribute('aria-invalid', 'true');
});

test("the machine chart shows each iteration's steps, result and size as the directory and the node have them", async ({ page }) => {
  const web = spec('web-01');
  const now = directoryBuiltAt();
  await page.goto(`/machines/${web.uuid}`);
  const bars = page.locator('[data-testid="backup-chart-svg"] [data-cell]');
  const iterations = [...web.iterations].sort((a, b) => b.agoMs - a.agoMs);
  const names = iterations.map((it) => compactUtc(new Date(now.getTime() - it.agoMs)));
  await expect(bars).toHaveCount(names.length);
  expect(await bars.evaluateAll((els) => els.map((e) => e.getAttribute('data-iteration')))).toEqual(names);
  expect(await bars.evaluateAll((els) => els.map((e) => e.getAttribute('data-result')))).toEqual(names.map(() => 'good'));
  const tree = demoNode().tree.machines.find((m) => m.uuid === web.uuid);
  await expect(page.getByTestId('backup-chart-sizes')).toContainText('apparent bytes');
  for (const [i, it] of iterations.entries()) {
    const bar = bars.nth(i);
    const s = stepSecondsOf(it);
    const label = await bar.getAttribute('aria-label');
    expect(label).toContain(`snapshot ${s.snapshot} s`);
    expect(label).toContain(`downtime ${s.downtime} s`);
    expect(label).toMatch(new RegExp(`merge ${Math.floor(s.merge / 60)} min ${s.merge % 60} s`));
    // Stacked: the merge segment is as much taller than the snapshot as the merge took longer.
    const heights = await bar.locator('rect[data-step]').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-step'), Number(e.getAttribute('height'))])));
    expect(heights.merge / heights.snapshot).toBeCloseTo(s.merge / s.snapshot, 0);
    const size = tree?.iterations.find((x) => x.name === names[i])?.files.reduce((a, f) => a + f.sizeBytes, 0);
    await expect(bar.locator('text[data-size]')).toHaveAttribute('data-size', String(size));
  }
  // mail-01: a failed merge is a failed bar, without step times.
  await page.goto(`/machines/${spec('mail-01').uuid}`);
  const mail = page.locator('[data-testid="backup-chart-svg"] [data-cell]');
  expect(await mail.evaluateAll((els) => els.map((e) => e.getAttribute('data-result')))).toEqual(['good', 'failed']);
  await expect(mail.last()).toHaveAttribute('aria-label', /failed in mode merging with code 11 CANNOT_MERGE_DISK_IMAGES/);
  await page.goto(`/machines/${web.uuid}`);
  await page.getByTestId('backup-chart-svg').scrollIntoViewIfNeeded();
  await bars.last().focus();
  await expect(page.getByTestId('chart-tooltip')).toContainText(names.at(-1) ?? '');
  await screenshot(page, 'machine-backup-chart');
});

test('an iteration being restored is not "finished", and its restore shows the first step done', async ({ page }) => {
  const tpl = spec('tpl-debian-12');
  const now = directoryBuiltAt();
  const waiting = tpl.iterations.find((i) => i.mode === 'unretainedSmallFiles');
  const name = compactUtc(new Date(now.getTime() - (waiting?.agoMs ?? 0)));
  await page.goto(`/machines/${tpl.uuid}`);
  const row = page.getByRole('table', { name: 'Backup iterations' }).locator('tr', { hasText: name });
  await expect(row.getByTestId('finished-cell')).toContainText('not finished');
  await expect(row.getByTestId('finished-cell')).toContainText('last step ended');
  await expect(page.getByTestId('status-badges')).toContainText('Protected');
  await expect(page.getByTestId('status-badges')).toContainText('Running');
});

test('a dynamic clone tells one story: excluded, no buttons, no configuration form, not a follower', async ({ page }) => {
  const clone = spec('golden-desktop clone');
  await page.goto(`/machines/${clone.uuid}`);
  await expect(page.getByTestId('status-badges')).toHaveText('Excluded · dynamic clone');
  await expect(page.getByTestId('status-reason')).toHaveText('Dynamic clone: it is rebuilt from its golden image, and fc-brokerd never backs clones up.');
  await expect(page.getByTestId('excluded')).toContainText('dynamic clone');
  await expect(page.getByTestId('clone-note')).toBeVisible();
  await expect(page.getByRole('button', { name: /Exclude this machine|Include this machine/ })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Edit backup configuration' })).toHaveCount(0);
  await page.goto(`/machines/${clone.uuid}/backup`);
  await expect(page.getByTestId('clone-note')).toContainText('writes no backup configuration under it');
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await page.goto('/machines?q=clone');
  await expect(page.getByRole('button', { name: `Exclude ${clone.name}` })).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Machines' })).toContainText('none (clone)');
  await page.goto('/configuration');
  await expect(page.getByTestId('clone-note')).toContainText('1 dynamic clone is not listed');
  const classroom = DEMO.pools.find((p) => p.name === 'Classroom desktops');
  await page.goto(`/pools/${classroom?.uuid}`);
  await expect(page.getByTestId('pool-followers')).toContainText('1 is a dynamic clone, which fc-brokerd never backs up');
  await screenshot(page, 'pool-with-clone');
});

test('the full history page pages through every machine, filtered like the machine list', async ({ page }) => {
  await page.goto('/history');
  await expect(page.getByTestId('history-nights-row')).toHaveCount(DEMO.machines.length);
  await page.goto('/history?status=stale');
  await expect(page.getByTestId('history-nights-row')).toHaveCount(DEMO.machines.filter((m) => m.protection === 'stale').length);
  await expect(page.getByRole('heading', { level: 1 }).locator('..')).toContainText('2 machines match');
  await page.goto('/history');
  await screenshot(page, 'history');
});

test('GET /api/metrics needs the bearer token and reports what the directory holds', async ({ request }) => {
  expect((await request.get('/api/metrics')).status()).toBe(401);
  expect((await request.get('/api/metrics', { headers: { authorization: 'Bearer not-the-token-not-the-token-not-the-token' } })).status()).toBe(401);
  const response = await request.get('/api/metrics', { headers: { authorization: `Bearer ${E2E_METRICS_TOKEN}` } });
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  const value = (pattern: RegExp) => {
    const line = text.split('\n').find((l) => pattern.test(l));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  for (const status of ['protected', 'stale', 'never', 'excluded', 'failed', 'stuck', 'running']) {
    expect(value(new RegExp(`^backup_console_machines\\{status="${status}"\\} `)), status).toBe(DEMO.machines.filter((m) => m.protection === status || m.activity === status).length);
  }
  const now = directoryBuiltAt();
  const web = spec('web-01');
  const newest = Math.min(...web.iterations.map((i) => i.stateAgoMs ?? i.agoMs));
  expect(value(new RegExp(`^backup_console_machine_last_good_backup_timestamp_seconds\\{uuid="${web.uuid}",machine="web-01",`))).toBe(Math.floor((now.getTime() - newest) / 1000));
  const mail = spec('mail-01');
  expect(value(new RegExp(`^backup_console_machine_status\\{uuid="${mail.uuid}",.*status="failed"\\} `))).toBe(1);
  expect(value(new RegExp(`^backup_console_machine_status\\{uuid="${mail.uuid}",.*status="stale"\\} `))).toBe(1);
  expect(value(new RegExp(`^backup_console_machine_excluded\\{uuid="${spec('golden-desktop clone').uuid}",`))).toBe(1);
  expect(value(new RegExp(`^backup_console_machine_excluded\\{uuid="${web.uuid}",`))).toBe(0);
  expect(text).toMatch(new RegExp(`^backup_console_machine_status\\{uuid="${spec('Legacy ERP, Müller & Söhne').uuid}",machine="Legacy ERP, Müller & Söhne",.*status="excluded"\\} 1$`, 'm'));
  for (const node of DEMO.nodes) expect(value(new RegExp(`^backup_console_node_up\\{node="${node.fqdn}"\\} `)), node.fqdn).toBe(1);
  expect(value(/^backup_console_directory_up /)).toBe(1);
  expect(text).not.toMatch(/^backup_console_machine_stuck_since_timestamp_seconds\{/m);
});
