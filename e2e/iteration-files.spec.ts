import { DEMO } from '../scripts/directory/demo-directory';
import { demoNode } from './demo-node';
import { expect, test } from './fixtures';

test('the iteration page lists the files on the node with their sizes', async ({ iterationPage: iteration }) => {
  const { tree } = demoNode();
  const web = tree.machines.find((m) => m.name === 'web-01');
  const newest = web?.iterations.filter((i) => i.folder !== null).sort((a, b) => b.name.localeCompare(a.name))[0];
  if (!web || !newest) throw new Error('demo node changed');
  await iteration.open(web.uuid, newest.name);
  await expect(iteration.folder()).toHaveText(`${newest.folder}/`);
  await expect(iteration.filesSummary()).toHaveText(`All ${newest.files.length} files are on node ${web.node}.`);
  await expect(iteration.fileRows()).toHaveCount(newest.files.length);
  for (const file of newest.files) {
    await expect(iteration.fileSize(file.name)).toHaveAttribute('title', `${file.sizeBytes} bytes`);
  }
  await expect(iteration.fileRows().filter({ hasText: '.qcow2.' })).toHaveCount(2);
  await expect(iteration.missing()).toHaveCount(0);
  await iteration.screenshot('iteration-files');
});

test('an iteration whose backup failed shows its files as missing on the node', async ({ iterationPage: iteration }) => {
  const mail = DEMO.machines.find((m) => m.name === 'mail-01');
  const { tree } = demoNode();
  const failed = tree.machines.find((m) => m.uuid === mail?.uuid)?.iterations.find((i) => i.mode === 'merging');
  if (!mail || !failed) throw new Error('demo node changed');
  await iteration.open(mail.uuid, failed.name);
  await expect(iteration.filesSummary()).toContainText(`Node ${mail.node} has no folder`);
  await expect(iteration.missingFiles()).toHaveCount(await iteration.fileRows().count());
  // The rest of the page is there.
  await expect(iteration.returnText()).toContainText('CANNOT_MERGE_DISK_IMAGES');
});
