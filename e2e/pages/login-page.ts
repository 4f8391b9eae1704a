import type { Locator } from '@playwright/test';
import { ConsolePage } from './console-page';

/** The sign-in page. */
export class LoginPage extends ConsolePage {
  async open(path = '/login'): Promise<void> {
    await this.visit(path);
  }

  async signIn(login: string, password: string, path = '/login'): Promise<void> {
    await this.open(path);
    await this.fill(login, password);
  }

  /** Fills and sends the form already shown (e.g. after being sent here from another page). */
  async fill(login: string, password: string): Promise<void> {
    await this.page.getByLabel('Login name').fill(login);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** The sentence the form answers with when it refuses. */
  refusal(): Locator {
    return this.page.locator('form').getByRole('alert');
  }
}
