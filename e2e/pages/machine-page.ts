import type { Locator } from '@playwright/test';
import { BackupChart } from './charts';
import { ConsolePage } from './console-page';

/** One machine: its backup state and why, its schedule, its iterations, exclusion and unblocking. */
export class MachinePage extends ConsolePage {
  async open(uuid: string): Promise<void> {
    await this.visit(`/machines/${uuid}`);
  }

  statusReason(): Locator {
    return this.page.getByTestId('status-reason');
  }

  /** What the machine is doing or did last: a failed, stuck or running step. */
  statusActivity(): Locator {
    return this.page.getByTestId('status-activity');
  }

  /** What an administrator does next about it. */
  statusNext(): Locator {
    return this.page.getByTestId('status-next');
  }

  /** stoney cloud: the wrapper skips the machine until it is unblocked. */
  statusBlocked(): Locator {
    return this.page.getByTestId('status-blocked');
  }

  verdict(): Locator {
    return this.page.getByTestId('backup-verdict');
  }

  configLevel(): Locator {
    return this.page.getByTestId('config-level');
  }

  planText(): Locator {
    return this.page.getByTestId('plan-text');
  }

  excluded(): Locator {
    return this.page.getByTestId('excluded');
  }

  disks(): Locator {
    return this.page.getByRole('table', { name: 'Disks' }).getByRole('row');
  }

  /** A value of the machine's settings list (e.g. Memory). */
  setting(label: string): Locator {
    return this.page.locator('dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]');
  }

  iterations(): Locator {
    return this.page.getByRole('table', { name: 'Backup iterations' });
  }

  iterationRows(): Locator {
    return this.iterations().locator('tbody tr');
  }

  /** The row of an iteration, by its name. */
  iterationRow(iteration: string): Locator {
    return this.iterations().locator('tr', { hasText: iteration });
  }

  /** Whether a row's iteration is finished, or since when its last step ended. */
  finishedCell(row: Locator): Locator {
    return row.getByTestId('finished-cell');
  }

  chart(): BackupChart {
    return new BackupChart(this.page);
  }

  /** The link in a row's first cell, to the iteration's page (the last cell has its restore link). */
  iterationLink(row: Locator): Locator {
    return row.locator('td').first().getByRole('link');
  }

  /** The link in a row's last cell: the restore of that iteration. */
  restoreCellLink(row: Locator): Locator {
    return row.locator('td').last().getByRole('link');
  }

  restoreLink(iteration: string): Locator {
    return this.iterations().getByRole('link', { name: `Restore ${iteration}` });
  }

  /** Every restore link of the iteration table. */
  restoreLinks(): Locator {
    return this.iterations().getByRole('link', { name: /^(Restore|Open restore)/ });
  }

  liveRefresh(): Locator {
    return this.page.getByTestId('live-refresh');
  }

  editConfigurationLink(): Locator {
    return this.page.getByRole('link', { name: 'Edit backup configuration' });
  }

  excludeButton(): Locator {
    return this.page.getByRole('button', { name: /Exclude this machine/ });
  }

  /** The machine's Exclude or Include button (a dynamic clone has neither). */
  exclusionButtons(): Locator {
    return this.page.getByRole('button', { name: /Exclude this machine|Include this machine/ });
  }

  async exclude(): Promise<void> {
    await this.page.getByRole('button', { name: 'Exclude this machine from backup' }).click();
  }

  async include(): Promise<void> {
    await this.page.getByRole('button', { name: 'Include this machine in backups again' }).click();
  }

  async unblock(): Promise<void> {
    await this.page.getByRole('button', { name: 'Unblock backups of this machine' }).click();
    await this.page.getByRole('button', { name: 'Yes, unblock' }).click();
  }

  unblockResult(): Locator {
    return this.page.getByTestId('unblock-result');
  }

  // What earlier restores kept for an undo.

  /** The kept record of a restore, newest first; its data-status is kept, undone, … */
  keptRestores(): Locator {
    return this.page.getByTestId('kept-restore');
  }

  keptImages(kept: Locator, iteration: string): Locator {
    return kept.getByRole('table', { name: `Kept images of the restore of ${iteration}` }).locator('tr');
  }

  discardButton(kept: Locator): Locator {
    return kept.getByRole('button', { name: 'Discard…' });
  }

  async openUndo(kept: Locator): Promise<void> {
    await kept.getByRole('link', { name: 'Undo this restore…' }).click();
  }

  // stoney cloud: the folders on the node and the node's crontab.

  nodeIterationRows(): Locator {
    return this.page.getByRole('table', { name: 'Iterations on the node' }).locator('tbody tr');
  }

  nodeIterationRow(iteration: string): Locator {
    return this.nodeIterationRows().filter({ hasText: iteration });
  }

  /** A folder row's links: the iteration's page, and its restore from the node. */
  nodeIterationLink(row: Locator, iteration: string): Locator {
    return row.getByRole('link', { name: iteration, exact: true });
  }

  restoreFromNodeLink(row: Locator, iteration: string): Locator {
    return row.getByRole('link', { name: `Restore ${iteration} from the node` });
  }

  /** Which restore from the node the machine's one leaf holds now (stoney cloud). */
  restoreFromNode(): Locator {
    return this.page.getByTestId('restore-from-node');
  }

  openRestoreLink(iteration: string): Locator {
    return this.iterations().getByRole('link', { name: `Open restore of ${iteration}` });
  }

  nodeIterationWhere(row: Locator): Locator {
    return row.getByTestId('node-iteration-where');
  }

  /** Opens a folder row's list of files. */
  async openNodeIterationFiles(row: Locator, fileCount: number): Promise<void> {
    await row.getByText(`${fileCount} files`).click();
  }

  /** The size of one file of an opened folder row (its title, in bytes). */
  nodeIterationFileSize(row: Locator, file: string): Locator {
    return row.getByTestId('node-iteration-file').filter({ hasText: file }).locator('span[title]');
  }

  crontabLine(): Locator {
    return this.page.getByTestId('crontab-line');
  }

  schedule(): Locator {
    return this.page.getByTestId('machine-schedule');
  }

  wrapperRuns(): Locator {
    return this.page.getByRole('table', { name: 'Next runs of the wrapper' }).locator('tbody tr');
  }
}
