import { defineConfig } from '@playwright/test';

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3107);
/** A second console, on the demo built as a stoney cloud installation (e2e/stoney.spec.ts). */
export const E2E_STONEY_PORT = Number(process.env.E2E_STONEY_PORT ?? E2E_PORT + 500);

/** Debian's Chromium, never a downloaded browser; flags keep it from calling home on a closed network. */
export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results/e2e',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    storageState: './test-results/e2e-state/admin.json',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1360, height: 900 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
