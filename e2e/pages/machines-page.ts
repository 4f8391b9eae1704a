import type { Locator } from '@playwright/test';
import { ConsolePage } from './console-page';

const FILTER_PARAM = { Pool: 'pool', Node: 'node', Status: 'status' } as const;

/** The machine list as an administrator uses it: search box, filters, table, exclusion. */
export class MachinesPage extends ConsolePage {
  async open(query = ''): Promise<void> {
    await this.visit(`/machines${query}`);
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel('Search name or UUID').fill(text);
    await this.page.getByRole('button', { name: 'Apply' }).click();
    await this.page.waitForURL(/q=/);
  }

  /** Applies one filter; the list is there once the address carries it. */
  async filter(label: keyof typeof FILTER_PARAM, option: string): Promise<void> {
    await this.page.getByLabel(label, { exact: true }).selectOption({ label: option });
    await this.page.getByRole('button', { name: 'Apply' }).click();
    await this.page.waitForURL(new RegExp(`[?&]${FILTER_PARAM[label]}=[^&]`));
  }

  table(): Locator {
    return this.page.getByRole('table', { name: 'Machines' });
  }

  rows(): Locator {
    return this.table().locator('tbody tr');
  }

  machineNames(): Locator {
    return this.table().locator('tbody tr td:first-child a');
  }

  /** Why a row has its status, in a sentence. */
  rowReason(row: Locator): Locator {
    return row.getByTestId('row-reason');
  }

  /** A row's own Exclude or Include button. */
  rowButton(intent: 'Exclude' | 'Include', name: string): Locator {
    return this.page.getByRole('button', { name: `${intent} ${name}`, exact: true });
  }

  /** Every Exclude or Include button on the page. */
  exclusionButtons(): Locator {
    return this.page.getByRole('button', { name: /^(Exclude|Include)/ });
  }

  checkboxes(): Locator {
    return this.page.getByRole('checkbox');
  }

  async select(name: string): Promise<void> {
    await this.page.getByRole('checkbox', { name: `Select ${name}` }).check();
  }

  async includeSelected(): Promise<void> {
    await this.page.getByRole('button', { name: 'Include selected' }).click();
  }

  selectionResult(): Locator {
    return this.page.getByTestId('exclude-selection-result');
  }
}
