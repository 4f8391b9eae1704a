import type { Locator } from '@playwright/test';
import { ConsolePage } from './console-page';

/** The undo of a finished restore: its plan, its own confirmation, progress and journal. */
export class UndoPage extends ConsolePage {
  async open(uuid: string, iteration: string): Promise<void> {
    await this.visit(`/machines/${uuid}/restore/${iteration}/undo`);
  }

  /** The steps run while the machine is stopped. */
  downtime(): Locator {
    return this.page.getByTestId('undo-downtime');
  }

  /** The images renamed back, one item each. */
  images(): Locator {
    return this.page.getByTestId('undo-image');
  }

  steps(): Locator {
    return this.page.getByTestId('undo-steps');
  }

  /** Why the undo is refused (something changed since the restore that it would lose). */
  refused(): Locator {
    return this.page.getByTestId('undo-refused');
  }

  undoButton(machine: string): Locator {
    return this.page.getByRole('button', { name: `Undo the restore of ${machine}` });
  }

  /** Ticks the box that says the administrator understands the machine is stopped. */
  async understand(machine: string): Promise<void> {
    await this.page.getByLabel(new RegExp(`I understand that ${machine} is stopped`)).check();
  }

  done(): Locator {
    return this.page.getByTestId('undo-done');
  }

  stepsInState(status: 'done' | 'failed'): Locator {
    return this.page.getByRole('list', { name: 'Undo steps' }).locator(`li[data-status="${status}"]`);
  }

  journalSteps(step: string): Locator {
    return this.page.getByRole('list', { name: 'Undo journal' }).locator(`li[data-step="${step}"]`);
  }
}
