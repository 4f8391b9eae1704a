import { test as base, expect, type Page } from '@playwright/test';
import { AuditPage } from './pages/audit-page';
import { BackupConfigPage } from './pages/backup-config-page';
import { HistoryPage } from './pages/history-page';
import { IterationPage } from './pages/iteration-page';
import { LoginPage } from './pages/login-page';
import { MachinePage } from './pages/machine-page';
import { MachinesPage } from './pages/machines-page';
import { NodesPage } from './pages/nodes-page';
import { OverviewPage } from './pages/overview-page';
import { PoolsPage } from './pages/pools-page';
import { RestoreWizard } from './pages/restore-wizard';
import { UndoPage } from './pages/undo-page';
import { stoneyWorld } from './stoney-world';

/** Every page object, on one browser page. Specs locate nothing themselves; they use these. */
export type Pages = {
  loginPage: LoginPage;
  overviewPage: OverviewPage;
  machinesPage: MachinesPage;
  machinePage: MachinePage;
  iterationPage: IterationPage;
  poolsPage: PoolsPage;
  nodesPage: NodesPage;
  backupConfigPage: BackupConfigPage;
  historyPage: HistoryPage;
  auditPage: AuditPage;
  restoreWizard: RestoreWizard;
  undoPage: UndoPage;
};

/** The page objects of one browser page; `base` for a console other than the configured one. */
export function pagesOf(page: Page, base = ''): Pages {
  return {
    loginPage: new LoginPage(page, base),
    overviewPage: new OverviewPage(page, base),
    machinesPage: new MachinesPage(page, base),
    machinePage: new MachinePage(page, base),
    iterationPage: new IterationPage(page, base),
    poolsPage: new PoolsPage(page, base),
    nodesPage: new NodesPage(page, base),
    backupConfigPage: new BackupConfigPage(page, base),
    historyPage: new HistoryPage(page, base),
    auditPage: new AuditPage(page, base),
    restoreWizard: new RestoreWizard(page, base),
    undoPage: new UndoPage(page, base),
  };
}

// Fixture functions name their second argument `provide`, not Playwright's usual `use`, which
// React's hooks rule would take for React's `use`.
type Fixtures = Pages & {
  /** The page objects of a fresh browser context signed in as a demo person (closed after the test). */
  signedInAs: (person: { login: string; password: string }) => Promise<Pages & { page: Page }>;
  /** The page objects on the second console, the one on the demo built as a stoney cloud. */
  stoney: Pages;
};

const pageObject =
  <K extends keyof Pages>(key: K) =>
  async ({ page }: { page: Page }, provide: (value: Pages[K]) => Promise<void>) =>
    provide(pagesOf(page)[key]);

export const test = base.extend<Fixtures>({
  loginPage: pageObject('loginPage'),
  overviewPage: pageObject('overviewPage'),
  machinesPage: pageObject('machinesPage'),
  machinePage: pageObject('machinePage'),
  iterationPage: pageObject('iterationPage'),
  poolsPage: pageObject('poolsPage'),
  nodesPage: pageObject('nodesPage'),
  backupConfigPage: pageObject('backupConfigPage'),
  historyPage: pageObject('historyPage'),
  auditPage: pageObject('auditPage'),
  restoreWizard: pageObject('restoreWizard'),
  undoPage: pageObject('undoPage'),
  signedInAs: async ({ browser }, provide) => {
    const contexts: Awaited<ReturnType<typeof browser.newContext>>[] = [];
    await provide(async (person) => {
      const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
      contexts.push(context);
      const page = await context.newPage();
      const pages = pagesOf(page);
      await pages.loginPage.signIn(person.login, person.password);
      await expect(pages.overviewPage.title('Overview')).toBeVisible();
      return { ...pages, page };
    });
    for (const context of contexts) await context.close();
  },
  stoney: async ({ page }, provide) => provide(pagesOf(page, stoneyWorld().url)),
});

export { expect };
