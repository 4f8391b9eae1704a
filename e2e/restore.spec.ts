import { demoNode, failRemoval, fileSnapshot, liveDomain, sha256, slowCopies } from './demo-node';
import { iterationNamed, iterationsOf, machineEntry, machineSubtree } from './directory';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { expect, test } from './fixtures';

/**
 * Issue #4, end to end: a restore through the wizard in Chromium against the real slapd and
 * sshd test node. These tests change the shared demo world for real, so they are chosen not to
 * disturb the other specs, in any order: web-01 stays protected with the same iterations, disks
 * and backup files (only its memory, video RAM and the iteration's timestamp change, which no
 * other spec reads), and the db-01 restore is aborted, which puts everything back as it was.
 */

/** A machine on the demo node with its newest iteration that has files, and the node's tree. */
function treeMachine(name: string) {
  const { tree } = demoNode();
  const machine = tree.machines.find((m) => m.name === name);
  if (!machine) throw new Error(`the demo node has no ${name}`);
  const newest = machine.iterations.filter((i) => i.folder !== null).sort((a, b) => b.name.localeCompare(a.name))[0];
  if (!newest) throw new Error(`${name} has no iteration with files`);
  return { machine, newest, tree };
}

/** What an aborted restore must leave as it was: the machine's subtree, the retain and image folders, the domain. */
async function machineWorld(uuid: string) {
  const { tree } = demoNode();
  return {
    directory: await machineSubtree(uuid),
    retain: fileSnapshot(tree.retainRoot),
    images: fileSnapshot(tree.virtualizationRoot),
    domain: liveDomain(uuid),
  };
}

/** A step that runs commands on the node (the pre-flight again, copies, path checks) may take longer than an expectation's default on a busy machine. */
const NODE_WORK = { timeout: 30_000 };

/** web-01 as it was before the restore test, for the undo test after it (tests in a file run in order, in one worker). */
let webBeforeRestore: {
  directory: Awaited<ReturnType<typeof machineSubtree>>;
  images: string[];
  domain: ReturnType<typeof liveDomain>;
} | null = null;

test('a restore of web-01 (two disks, saved state) resolves conflicts both ways and leaves images, directory and XML as decided', async ({
  machinePage,
  restoreWizard: wizard,
}) => {
  test.setTimeout(180_000);
  const { machine: web, newest, tree } = treeMachine('web-01');
  const before = await machineSubtree(web.uuid);
  webBeforeRestore = { directory: before, images: web.liveImages.map((i) => sha256(i.path)), domain: liveDomain(web.uuid) };
  const descriptionBefore = machineEntry(before, web.uuid)?.description;
  expect(descriptionBefore).toEqual(['Public web server, memory raised to 4 GiB for the spring sale']);
  const retainBefore = fileSnapshot(tree.retainRoot);

  // From the machine page's iteration table to the wizard for the newest iteration.
  await machinePage.open(web.uuid);
  const rows = machinePage.iterationRows();
  await expect(rows.first()).toContainText(newest.name);
  await machinePage.restoreLink(newest.name).click();
  await expect(wizard.page).toHaveURL(new RegExp(`/machines/${web.uuid}/restore/${newest.name}$`));
  await expect(wizard.heading(/Restore web-01/)).toBeVisible();

  // Pre-flight: every check passes; nothing has been written yet.
  await expect(wizard.checks()).toHaveCount(7);
  await expect(wizard.passedChecks()).toHaveCount(7);
  await expect(wizard.check('Every path stays in its folder on the node')).toContainText('none reached through a symbolic link');
  await expect(wizard.largeFiles()).toContainText(`${web.uuid}.state.${newest.name}`);
  await wizard.screenshot('restore-preflight');

  await wizard.start();
  await expect(wizard.stage('deciding')).toBeVisible(NODE_WORK);

  // Each conflict side by side, place by place.
  const memory = wizard.conflict('Memory');
  const description = wizard.conflict('description of the machine');
  const vram = wizard.conflict('XML devices/video/model vram');
  await expect(wizard.conflicts()).toHaveCount(3);
  await expect(wizard.conflictRow(memory, /In short/)).toContainText(/4 GiB\s*2 GiB/);
  await expect(wizard.conflictRow(memory, /sstMemory/)).toContainText(/4294967296\s*2147483648/);
  await expect(wizard.conflictRow(memory, /Domain XML · memory/)).toContainText(/4194304 KiB\s*2097152 KiB/);
  await expect(wizard.conflictRow(memory, /Domain XML · currentMemory/)).toContainText(/4194304 KiB\s*2097152 KiB/);
  await expect(wizard.conflictRow(description, /Directory · description · machine entry/)).toContainText('Public web server');
  await expect(wizard.conflictRow(vram, /devices\/video\/model@vram/)).toContainText(/65536\s*16384/);

  // A typed value that is not a size is refused next to its conflict, in words; nothing is recorded.
  await wizard.typeValue(memory, 'Value for Memory', 'lots');
  await wizard.choice(description, /^Keep /).check();
  await wizard.choice(vram, 'Take 16384 from the backup').check();
  await expect(wizard.decidedCount()).toHaveText('3 of 3 decided');
  await wizard.reviewPlan();
  await expect(wizard.decisionError(memory)).toContainText('a size with a unit');
  await expect(wizard.decisionsError()).toContainText('Nothing was written.');
  await expect(wizard.stage('deciding')).toBeVisible();

  // memory → backup (LDIF and XML together), description → keep live (LDIF), vram → backup (XML).
  await wizard.choice(memory, 'Take 2 GiB from the backup').check();
  await expect(wizard.choice(memory, 'Take 2 GiB from the backup')).toBeChecked();
  await expect(wizard.decisionError(memory)).toHaveCount(0);
  await wizard.screenshot('restore-conflicts');
  await wizard.reviewPlan();

  // The plan, before anything live changes.
  await expect(wizard.stage('confirming')).toBeVisible(NODE_WORK);
  await expect(wizard.plan('overwritten')).toContainText('Memory: 4 GiB → 2 GiB');
  await expect(wizard.plan('overwritten')).toContainText('vram: 65536 → 16384');
  await expect(wizard.plan('kept')).toContainText('description of the machine');
  await expect(wizard.restoreKind()).toContainText('restored from the saved state');
  await expect(wizard.plan('steps')).toContainText('web-01 is running now');
  for (const image of web.liveImages) await expect(wizard.plan('steps')).toContainText(image.path);
  expect(liveDomain(web.uuid)?.state).toBe('running');
  await wizard.screenshot('restore-plan');

  // Phase 2. Copies pause half-way on the node, so the progress can be watched and the page reloaded meanwhile.
  slowCopies(3);
  try {
    await wizard.confirm('web-01');
    await expect(wizard.stage('copying-large-files')).toBeVisible();
    await expect(wizard.copyProgress()).toContainText(/copied \(\d+%\)/);
    await expect(wizard.filesBeingCopied()).toHaveCount(1);
    await wizard.screenshot('restore-progress');
    // The restore runs on the server: a reload finds it where it is, still copying.
    await wizard.page.reload();
    await expect(wizard.stage('copying-large-files')).toBeVisible();
    await expect(wizard.copyProgress()).toContainText(/ of \d+(\.\d)? MiB copied/);
    await expect(wizard.steps(1, 'done')).toHaveCount(3);
    await wizard.screenshot('restore-progress-reloaded');

    await expect(wizard.stage('finished')).toBeVisible({ timeout: 90_000 });
  } finally {
    slowCopies(null);
  }
  await expect(wizard.finished()).toContainText('resumed from its saved state');
  await expect(wizard.restoreAgain()).toBeVisible();
  await expect(wizard.steps(2, 'done')).toHaveCount(8);
  await wizard.screenshot('restore-finished');

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
  const restored = iterationNamed(after, newest.name);
  expect(restored).toMatchObject({ mode: 'finished', returnValue: '0' });
  expect(restored?.state).toMatch(/^\d{8}T\d{6}Z$/);

  // The domain as decided: memory and video RAM from the backup, running again from its saved state, still defined.
  const domain = liveDomain(web.uuid);
  expect(domain).toMatchObject({ state: 'running', persistent: true });
  expect(domain?.xml).toContain("<memory unit='KiB'>2097152</memory>");
  expect(domain?.xml).toContain("<currentMemory unit='KiB'>2097152</currentMemory>");
  expect(domain?.xml).toMatch(/<model [^>]*vram='16384'/);

  // Back on the machine page: the same iterations, the restored one finished.
  await wizard.backTo('web-01');
  await expect(rows).toHaveCount(Object.keys(iterationsBefore).length);
  await expect(rows.filter({ hasText: newest.name })).toContainText('Finished');
  await expect(machinePage.setting('Memory')).toHaveText('2 GiB');
});

test('the restore of web-01 is undone through the UI: from the machine page, with its own confirmation and progress, back to exactly as before', async ({
  machinePage,
  undoPage,
  restoreWizard: wizard,
}) => {
  test.setTimeout(180_000);
  const { machine: web, newest } = treeMachine('web-01');
  const directory = await machineSubtree(web.uuid);
  const restored = iterationNamed(directory, newest.name);
  // The previous test restored the newest iteration: its images and domain are the backup's now.
  expect(machineEntry(directory, web.uuid)?.sstMemory).toEqual(['2147483648']);
  expect(restored).toMatchObject({ mode: 'finished' });

  // The machine page lists what the restore kept, with Undo and Discard.
  await machinePage.open(web.uuid);
  const kept = machinePage.keptRestores().first();
  await expect(kept).toHaveAttribute('data-status', 'kept');
  await expect(kept).toContainText(newest.name);
  await expect(machinePage.keptImages(kept, newest.name)).toHaveCount(web.liveImages.length);
  await expect(machinePage.discardButton(kept)).toBeVisible();
  await machinePage.screenshot('machine-kept-disks');
  // The kept images beside the live ones: the undo renames exactly these back.
  const keptInodes = new Map(
    web.liveImages.map((image) => {
      const name = readdirSync(dirname(image.path)).find((n) => n.startsWith(`${basename(image.path)}.before-restore-`));
      if (!name) throw new Error(`no kept image beside ${image.path}`);
      return [image.path, statSync(join(dirname(image.path), name)).ino];
    }),
  );
  await machinePage.openUndo(kept);
  await expect(undoPage.page).toHaveURL(new RegExp(`/machines/${web.uuid}/restore/${newest.name}/undo$`));

  // Its own plan: which steps run while the machine is stopped, each disk renamed back; no refusal.
  await expect(undoPage.heading(/Undo the restore of web-01/)).toBeVisible();
  await expect(undoPage.downtime()).toContainText('the directory entries are put back');
  await expect(undoPage.images()).toHaveCount(web.liveImages.length);
  for (const image of web.liveImages) await expect(undoPage.steps()).toContainText(image.path);
  await expect(undoPage.refused()).toHaveCount(0);
  // Its own confirmation: nothing happens until the administrator says they understand.
  const button = undoPage.undoButton('web-01');
  await expect(button).toBeDisabled();
  await undoPage.screenshot('undo-plan');
  await undoPage.understand('web-01');
  await button.click();

  await expect(undoPage.done()).toBeVisible({ timeout: 90_000 });
  await expect(undoPage.done()).toContainText('it was stopped for');
  await expect(undoPage.stepsInState('done')).toHaveCount(9);
  await expect(undoPage.journalSteps('undone')).toHaveCount(1);
  await undoPage.screenshot('undo-done');

  // Exactly as before the restore: the images (the kept files themselves, renamed back), the domain XML, the machine's subtree.
  const after = await machineSubtree(web.uuid);
  expect(machineEntry(after, web.uuid)?.sstMemory).toEqual(['4294967296']);
  expect(after).toEqual(webBeforeRestore?.directory);
  expect(liveDomain(web.uuid)).toEqual(webBeforeRestore?.domain);
  expect(liveDomain(web.uuid)).toMatchObject({ state: 'running', persistent: true });
  expect(web.liveImages.map((i) => sha256(i.path))).toEqual(webBeforeRestore?.images);
  for (const image of web.liveImages) expect(statSync(image.path).ino, image.disk).toBe(keptInodes.get(image.path));

  // The restore page and the machine page say so.
  await wizard.open(web.uuid, newest.name);
  await expect(wizard.undone()).toContainText('This restore was undone by admin');
  await machinePage.open(web.uuid);
  await expect(machinePage.keptRestores().first()).toHaveAttribute('data-status', 'undone');
});

test('a restore of db-01 started from the iteration page and aborted in phase 1 leaves the directory and the retain directory as they were', async ({
  iterationPage,
  restoreWizard: wizard,
}) => {
  test.setTimeout(120_000);
  const { machine: db, newest, tree } = treeMachine('db-01');
  const before = await machineWorld(db.uuid);

  await iterationPage.open(db.uuid, newest.name);
  await iterationPage.restoreLink().click();
  await expect(wizard.heading(/Restore db-01/)).toBeVisible();
  await wizard.start();
  await expect(wizard.stage('deciding')).toBeVisible(NODE_WORK);
  await expect(wizard.decisions()).toContainText('do not differ');
  // Phase 1 made a retain folder for this iteration.
  expect(Object.keys(fileSnapshot(tree.retainRoot)).some((path) => path.endsWith(`${db.uuid}/${newest.name}`))).toBe(true);

  await wizard.reviewPlan();
  await expect(wizard.stage('confirming')).toBeVisible(NODE_WORK);
  await expect(wizard.restoreKind()).toContainText('saved state');
  await wizard.abort();
  await expect(wizard.aborted()).toContainText('Nothing live was changed');
  await expect(wizard.startButton()).toBeEnabled();
  await wizard.screenshot('restore-aborted');

  expect(await machineWorld(db.uuid)).toEqual(before);
});

test('a copy that fails in phase 2 shows the command, its exit code and stderr, can be retried, and aborted while nothing live has changed', async ({
  restoreWizard: wizard,
}) => {
  // Two failed copies, each first looking through every process's open files on the node for a leftover writer: slow on a busy machine.
  test.setTimeout(120_000);
  const { machine: db, newest, tree } = treeMachine('db-01');
  const before = await machineWorld(db.uuid);
  // The saved state is the one large file copied into the retain folder (the images go beside the live ones).
  const image = newest.files.find((f) => f.kind === 'state');
  if (!image) throw new Error('db-01 has no saved state in its newest iteration');

  await wizard.open(db.uuid, newest.name);
  await wizard.startToThePlan(NODE_WORK.timeout);
  // A folder where the copy of the saved state has to go: cp -T refuses to overwrite it, as a real node refuses a full or broken target.
  const retainFolder = Object.keys(fileSnapshot(tree.retainRoot)).find((path) => path.endsWith(`${db.uuid}/${newest.name}`));
  expect(retainFolder).toBeDefined();
  const blocker = `${tree.retainRoot}/${retainFolder}/${image.name}`;
  mkdirSync(blocker);

  await wizard.confirm('db-01');
  await expect(wizard.stage('failed')).toBeVisible({ timeout: 30_000 });
  await expect(wizard.failureTitle()).toHaveText(`The restore stopped while copying ${image.name}`);
  await expect(wizard.failureCommand()).toContainText(`cp`);
  await expect(wizard.failureCommand()).toContainText('exit code 1');
  await expect(wizard.failureStderr()).toContainText('cannot overwrite directory');
  await expect(wizard.machineState()).toContainText('Nothing live has changed');
  await expect(wizard.steps(2, 'failed')).toHaveCount(1);
  await wizard.screenshot('restore-failed');

  // Retrying with the cause still there fails again, in the same words.
  await wizard.retryButton().click();
  await expect(wizard.journalSteps('retried')).toHaveCount(1, { timeout: 30_000 });
  await expect(wizard.stage('failed')).toBeVisible({ timeout: 30_000 });
  await expect(wizard.journalSteps('failed')).toHaveCount(2);

  await wizard.abort('Abort the restore (nothing live has changed)');
  await expect(wizard.aborted()).toBeVisible();
  expect(existsSync(blocker)).toBe(false);
  expect(await machineWorld(db.uuid)).toEqual(before);
});

test('a restore of db-01 that fails at its last step is retried to finished, and one marked as finished names the retain folder it leaves', async ({
  restoreWizard: wizard,
}) => {
  test.setTimeout(240_000);
  const { machine: db, newest, tree } = treeMachine('db-01');
  const retainBefore = fileSnapshot(tree.retainRoot);
  const retainFolder = join(tree.retainRoot, relative(tree.backupRoot, newest.folder ?? ''));

  // Phase 1 (db-01's backup does not differ from the live machine), then phase 2 up to removing the retain folder, which the node refuses.
  const failAtTheLastStep = async () => {
    await wizard.startToThePlan(NODE_WORK.timeout);
    // The plan names the one file outside the retain folder that phase 2 writes.
    await expect(wizard.plan('image')).toHaveCount(1);
    await expect(wizard.plan('image')).toContainText(db.liveImages[0].path);
    failRemoval(retainFolder);
    await wizard.confirm('db-01');
    await expect(wizard.stage('failed')).toBeVisible({ timeout: 90_000 });
    await expect(wizard.failureTitle()).toHaveText('The restore stopped while removing the retain folder');
    await expect(wizard.failureStderr()).toContainText('Device or resource busy');
    await expect(wizard.whatRemains()).toContainText(`The retain folder ${retainFolder} stays on node`);
    await expect(wizard.abortButtons()).toHaveCount(0);
  };

  try {
    await wizard.open(db.uuid, newest.name);
    await failAtTheLastStep();
    await expect(wizard.retryButton()).toBeEnabled();
    await expect(wizard.markFinishedButton()).toBeEnabled();
    await wizard.screenshot('restore-failed-last-step');

    // The cause is gone: Retry finishes the restore and removes the retain folder.
    failRemoval(null);
    await wizard.retryButton().click();
    await expect(wizard.stage('finished')).toBeVisible({ timeout: 90_000 });
    await expect(wizard.journalSteps('retried')).toHaveCount(1);
    expect(existsSync(retainFolder)).toBe(false);
    expect(fileSnapshot(tree.retainRoot)).toEqual(retainBefore);

    // The same again, and this time the administrator marks it finished and deals with the folder by hand.
    await wizard.restoreAgain().click();
    await failAtTheLastStep();
    await wizard.markFinishedButton().click();
    await expect(wizard.stage('finished')).toBeVisible(NODE_WORK);
    await expect(wizard.finished()).toContainText('marked as finished by admin');
    await expect(wizard.remains()).toContainText(retainFolder);
    await expect(wizard.journalSteps('finished')).toHaveText(/Marked as finished by admin/);
    await wizard.screenshot('restore-marked-finished');
    expect(existsSync(retainFolder)).toBe(true);
    const iteration = iterationNamed(await machineSubtree(db.uuid), newest.name);
    expect(iteration).toMatchObject({ mode: 'finished', returnValue: '0' });
  } finally {
    failRemoval(null);
    // What the administrator does by hand: the retain folder goes, with the folders the restore made for it.
    const added = Object.keys(fileSnapshot(tree.retainRoot)).filter((path) => !(path in retainBefore));
    for (const path of added.sort((a, b) => b.length - a.length)) rmSync(join(tree.retainRoot, path), { recursive: true, force: true });
  }
  expect(fileSnapshot(tree.retainRoot)).toEqual(retainBefore);
});

test('a restore address that names no iteration is a not-found page, not an error', async ({ restoreWizard: wizard }) => {
  const { machine: web } = treeMachine('web-01');
  const response = await wizard.visit(`/machines/${web.uuid}/restore/not-an-iteration`);
  expect(response?.status()).toBe(404);
  await expect(wizard.notFound()).toBeVisible();
});
