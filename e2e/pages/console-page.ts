import { mkdirSync } from 'node:fs';
import type { Locator, Page, Response } from '@playwright/test';

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
