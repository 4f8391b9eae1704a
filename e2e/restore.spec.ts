import { demoNode, failRemoval, fileSnapshot, liveDomain, sha256, slowCopies } from './demo-node';
import { iterationsOf, machineEntry, machineSubtree } from './directory';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, screenshot, test } from './fixtures';

/**
 * Issue #4, end to end: a restore through the wizard in Chromium against the real slapd and
 * sshd test node. These tests change the shared demo world for real, so they are chosen not to
 * disturb the other specs, in any order: web-01 stays protected with the same iterations, disks
 * and backup files (only its memory, video RAM and the iteration's timestamp change, which no
 * other spec reads), and the db-01 restore is aborted, which puts everything back as it was.
 */

function treeMachine(name: string) {
  const machine = demoNode().tree.machines.find((m) => m.name === name);
  if (!machine) throw new Error(`the demo node has no ${name}`);
  const newest = machine.iterations.filter((i) => i.folder !== null).sort((a, b) => b.name.localeCompare(a.name))[0];
  if (!newest) throw new Error(`${name} has no iteration with files`);
  return { machine, newest };
}

const stage = (page: Page, name: string) => page.locator(`[data-testid="restore-stage"][data-stage="${name}"]`);
/** A step that runs commands on the node (the pre-flight again, copies, path checks) may take longer than an expectation's default on a busy machine. */
const NODE_WORK = { timeout: 30_000 };

/** web-01 as it was before the restore test, for the undo test after it (tests in a file run in order, in one worker). */
let webBeforeRestore: { directory: Awaited<ReturnType<typeof machineSubtree>>; images: string[]; domain: ReturnType<typeof liveDomain> } | null = null;

test('a restore of web-01 (two disks, saved state) resolves conflicts both ways and leaves images, directory and XML as decided', async ({ page }) => {
  test.setTimeout(180_000);
  const { machine: web, newest } = treeMachine('web-01');
  const { tree } = demoNode();
  const before = await machineSubtree(web.uuid);
  webBeforeRestore = { directory: before, images: web.liveImages.map((i) => sha256(i.path)), domain: liveDomain(web.uuid) };
  const descriptionBefore = machineEntry(before, web.uuid)?.description;
  expect(descriptionBefore).toEqual(['Public web server, memory raised to 4 GiB for the spring sale']);
  const retainBefore = fileSnapshot(tree.retainRoot);

  // From the machine page's iteration table to the wizard for the newest iteration.
  await page.goto(`/machines/${web.uuid}`);
  const rows = page.getByRole('table', { name: 'Backup iterations' }).locator('tbody tr');
  await expect(rows.first()).toContainText(newest.name);
  await rows.first().getByRole('link', { name: `Restore ${newest.name}` }).click();
  await expect(page).toHaveURL(new RegExp(`/machines/${web.uuid}/restore/${newest.name}$`));
  await expect(page.getByRole('heading', { name: /Restore web-01/ })).toBeVisible();

  // Pre-flight: every check passes; nothing has been written yet.
  const checks = page.getByRole('list', { name: 'Pre-flight checks' }).getByRole('listitem');
  await expect(checks).toHaveCount(7);
  await expect(checks.and(page.locator('[data-ok="true"]'))).toHaveCount(7);
  await expect(checks.filter({ hasText: 'Every path stays in its folder on the node' })).toContainText('none reached through a symbolic link');
  await expect(page.getByRole('table', { name: 'Large files' })).toContainText(`${web.uuid}.state.${newest.name}`);
  await screenshot(page, 'restore-preflight');

  await page.getByRole('button', { name: 'Start the restore' }).click();
  await expect(stage(page, 'deciding')).toBeVisible(NODE_WORK);

  // Each conflict side by side, place by place.
  const memory = page.getByRole('group', { name: 'Memory' });
  const description = page.getByRole('group', { name: 'description of the machine' });
  const vram = page.getByRole('group', { name: 'XML devices/video/model vram' });
  await expect(page.locator('fieldset[data-conflict]')).toHaveCount(3);
  const memoryTable = memory.getByRole('table');
  await expect(memoryTable.getByRole('row', { name: /In short/ })).toContainText(/4 GiB\s*2 GiB/);
  await expect(memoryTable.getByRole('row', { name: /sstMemory/ })).toContainText(/4294967296\s*2147483648/);
  await expect(memoryTable.getByRole('row', { name: /Domain XML · memory/ })).toContainText(/4194304 KiB\s*2097152 KiB/);
  await expect(memoryTable.getByRole('row', { name: /Domain XML · currentMemory/ })).toContainText(/4194304 KiB\s*2097152 KiB/);
  await expect(description.getByRole('table').getByRole('row', { name: /Directory · description · machine entry/ })).toContainText('Public web server');
  await expect(vram.getByRole('table').getByRole('row', { name: /devices\/video\/model@vram/ })).toContainText(/65536\s*16384/);

  // A typed value that is not a size is refused next to its conflict, in words; nothing is recorded.
  await memory.getByLabel('Value for Memory').fill('lots');
  await description.getByRole('radio', { name: /^Keep / }).check();
  await vram.getByRole('radio', { name: 'Take 16384 from the backup' }).check();
  await expect(page.getByTestId('decided-count')).toHaveText('3 of 3 decided');
  await page.getByRole('button', { name: 'Review the plan' }).click();
  await expect(memory.getByTestId('decision-error')).toContainText('a size with a unit');
  await expect(page.getByTestId('decisions-error')).toContainText('Nothing was written.');
  await expect(stage(page, 'deciding')).toBeVisible();

  // memory → backup (LDIF and XML together), description → keep live (LDIF), vram → backup (XML).
  await memory.getByRole('radio', { name: 'Take 2 GiB from the backup' }).check();
  await expect(memory.getByRole('radio', { name: 'Take 2 GiB from the backup' })).toBeChecked();
  await expect(memory.getByTestId('decision-error')).toHaveCount(0);
  await screenshot(page, 'restore-conflicts');
  await page.getByRole('button', { name: 'Review the plan' }).click();

  // The plan, before anything live changes.
  await expect(stage(page, 'confirming')).toBeVisible(NODE_WORK);
  await expect(page.getByTestId('plan-overwritten')).toContainText('Memory: 4 GiB → 2 GiB');
  await expect(page.getByTestId('plan-overwritten')).toContainText('vram: 65536 → 16384');
  await expect(page.getByTestId('plan-kept')).toContainText('description of the machine');
  await expect(page.getByTestId('restore-kind')).toContainText('restored from the saved state');
  await expect(page.getByTestId('plan-steps')).toContainText('web-01 is running now');
  for (const image of web.liveImages) await expect(page.getByTestId('plan-steps')).toContainText(image.path);
  expect(liveDomain(web.uuid)?.state).toBe('running');
  await screenshot(page, 'restore-plan');

  // Phase 2. Copies pause half-way on the node, so the progress can be watched and the page reloaded meanwhile.
  slowCopies(3);
  try {
    await page.getByRole('button', { name: 'Confirm and restore web-01' }).click();
    await expect(stage(page, 'copying-large-files')).toBeVisible();
    await expect(page.getByTestId('copy-progress')).toContainText(/copied \(\d+%\)/);
    await expect(page.getByRole('table', { name: 'Files being copied' }).locator('tr[data-state="copying"]')).toHaveCount(1);
    await screenshot(page, 'restore-progress');
    // The restore runs on the server: a reload finds it where it is, still copying.
    await page.reload();
    await expect(stage(page, 'copying-large-files')).toBeVisible();
    await expect(page.getByTestId('copy-progress')).toContainText(/ of \d+(\.\d)? MiB copied/);
    await expect(page.getByRole('list', { name: /Phase 1/ }).locator('li[data-status="done"]')).toHaveCount(3);
    await screenshot(page, 'restore-progress-reloaded');

    await expect(stage(page, 'finished')).toBeVisible({ timeout: 90_000 });
  } finally {
    slowCopies(null);
  }
  await expect(page.getByTestId('restore-finished')).toContainText('resumed from its saved state');
  await expect(page.getByText('Restore this iteration again…')).toBeVisible();
  await expect(page.getByRole('list', { name: /Phase 2/ }).locator('li[data-status="done"]')).toHaveCount(8);
  await screenshot(page, 'restore-finished');

  // On the node: the live images are byte-identical to the backup's.
  for (const image of web.liveImages) {
    const backup = newest.files.find((f) => f.kind === 'disk' && f.disk === image.disk);
    expect(backup, image.disk).toBeDefined();
    expect(sha256(image.path), image.disk).toBe(sha256(backup?.path ?? ''));
  }
  // The retain directory is as it was (this restore's folder is gone again).
  expect(fileSnapshot(tree.retainRoot)).toEqual(retainBefore);

  // In the directory: memory from the backup, description kept, every iteration there, the restored one finished.
  const after = await machineSubtree(web.uuid);
  const vm = machineEntry(after, web.uuid);
  expect(vm?.sstMemory).toEqual(['2147483648']);
  expect(vm?.description).toEqual(descriptionBefore);
  const iterationsBefore = iterationsOf(before);
  const iterationsAfter = iterationsOf(after);
  expect(Object.keys(iterationsAfter).sort()).toEqual(Object.keys(iterationsBefore).sort());
  const restored = Object.entries(iterationsAfter).find(([dn]) => dn.startsWith(`ou=${newest.name.toLowerCase()},`))?.[1];
  expect(restored).toMatchObject({ mode: 'finished', returnValue: '0' });
  expect(restored?.state).toMatch(/^\d{8}T\d{6}Z$/);

  // The domain as decided: memory and video RAM from the backup, running again from its saved state, still defined.
  const domain = liveDomain(web.uuid);
  expect(domain).toMatchObject({ state: 'running', persistent: true });
  expect(domain?.xml).toContain("<memory unit='KiB'>2097152</memory>");
  expect(domain?.xml).toContain("<currentMemory unit='KiB'>2097152</currentMemory>");
  expect(domain?.xml).toMatch(/<model [^>]*vram='16384'/);

  // Back on the machine page: the same iterations, the restored one finished.
  await page.getByRole('link', { name: 'Back to web-01' }).click();
  await expect(rows).toHaveCount(Object.keys(iterationsBefore).length);
  await expect(rows.filter({ hasText: newest.name })).toContainText('Finished');
  await expect(page.locator('dt', { hasText: /^Memory$/ }).locator('xpath=following-sibling::dd[1]')).toHaveText('2 GiB');
});

test('the restore of web-01 is undone through the UI: from the machine page, with its own confirmation and progress, back to exactly as before', async ({ page }) => {
  test.setTimeout(180_000);
  const { machine: web, newest } = treeMachine('web-01');
  const directory = await machineSubtree(web.uuid);
  const restored = Object.entries(iterationsOf(directory)).find(([dn]) => dn.startsWith(`ou=${newest.name.toLowerCase()},`))?.[1];
  // The previous test restored the newest iteration: its images and domain are the backup's now.
  expect(machineEntry(directory, web.uuid)?.sstMemory).toEqual(['2147483648']);
  expect(restored).toMatchObject({ mode: 'finished' });

  // The machine page lists what the restore kept, with Undo and Discard.
  await page.goto(`/machines/${web.uuid}`);
  const kept = page.getByTestId('kept-restore').first();
  await expect(kept).toHaveAttribute('data-status', 'kept');
  await expect(kept).toContainText(newest.name);
  await expect(kept.getByRole('table', { name: `Kept images of the restore of ${newest.name}` }).locator('tr')).toHaveCount(web.liveImages.length);
  await expect(kept.getByRole('button', { name: 'Discard…' })).toBeVisible();
  await screenshot(page, 'machine-kept-disks');
  // The kept images beside the live ones: the undo renames exactly these back.
  const keptInodes = new Map(
    web.liveImages.map((image) => {
      const name = readdirSync(dirname(image.path)).find((n) => n.startsWith(`${basename(image.path)}.before-restore-`));
      if (!name) throw new Error(`no kept image beside ${image.path}`);
      return [image.path, statSync(join(dirname(image.path), name)).ino];
    }),
  );
  await kept.getByRole('link', { name: 'Undo this restore…' }).click();
  await expect(page).toHaveURL(new RegExp(`/machines/${web.uuid}/restore/${newest.name}/undo$`));

  // Its own plan: which steps run while the machine is stopped, each disk renamed back; no refusal.
  await expect(page.getByRole('heading', { name: /Undo the restore of web-01/ })).toBeVisible();
  await expect(page.getByTestId('undo-downtime')).toContainText('the directory entries are put back');
  await expect(page.getByTestId('undo-image')).toHaveCount(web.liveImages.length);
  for (const image of web.liveImages) await expect(page.getByTestId('undo-steps')).toContainText(image.path);
  await expect(page.getByTestId('undo-refused')).toHaveCount(0);
  // Its own confirmation: nothing happens until the administrator says they understand.
  const button = page.getByRole('button', { name: 'Undo the restore of web-01' });
  await expect(button).toBeDisabled();
  await screenshot(page, 'undo-plan');
  await page.getByLabel(/I understand that web-01 is stopped/).check();
  await button.click();

  await expect(page.getByTestId('undo-done')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('undo-done')).toContainText('it was stopped for');
  await expect(page.getByRole('list', { name: 'Undo steps' }).locator('li[data-status="done"]')).toHaveCount(9);
  await expect(page.getByRole('list', { name: 'Undo journal' }).locator('li[data-step="undone"]')).toHaveCount(1);
  await screenshot(page, 'undo-done');

  // Exactly as before the restore: the images (the kept files themselves, renamed back), the domain XML, the machine's subtree.
  const after = await machineSubtree(web.uuid);
  expect(machineEntry(after, web.uuid)?.sstMemory).toEqual(['4294967296']);
  expect(after).toEqual(webBeforeRestore?.directory);
  expect(liveDomain(web.uuid)).toEqual(webBeforeRestore?.domain);
  expect(liveDomain(web.uuid)).toMatchObject({ state: 'running', persistent: true });
  expect(web.liveImages.map((i) => sha256(i.path))).toEqual(webBeforeRestore?.images);
  for (const image of web.liveImages) expect(statSync(image.path).ino, image.disk).toBe(keptInodes.get(image.path));

  // The restore page and the machine page say so.
  await page.goto(`/machines/${web.uuid}/restore/${newest.name}`);
  await expect(page.getByTestId('restore-undone')).toContainText('This restore was undone by admin');
  await page.goto(`/machines/${web.uuid}`);
  await expect(page.getByTestId('kept-restore').first()).toHaveAttribute('data-status', 'undone');
});

test('a restore of db-01 started from the iteration page and aborted in phase 1 leaves the directory and the retain directory as they were', async ({ page }) => {
  test.setTimeout(120_000);
  const { machine: db, newest } = treeMachine('db-01');
  const { tree } = demoNode();
  const directoryBefore = await machineSubtree(db.uuid);
  const retainBefore = fileSnapshot(tree.retainRoot);
  const imagesBefore = fileSnapshot(tree.virtualizationRoot);
  const domainBefore = liveDomain(db.uuid);

  await page.goto(`/machines/${db.uuid}/iterations/${newest.name}`);
  await page.getByRole('link', { name: 'Restore this iteration…' }).click();
  await expect(page.getByRole('heading', { name: /Restore db-01/ })).toBeVisible();
  await page.getByRole('button', { name: 'Start the restore' }).click();
  await expect(stage(page, 'deciding')).toBeVisible(NODE_WORK);
  await expect(page.getByRole('form', { name: 'Decisions' })).toContainText('do not differ');
  // Phase 1 made a retain folder for this iteration.
  expect(Object.keys(fileSnapshot(tree.retainRoot)).some((path) => path.endsWith(`${db.uuid}/${newest.name}`))).toBe(true);

  await page.getByRole('button', { name: 'Review the plan' }).click();
  await expect(stage(page, 'confirming')).toBeVisible(NODE_WORK);
  await expect(page.getByTestId('restore-kind')).toContainText('saved state');
  await page.getByRole('button', { name: 'Abort the restore' }).click();
  await expect(page.getByTestId('restore-aborted')).toContainText('Nothing live was changed');
  await expect(page.getByRole('button', { name: 'Start the restore' })).toBeEnabled();
  await screenshot(page, 'restore-aborted');

  expect(fileSnapshot(tree.retainRoot)).toEqual(retainBefore);
  expect(fileSnapshot(tree.virtualizationRoot)).toEqual(imagesBefore);
  expect(await machineSubtree(db.uuid)).toEqual(directoryBefore);
  expect(liveDomain(db.uuid)).toEqual(domainBefore);
});

test('a copy that fails in phase 2 shows the command, its exit code and stderr, can be retried, and aborted while nothing live has changed', async ({ page }) => {
  // Two failed copies, each first looking through every process's open files on the node for a leftover writer: slow on a busy machine.
  test.setTimeout(120_000);
  const { machine: db, newest } = treeMachine('db-01');
  const { tree } = demoNode();
  const directoryBefore = await machineSubtree(db.uuid);
  const retainBefore = fileSnapshot(tree.retainRoot);
  const imagesBefore = fileSnapshot(tree.virtualizationRoot);
  const domainBefore = liveDomain(db.uuid);
  // The saved state is the one large file copied into the retain folder (the images go beside the live ones).
  const image = newest.files.find((f) => f.kind === 'state');
  if (!image) throw new Error('db-01 has no saved state in its newest iteration');

  await page.goto(`/machines/${db.uuid}/restore/${newest.name}`);
  await page.getByRole('button', { name: 'Start the restore' }).click();
  await page.getByRole('button', { name: 'Review the plan' }).click();
  await expect(stage(page, 'confirming')).toBeVisible(NODE_WORK);
  // A folder where the copy of the saved state has to go: cp -T refuses to overwrite it, as a real node refuses a full or broken target.
  const retainFolder = Object.keys(fileSnapshot(tree.retainRoot)).find((path) => path.endsWith(`${db.uuid}/${newest.name}`));
  expect(retainFolder).toBeDefined();
  const blocker = `${tree.retainRoot}/${retainFolder}/${image.name}`;
  mkdirSync(blocker);

  await page.getByRole('button', { name: 'Confirm and restore db-01' }).click();
  await expect(stage(page, 'failed')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('failure-title')).toHaveText(`The restore stopped while copying ${image.name}`);
  await expect(page.getByTestId('failure-command')).toContainText(`cp`);
  await expect(page.getByTestId('failure-command')).toContainText('exit code 1');
  await expect(page.getByTestId('failure-command').getByLabel('Standard error')).toContainText('cannot overwrite directory');
  await expect(page.getByTestId('machine-state')).toContainText('Nothing live has changed');
  await expect(page.getByRole('list', { name: /Phase 2/ }).locator('li[data-status="failed"]')).toHaveCount(1);
  await screenshot(page, 'restore-failed');

  // Retrying with the cause still there fails again, in the same words.
  await page.getByRole('button', { name: 'Retry from the failed step' }).click();
  await expect(page.getByRole('list', { name: 'Restore journal' }).locator('li[data-step="retried"]')).toHaveCount(1, { timeout: 30_000 });
  await expect(stage(page, 'failed')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('list', { name: 'Restore journal' }).locator('li[data-step="failed"]')).toHaveCount(2);

  await page.getByRole('button', { name: 'Abort the restore (nothing live has changed)' }).click();
  await expect(page.getByTestId('restore-aborted')).toBeVisible();
  expect(existsSync(blocker)).toBe(false);
  expect(fileSnapshot(tree.retainRoot)).toEqual(retainBefore);
  expect(fileSnapshot(tree.virtualizationRoot)).toEqual(imagesBefore);
  expect(await machineSubtree(db.uuid)).toEqual(directoryBefore);
  expect(liveDomain(db.uuid)).toEqual(domainBefore);
});

test('a restore of db-01 that fails at its last step is retried to finished, and one marked as finished names the retain folder it leaves', async ({ page }) => {
  test.setTimeout(240_000);
  const { machine: db, newest } = treeMachine('db-01');
  const { tree } = demoNode();
  const retainBefore = fileSnapshot(tree.retainRoot);
  const retainFolder = join(tree.retainRoot, relative(tree.backupRoot, newest.folder ?? ''));

  // Phase 1 (db-01's backup does not differ from the live machine), then phase 2 up to removing the retain folder, which the node refuses.
  const failAtTheLastStep = async () => {
    await page.getByRole('button', { name: 'Start the restore' }).click();
    await expect(stage(page, 'deciding')).toBeVisible(NODE_WORK);
    await page.getByRole('button', { name: 'Review the plan' }).click();
    await expect(stage(page, 'confirming')).toBeVisible(NODE_WORK);
    // The plan names the one file outside the retain folder that phase 2 writes.
    await expect(page.getByTestId('plan-image')).toHaveCount(1);
    await expect(page.getByTestId('plan-image')).toContainText(db.liveImages[0].path);
    failRemoval(retainFolder);
    await page.getByRole('button', { name: 'Confirm and restore db-01' }).click();
    await expect(stage(page, 'failed')).toBeVisible({ timeout: 90_000 });
    await expect(page.getByTestId('failure-title')).toHaveText('The restore stopped while removing the retain folder');
    await expect(page.getByTestId('failure-command').getByLabel('Standard error')).toContainText('Device or resource busy');
    await expect(page.getByTestId('finish-by-hand').getByRole('list', { name: 'What remains' })).toContainText(`The retain folder ${retainFolder} stays on node`);
    await expect(page.getByRole('button', { name: /^Abort/ })).toHaveCount(0);
  };

  try {
    await page.goto(`/machines/${db.uuid}/restore/${newest.name}`);
    await failAtTheLastStep();
    await expect(page.getByRole('button', { name: 'Retry from the failed step' })).toBeEnabled();
    await expect(page.getByRole('button', { name: 'Mark as finished' })).toBeEnabled();
    await screenshot(page, 'restore-failed-last-step');

    // The cause is gone: Retry finishes the restore and removes the retain folder.
    failRemoval(null);
    await page.getByRole('button', { name: 'Retry from the failed step' }).click();
    await expect(stage(page, 'finished')).toBeVisible({ timeout: 90_000 });
    await expect(page.getByRole('list', { name: 'Restore journal' }).locator('li[data-step="retried"]')).toHaveCount(1);
    expect(existsSync(retainFolder)).toBe(false);
    expect(fileSnapshot(tree.retainRoot)).toEqual(retainBefore);

    // The same again, and this time the administrator marks it finished and deals with the folder by hand.
    await page.getByText('Restore this iteration again…').click();
    await failAtTheLastStep();
    await page.getByRole('button', { name: 'Mark as finished' }).click();
    await expect(stage(page, 'finished')).toBeVisible(NODE_WORK);
    await expect(page.getByTestId('restore-finished')).toContainText('marked as finished by admin');
    await expect(page.getByTestId('restore-remains')).toContainText(retainFolder);
    await expect(page.getByRole('list', { name: 'Restore journal' }).locator('li[data-step="finished"]')).toHaveText(/Marked as finished by admin/);
    await screenshot(page, 'restore-marked-finished');
    expect(existsSync(retainFolder)).toBe(true);
    const iteration = Object.entries(iterationsOf(await machineSubtree(db.uuid))).find(([dn]) => dn.startsWith(`ou=${newest.name.toLowerCase()},`))?.[1];
    expect(iteration).toMatchObject({ mode: 'finished', returnValue: '0' });
  } finally {
    failRemoval(null);
    // What the administrator does by hand: the retain folder goes, with the folders the restore made for it.
    const added = Object.keys(fileSnapshot(tree.retainRoot)).filter((path) => !(path in retainBefore));
    for (const path of added.sort((a, b) => b.length - a.length)) rmSync(join(tree.retainRoot, path), { recursive: true, force: true });
  }
  expect(fileSnapshot(tree.retainRoot)).toEqual(retainBefore);
});

test('a restore address that names no iteration is a not-found page, not an error', async ({ page }) => {
  const { machine: web } = treeMachine('web-01');
  const response = await page.goto(`/machines/${web.uuid}/restore/not-an-iteration`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
});
