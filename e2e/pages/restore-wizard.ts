import { expect, type Locator } from '@playwright/test';
import { ConsolePage } from './console-page';

type Stage = 'preflight' | 'deciding' | 'confirming' | 'copying-large-files' | 'finished' | 'failed';

/** The restore wizard of one iteration, from the pre-flight to the end of phase 2. */
export class RestoreWizard extends ConsolePage {
  async open(uuid: string, iteration: string): Promise<void> {
    await this.visit(`/machines/${uuid}/restore/${iteration}`);
  }

  /** The part of the wizard shown at one stage. */
  stage(name: Stage): Locator {
    return this.page.locator(`[data-testid="restore-stage"][data-stage="${name}"]`);
  }

  checks(): Locator {
    return this.page.getByRole('list', { name: 'Pre-flight checks' }).getByRole('listitem');
  }

  passedChecks(): Locator {
    return this.checks().and(this.page.locator('[data-ok="true"]'));
  }

  failedChecks(): Locator {
    return this.checks().and(this.page.locator('[data-ok="false"]'));
  }

  check(text: string): Locator {
    return this.checks().filter({ hasText: text });
  }

  largeFiles(): Locator {
    return this.page.getByRole('table', { name: 'Large files' });
  }

  preflightExecutor(): Locator {
    return this.page.getByTestId('preflight-executor');
  }

  executor(): Locator {
    return this.page.getByTestId('restore-executor');
  }

  /** stoney cloud: which leaf holds a restore of an iteration that exists only on the node. */
  onlyOnNode(): Locator {
    return this.page.getByTestId('restore-only-on-node');
  }

  startButton(): Locator {
    return this.page.getByRole('button', { name: 'Start the restore' });
  }

  async start(): Promise<void> {
    await this.startButton().click();
  }

  // Conflicts.

  conflict(name: string): Locator {
    return this.page.getByRole('group', { name });
  }

  conflicts(): Locator {
    return this.page.locator('fieldset[data-conflict]');
  }

  /** A row of a conflict's side-by-side table. */
  conflictRow(conflict: Locator, row: RegExp): Locator {
    return conflict.getByRole('table').getByRole('row', { name: row });
  }

  async typeValue(conflict: Locator, label: string, value: string): Promise<void> {
    await conflict.getByLabel(label).fill(value);
  }

  choice(conflict: Locator, label: string | RegExp): Locator {
    return conflict.getByRole('radio', { name: label });
  }

  decisionError(conflict: Locator): Locator {
    return conflict.getByTestId('decision-error');
  }

  decidedCount(): Locator {
    return this.page.getByTestId('decided-count');
  }

  decisionsError(): Locator {
    return this.page.getByTestId('decisions-error');
  }

  decisions(): Locator {
    return this.page.getByRole('form', { name: 'Decisions' });
  }

  /** Keeps the live side for every conflict, where the wizard offers it. */
  async keepLiveForAll(): Promise<void> {
    const keepAll = this.page.getByRole('button', { name: 'Keep live for all' });
    if (await keepAll.isVisible()) await keepAll.click();
  }

  async reviewPlan(): Promise<void> {
    await this.page.getByRole('button', { name: 'Review the plan' }).click();
  }

  /**
   * Starts the restore of a machine whose backup does not differ from it (nothing to decide) and
   * goes on to the plan. Phase 1 runs commands on the node: `timeout` for each stage to show.
   */
  async startToThePlan(timeout: number): Promise<void> {
    await this.start();
    await expect(this.stage('deciding')).toBeVisible({ timeout });
    await this.reviewPlan();
    await expect(this.stage('confirming')).toBeVisible({ timeout });
  }

  // The plan.

  plan(part: 'overwritten' | 'kept' | 'steps' | 'image'): Locator {
    return this.page.getByTestId(`plan-${part}`);
  }

  restoreKind(): Locator {
    return this.page.getByTestId('restore-kind');
  }

  async confirm(machine: string): Promise<void> {
    await this.page.getByRole('button', { name: `Confirm and restore ${machine}` }).click();
  }

  // Phase 2 and its end.

  copyProgress(): Locator {
    return this.page.getByTestId('copy-progress');
  }

  filesBeingCopied(): Locator {
    return this.page.getByRole('table', { name: 'Files being copied' }).locator('tr[data-state="copying"]');
  }

  /** The steps of phase 1 or 2 in a state. */
  steps(phase: 1 | 2, status: 'done' | 'failed'): Locator {
    return this.page.getByRole('list', { name: new RegExp(`Phase ${phase}`) }).locator(`li[data-status="${status}"]`);
  }

  /** The steps of both phases in a state. */
  stepsOfBoth(status: 'done' | 'failed'): Locator {
    return this.page.locator(`li[data-status="${status}"]`);
  }

  journal(): Locator {
    return this.page.getByRole('list', { name: 'Restore journal' });
  }

  journalSteps(step: string): Locator {
    return this.journal().locator(`li[data-step="${step}"]`);
  }

  finished(): Locator {
    return this.page.getByTestId('restore-finished');
  }

  remains(): Locator {
    return this.page.getByTestId('restore-remains');
  }

  aborted(): Locator {
    return this.page.getByTestId('restore-aborted');
  }

  /** A finished restore that was undone since, and by whom. */
  undone(): Locator {
    return this.page.getByTestId('restore-undone');
  }

  restoreAgain(): Locator {
    return this.page.getByText('Restore this iteration again…');
  }

  failureTitle(): Locator {
    return this.page.getByTestId('failure-title');
  }

  failureCommand(): Locator {
    return this.page.getByTestId('failure-command');
  }

  failureStderr(): Locator {
    return this.failureCommand().getByLabel('Standard error');
  }

  machineState(): Locator {
    return this.page.getByTestId('machine-state');
  }

  /** What a restore marked as finished by hand leaves behind. */
  whatRemains(): Locator {
    return this.page.getByTestId('finish-by-hand').getByRole('list', { name: 'What remains' });
  }

  retryButton(): Locator {
    return this.page.getByRole('button', { name: 'Retry from the failed step' });
  }

  markFinishedButton(): Locator {
    return this.page.getByRole('button', { name: 'Mark as finished' });
  }

  abortButtons(): Locator {
    return this.page.getByRole('button', { name: /^Abort/ });
  }

  async abort(label = 'Abort the restore'): Promise<void> {
    await this.page.getByRole('button', { name: label }).click();
  }

  async backTo(machine: string): Promise<void> {
    await this.page.getByRole('link', { name: `Back to ${machine}` }).click();
  }
}
