import type { Locator } from '@playwright/test';
import { ConsolePage } from './console-page';

/** The nodes page: one card per node with its address, reachability, disk usage and node daemon. */
export class NodesPage extends ConsolePage {
  async open(): Promise<void> {
    await this.visit('/');
    await this.navLink('Nodes').click();
    await this.page.waitForURL('**/nodes');
  }

  node(name: string): Locator {
    return this.page.getByRole('region', { name: `Node ${name}` });
  }

  card(name: string): Locator {
    return this.page.locator('section').filter({ has: this.page.getByTestId('node-name').getByText(name, { exact: true }) });
  }

  reachable(name: string): Locator {
    return this.card(name).getByText('Reachable', { exact: true });
  }

  address(name: string): Locator {
    return this.node(name).getByTestId('node-address');
  }

  commands(name: string): Locator {
    return this.node(name).getByTestId('node-commands');
  }

  diskUsage(name: string): Locator {
    return this.page.getByRole('table', { name: `Disk usage on ${name}` });
  }

  diskUsageRows(name: string): Locator {
    return this.diskUsage(name).locator('tbody tr');
  }

  usedMeters(name: string): Locator {
    return this.diskUsage(name).getByRole('meter', { name: 'Used' });
  }

  errors(): Locator {
    return this.page.getByTestId('node-error');
  }

  daemon(name: string): Locator {
    return this.node(name).getByTestId('node-daemon');
  }

  daemonSummary(name: string): Locator {
    return this.daemon(name).getByTestId('node-daemon-summary');
  }

  async showDaemonFindings(name: string): Promise<void> {
    await this.daemon(name).getByText('What the console found on the node').click();
  }
}
