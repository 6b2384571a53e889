import { defineConfig } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// One fresh data directory per run, shared by the runner and its workers.
process.env.DATAPORT_E2E_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'dataport-e2e-'));
// Files the tests pick for upload; removed with the data directory after the run.
process.env.DATAPORT_E2E_FILES ??= fs.mkdtempSync(path.join(os.tmpdir(), 'dataport-e2e-files-'));
const port = 3107;
const s3Port = 9107;

export default defineConfig({
  testDir: './tests',
  globalTeardown: './teardown.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  // On CI a failed test (with its serial group) runs once more; the report
  // names it "flaky" if the second run passes. The server's log is kept in
  // target/e2e-server.log for a look at what happened.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    acceptDownloads: true,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    // The server's log goes to a file: a pipe nobody drains would block the
    // server once it is full, and the file is there to read after a failure.
    command: `./target/debug/dataport serve --data-dir ${process.env.DATAPORT_E2E_DIR} --listen 127.0.0.1:${port} --s3-listen 127.0.0.1:${s3Port} 2>target/e2e-server.log`,
    cwd: '..',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    // Every multipart completion takes 2 s more, so that the page's "Completing…" can be seen.
    // The setup link's token is fixed here so that the tests can open the link the server prints.
    env: {
      LEPTOS_SITE_ROOT: 'target/site',
      RUST_LOG: 'warn',
      DATAPORT_EMBEDDED_COMPLETE_DELAY_MS: '2000',
      DATAPORT_SETUP_TOKEN: 'e2e-setup-token',
    },
  },
});
