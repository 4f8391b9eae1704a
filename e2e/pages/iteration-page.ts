import type { Locator } from '@playwright/test';
import { ConsolePage } from './console-page';

/** One iteration: its mode and return code in words, and its files on the node. */
export class IterationPage extends ConsolePage {
  async open(uuid: string, iteration: string): Promise<void> {
    await this.visit(`/machines/${uuid}/iterations/${iteration}`);
  }

  folder(): Locator {
    return this.page.getByTestId('iteration-folder');
  }

  filesSummary(): Locator {
    return this.page.getByTestId('node-files-summary');
  }

  files(): Locator {
    return this.page.getByRole('table', { name: 'Expected files' });
  }

  fileRows(): Locator {
    return this.files().locator('tbody tr');
  }

  /** The size of a file as found on the node (its title, in bytes). */
  fileSize(name: string): Locator {
    return this.fileRows().filter({ hasText: name }).getByTestId('file-on-node').locator('span[title]');
  }

  /** Every "missing" on the page. */
  missing(): Locator {
    return this.page.getByText('missing', { exact: true });
  }

  /** The files the table marks as missing on the node. */
  missingFiles(): Locator {
    return this.fileRows().getByText('missing', { exact: true });
  }

  /** stoney cloud: the iteration exists only as a folder on the node. */
  onlyOnNode(): Locator {
    return this.page.getByTestId('only-on-node');
  }

  returnText(): Locator {
    return this.page.getByTestId('return-text');
  }

  /** The iteration's mode in words: what is happening or, once over, what happened. */
  modeMeaning(): Locator {
    return this.page.getByTestId('mode-meaning');
  }

  /** A step stuck or failed on this iteration, as the machine page says it. */
  activity(): Locator {
    return this.page.getByTestId('iteration-activity');
  }

  nextActor(): Locator {
    return this.page.getByTestId('next-actor');
  }

  restoreLink(): Locator {
    return this.page.getByRole('link', { name: /Restore this iteration/ });
  }
}
