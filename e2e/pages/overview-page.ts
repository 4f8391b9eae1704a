import type { Locator } from '@playwright/test';
import { ObjectiveForm } from './charts';
import { ConsolePage } from './console-page';

/** The overview: a count per status and the machines needing attention. */
export class OverviewPage extends ConsolePage {
  async open(): Promise<void> {
    await this.visit('/');
  }

  attention(): Locator {
    return this.page.getByRole('table', { name: 'Machines needing attention' });
  }

  /** The row of a machine needing attention. */
  attentionRow(name: string): Locator {
    return this.attention().locator('tr', { has: this.page.getByRole('link', { name, exact: true }) });
  }

  /** What a machine needing attention is doing or did last (a failed or stuck step). */
  attentionActivity(row: Locator): Locator {
    return row.getByTestId('attention-activity');
  }

  /** The pools card: one row per pool the person may see. */
  pools(): Locator {
    return this.page.getByRole('table', { name: 'VM pools' });
  }

  poolRows(): Locator {
    return this.pools().locator('tbody tr');
  }

  /** Each pool's share of machines within the objective. */
  withinObjective(): Locator {
    return this.pools().getByTestId('within-objective');
  }

  objective(): ObjectiveForm {
    return new ObjectiveForm(this.page, 'cloud-objective');
  }

  attentionLink(name: string): Locator {
    return this.attention().getByRole('link', { name, exact: true });
  }
}
