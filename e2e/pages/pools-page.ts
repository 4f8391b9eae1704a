import type { Locator } from '@playwright/test';
import { ObjectiveForm } from './charts';
import { ConsolePage } from './console-page';

/** The list of pools, and one pool's page. */
export class PoolsPage extends ConsolePage {
  async open(): Promise<void> {
    await this.visit('/pools');
  }

  table(): Locator {
    return this.page.getByRole('table', { name: 'VM pools' });
  }

  /** One pool's page, by its UUID. */
  async openUuid(uuid: string): Promise<void> {
    await this.visit(`/pools/${uuid}`);
  }

  async openPool(name: string): Promise<void> {
    await this.page.getByRole('link', { name }).click();
  }

  // One pool's page.

  configLevel(): Locator {
    return this.page.getByTestId('config-level');
  }

  /** The pool's machines that follow its configuration, and which do not (clones, own ones). */
  followers(): Locator {
    return this.page.getByTestId('pool-followers');
  }

  objective(): ObjectiveForm {
    return new ObjectiveForm(this.page, 'pool-objective');
  }

  async openMachine(name: string): Promise<void> {
    await this.page.getByRole('table', { name: 'Machines' }).getByRole('link', { name, exact: true }).click();
  }
}
