import type { Locator } from '@playwright/test';
import { ConsolePage } from './console-page';

/** The list of pools, and one pool's page. */
export class PoolsPage extends ConsolePage {
  async open(): Promise<void> {
    await this.visit('/pools');
  }

  table(): Locator {
    return this.page.getByRole('table', { name: 'VM pools' });
  }

  async openPool(name: string): Promise<void> {
    await this.page.getByRole('link', { name }).click();
  }

  // One pool's page.

  configLevel(): Locator {
    return this.page.getByTestId('config-level');
  }

  async openMachine(name: string): Promise<void> {
    await this.page.getByRole('table', { name: 'Machines' }).getByRole('link', { name, exact: true }).click();
  }
}
