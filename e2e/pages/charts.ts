import type { Locator, Page } from '@playwright/test';

/**
 * A history grid (components/charts/history-grid.tsx): one row per machine or pool, one cell per
 * night, and on the pools' grid the totals of each night. `id` is the grid's id on its page.
 */
export class NightsGrid {
  constructor(
    readonly page: Page,
    readonly id: string,
  ) {}

  svg(): Locator {
    return this.page.getByTestId(`${this.id}-svg`);
  }

  rows(): Locator {
    return this.page.getByTestId(`${this.id}-row`);
  }

  /** The row of a machine or pool, by its UUID. */
  row(uuid: string): Locator {
    return this.page.locator(`[data-testid="${this.id}-row"][data-row="${uuid}"]`);
  }

  /** The cells of a row (or of every row), oldest night first. */
  cells(row: Locator = this.rows()): Locator {
    return row.locator('[data-cell]');
  }

  /** The state of each night of a row (good, failed, missing, …), oldest first. */
  states(row: Locator): Promise<(string | null)[]> {
    return this.cells(row).evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
  }

  /** A night's total of machines in a state, one number per night. */
  async totals(state: 'good' | 'missing'): Promise<number[]> {
    const texts = await this.page.getByTestId(`${this.id}-total-${state}`).locator('text[data-night]').allTextContents();
    return texts.map(Number);
  }
}

/** The machine page's chart of its iterations: one bar each, its steps stacked, its size on top. */
export class BackupChart {
  constructor(readonly page: Page) {}

  /**
   * The chart once the node has answered for the sizes: until then the page shows the same chart
   * without sizes in its place, and for a moment both are on the page.
   */
  svg(): Locator {
    return this.page.locator('[data-testid="backup-chart-svg"]:not([data-sizes="loading"])');
  }

  bars(): Locator {
    return this.svg().locator('[data-cell]');
  }

  /** An attribute of every bar, oldest first. */
  barsAttribute(name: 'data-iteration' | 'data-result'): Promise<(string | null)[]> {
    return this.bars().evaluateAll((els, attribute) => els.map((e) => e.getAttribute(attribute)), name);
  }

  /** The heights of a bar's step segments, by step. */
  stepHeights(bar: Locator): Promise<Record<string, number>> {
    return bar
      .locator('rect[data-step]')
      .evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-step'), Number(e.getAttribute('height'))])));
  }

  barSize(bar: Locator): Locator {
    return bar.locator('text[data-size]');
  }

  sizesNote(): Locator {
    return this.page.getByTestId('backup-chart-sizes').filter({ hasNotText: 'asking the node' });
  }
}

/** The recovery point objective form of the cloud (overview) or of a pool (pool page). */
export class ObjectiveForm {
  constructor(
    readonly page: Page,
    readonly id: 'cloud-objective' | 'pool-objective',
  ) {}

  field(): Locator {
    return this.page.getByLabel('Recovery point objective (hours; empty for the default)');
  }

  async save(hours: string): Promise<void> {
    await this.field().fill(hours);
    await this.page.getByRole('button', { name: 'Save', exact: true }).click();
  }

  useDefaultButton(): Locator {
    return this.page.getByRole('button', { name: 'Use the default' });
  }

  result(): Locator {
    return this.page.getByTestId(`${this.id}-result`);
  }

  effective(): Locator {
    return this.page.getByTestId(`${this.id}-effective`);
  }

  error(): Locator {
    return this.page.locator(`#${this.id}-error`);
  }
}
