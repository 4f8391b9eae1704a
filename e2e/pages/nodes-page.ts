import type { Page } from '@playwright/test';

/** The nodes page: one card per node with its address, reachability and disk usage. */
export class NodesPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/');
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Nodes' }).click();
    await this.page.waitForURL('**/nodes');
  }

  node(name: string) {
    return this.page.getByRole('region', { name: `Node ${name}` });
  }

  card(name: string) {
    return this.page.locator('section').filter({ has: this.page.getByTestId('node-name').getByText(name, { exact: true }) });
  }

  diskUsage(name: string) {
    return this.page.getByRole('table', { name: `Disk usage on ${name}` });
  }
}
