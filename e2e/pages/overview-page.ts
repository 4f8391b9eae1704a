import type { Locator } from '@playwright/test';
import { ConsolePage } from './console-page';

/** The overview: a count per status and the machines needing attention. */
export class OverviewPage extends ConsolePage {
  async open(): Promise<void> {
    await this.visit('/');
  }

  /** The number shown for a status. */
  count(status: string): Locator {
    return this.page.getByTestId(`count-${status}`).locator('div').first();
  }

  async countOf(status: string): Promise<number> {
    return Number(await this.count(status).textContent());
  }

  async openCount(status: string): Promise<void> {
    await this.page.getByTestId(`count-${status}`).click();
  }

  attention(): Locator {
    return this.page.getByRole('table', { name: 'Machines needing attention' });
  }

  /** The pools card: one row per pool the person may see. */
  poolRows(): Locator {
    return this.page.getByRole('table', { name: 'VM pools' }).locator('tbody tr');
  }

  attentionLink(name: string): Locator {
    return this.attention().getByRole('link', { name, exact: true });
  }
}
