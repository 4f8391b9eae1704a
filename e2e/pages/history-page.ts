import { ConsolePage } from './console-page';
import type { NightsGrid } from './charts';

/** Every machine's last nights, filtered like the machine list. */
export class HistoryPage extends ConsolePage {
  async open(query = ''): Promise<void> {
    await this.visit(`/history${query}`);
  }

  grid(): NightsGrid {
    return this.nights('history-nights');
  }
}
