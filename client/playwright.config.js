// Real-browser tests: Playwright drives the system Chromium (Debian's package) by explicit
// path, headless. Playwright's own browser downloads are never used (they cannot be fetched
// here): install with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 and point CHROMIUM_PATH at a binary.
import { defineConfig } from '@playwright/test';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// The page under test. By default it is built in development mode (.env.development:
// API on 127.0.0.1:8000, websockets on 127.0.0.1:8001; VITE_API_URL / VITE_WS_URL in the
// environment override them) and served by `vite preview` on 127.0.0.1:4173.
// Set CLIENT_BASE_URL to test a page that is already being served elsewhere.
const PREVIEW_PORT = Number(process.env.CLIENT_PORT || 4173);
const BASE_URL = process.env.CLIENT_BASE_URL || `http://127.0.0.1:${PREVIEW_PORT}`;

export default defineConfig({
  testDir: './tests/browser',
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: BASE_URL,
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer: process.env.CLIENT_BASE_URL
    ? undefined
    : {
        command: `npx vite build --mode development && npx vite preview --port ${PREVIEW_PORT}`,
        url: BASE_URL,
        reuseExistingServer: !process.env.CI,
        timeout: 120_000,
        stdout: 'pipe',
      },
});
