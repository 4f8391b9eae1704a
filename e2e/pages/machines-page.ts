import type { Page } from '@playwright/test';

/** The machine list as an administrator uses it: search box, filters, table. */
export class MachinesPage {
  constructor(private readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/machines${query}`);
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel('Search name or UUID').fill(text);
    await this.page.getByRole('button', { name: 'Apply' }).click();
    await this.page.waitForURL(/q=/);
  }

  async filter(label: 'Pool' | 'Node' | 'Status', option: string): Promise<void> {
    await this.page.getByLabel(label, { exact: true }).selectOption({ label: option });
    await this.page.getByRole('button', { name: 'Apply' }).click();
    await this.page.waitForLoadState('networkidle');
  }

  machineNames() {
    return this.page.getByRole('table', { name: 'Machines' }).locator('tbody tr td:first-child a');
  }
}
