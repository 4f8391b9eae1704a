import type { Locator } from '@playwright/test';
import { ConsolePage } from './console-page';

/**
 * A backup configuration page (cloud, pool or machine): what applies, inheritance and exclusion,
 * the form with its cron editor and preview; on the Configuration page also the kind of
 * installation.
 */
export class BackupConfigPage extends ConsolePage {
  async openMachine(uuid: string): Promise<void> {
    await this.visit(`/machines/${uuid}/backup`);
  }

  async openPool(uuid: string): Promise<void> {
    await this.visit(`/pools/${uuid}/backup`);
  }

  async openCloud(): Promise<void> {
    await this.visit('/configuration');
  }

  cronField(label: 'Minute' | 'Hour' | 'Day of month' | 'Month' | 'Day of week'): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  /** The sentence below a field that refuses its value, by the field's name. */
  fieldError(name: string): Locator {
    return this.page.getByTestId(`error-${name}`);
  }

  description(): Locator {
    return this.page.getByTestId('cron-description');
  }

  nextRuns(): Locator {
    return this.page.getByRole('table', { name: 'Next runs' }).locator('tbody tr');
  }

  /** A cell of a row of the next runs: 0 on the node, 1 in UTC, 2 the iteration it creates. */
  runCell(row: Locator, column: 0 | 1 | 2): Locator {
    return row.locator('td').nth(column);
  }

  misreadings(): Locator {
    return this.page.getByTestId('cron-misreadings');
  }

  cronDiffers(): Locator {
    return this.page.getByTestId('cron-differs');
  }

  cronWarnings(): Locator {
    return this.page.getByTestId('cron-warnings');
  }

  cronUnused(): Locator {
    return this.page.getByTestId('cron-unused');
  }

  retentionStops(): Locator {
    return this.page.getByTestId('retention-stops');
  }

  retentionPreview(): Locator {
    return this.page.getByTestId('retention-preview');
  }

  inheritance(): Locator {
    return this.page.getByTestId('inheritance');
  }

  async submit(): Promise<void> {
    await this.page
      .getByRole('form', { name: 'Backup configuration' })
      .getByRole('button', { name: /Save configuration|Create the/ })
      .click();
  }

  /** Every button that saves (none where nothing may be written, e.g. under a dynamic clone). */
  saveButtons(): Locator {
    return this.page.getByRole('button', { name: 'Save' });
  }

  confirmations(): Locator {
    return this.page.getByTestId('form-confirmations');
  }

  async saveAnyway(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save anyway' }).click();
  }

  saved(): Locator {
    return this.page.getByTestId('form-saved');
  }

  formError(): Locator {
    return this.page.getByTestId('form-error');
  }

  async removeOwnConfiguration(level: 'machine' | 'pool'): Promise<void> {
    await this.page.getByRole('button', { name: `Remove this ${level}'s own configuration` }).click();
    await this.page.getByRole('button', { name: 'Yes, remove it' }).click();
  }

  message(text: string): Locator {
    return this.page.getByText(text);
  }

  async setExcluded(level: 'machine' | 'pool', exclude: boolean): Promise<void> {
    const name = exclude ? `Exclude this ${level} from backup` : `Include this ${level} in backups again`;
    await this.page.getByRole('button', { name }).click();
  }

  excludeResult(): Locator {
    return this.page.getByTestId('exclude-result');
  }

  exclusionState(): Locator {
    return this.page.getByTestId('exclusion-state');
  }

  // The Configuration page's account of the kind of installation.

  installationKind(): Locator {
    return this.page.getByTestId('installation-kind');
  }

  installationReason(): Locator {
    return this.page.getByTestId('installation-reason');
  }

  async showEvidence(): Promise<Locator> {
    await this.page.locator('summary', { hasText: 'What the directory and the nodes show' }).click();
    return this.page.getByTestId('installation-evidence');
  }

  wrapperCrontabLines(): Locator {
    return this.page.getByRole('table', { name: 'Crontab lines that start the stoney wrapper' }).getByTestId('crontab-line');
  }
}
