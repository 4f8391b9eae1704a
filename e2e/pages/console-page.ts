import { mkdirSync } from 'node:fs';
import { expect, type Locator, type Page, type Response } from '@playwright/test';
import { NightsGrid } from './charts';

/**
 * What every page of the console has: the main navigation, the page's heading, a refusal or
 * load error in the main area, and the way to save a screenshot. `base` is the console's address
 * when it is not the configured baseURL (the second console, on the stoney cloud demo).
 */
export class ConsolePage {
  constructor(
    readonly page: Page,
    readonly base = '',
  ) {}

  /** Goes to a path of the console and returns the response (for its status and headers). */
  visit(path: string): Promise<Response | null> {
    return this.page.goto(`${this.base}${path}`);
  }

  heading(name: string | RegExp): Locator {
    return this.page.getByRole('heading', { name });
  }

  /** The heading of the page itself. */
  title(name: string | RegExp): Locator {
    return this.page.getByRole('heading', { name, level: 1 });
  }

  navLink(name: string): Locator {
    return this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  }

  /** A refusal or load error shown in place of the page's content. */
  alert(): Locator {
    return this.page.getByRole('main').getByRole('alert');
  }

  /** Any link: present once the page has rendered (and, for client links, hydrated). */
  anyLink(): Locator {
    return this.page.getByRole('link').first();
  }

  /** The heading of the page with what stands beside it (e.g. how many machines match). */
  titleBlock(): Locator {
    return this.page.getByRole('heading', { level: 1 }).locator('..');
  }

  // The status counts (overview and pool page), status badges and history grids appear on
  // several pages.

  /** The card of a status count, with its number and notes. */
  countCard(status: string): Locator {
    return this.page.getByTestId(`count-${status}`);
  }

  /** The number shown for a status. */
  count(status: string): Locator {
    return this.countCard(status).locator('div').first();
  }

  async countOf(status: string): Promise<number> {
    return Number(await this.count(status).textContent());
  }

  async openCount(status: string): Promise<void> {
    await this.countCard(status).click();
  }

  /** The status badges of the page's machine, or of one row. */
  statusBadges(within: Locator | Page = this.page): Locator {
    return within.getByTestId('status-badges');
  }

  /** A history grid of the page, by its id (attention-nights, pool-nights, history-nights, …). */
  nights(id: string): NightsGrid {
    return new NightsGrid(this.page, id);
  }

  /** The tooltip of a chart's focused or hovered cell. */
  chartTooltip(): Locator {
    return this.page.getByTestId('chart-tooltip');
  }

  /**
   * Focuses a chart's cell and waits for its tooltip. Focus that comes before the chart has
   * hydrated shows nothing, so the cell is focused again until the tooltip appears.
   */
  async focusChartCell(cell: Locator): Promise<void> {
    await expect(async () => {
      await cell.blur();
      await cell.focus();
      await expect(this.chartTooltip()).toBeVisible({ timeout: 1_000 });
    }).toPass();
  }

  /** Why a dynamic clone has no backup configuration (machine, backup and Configuration pages). */
  cloneNote(): Locator {
    return this.page.getByTestId('clone-note');
  }

  notFound(): Locator {
    return this.page.getByRole('heading', { name: 'Not found' });
  }

  async signOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
  }

  /** Saves a full-page screenshot as a test artifact (test-results/screenshots/<name>.png). */
  async screenshot(name: string): Promise<void> {
    mkdirSync('test-results/screenshots', { recursive: true });
    await this.page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
  }
}
