import type { Locator } from '@playwright/test';
import { ConsolePage } from './console-page';

/** The audit trail, newest first, optionally for one machine or pool. */
export class AuditPage extends ConsolePage {
  async open(query = ''): Promise<void> {
    await this.visit(`/audit${query}`);
  }

  table(): Locator {
    return this.page.getByRole('table', { name: 'Audit trail' });
  }
}
