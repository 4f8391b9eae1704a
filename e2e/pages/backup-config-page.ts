import type { Page } from '@playwright/test';

/** A backup configuration page (cloud, pool or machine): the form, the cron editor and its preview. */
export class BackupConfigPage {
  constructor(private readonly page: Page) {}

  async openMachine(uuid: string): Promise<void> {
    await this.page.goto(`/machines/${uuid}/backup`);
  }

  async openCloud(): Promise<void> {
    await this.page.goto('/configuration');
  }

  cronField(label: 'Minute' | 'Hour' | 'Day of month' | 'Month' | 'Day of week') {
    return this.page.getByLabel(label, { exact: true });
  }

  field(label: string) {
    return this.page.getByLabel(label, { exact: true });
  }

  description() {
    return this.page.getByTestId('cron-description');
  }

  nextRuns() {
    return this.page.getByRole('table', { name: 'Next runs' }).locator('tbody tr');
  }

  async submit(): Promise<void> {
    await this.page.getByRole('form', { name: 'Backup configuration' }).getByRole('button', { name: /Save configuration|Create the/ }).click();
  }
}
