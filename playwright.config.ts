import { existsSync } from "node:fs";

import { defineConfig, devices } from "@playwright/test";

// Debian's Chromium; this project never downloads a browser.
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(executablePath)) {
  throw new Error(
    `No Chromium at ${executablePath}. Install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.`,
  );
}

const PORT = Number(process.env.E2E_PORT ?? 3210);
const baseURL = `http://localhost:${PORT}`;
// The decision listener (ACCESS_API_PORT) of the same server; tests read it as E2E_DECISION_ORIGIN.
const DECISION_PORT = PORT + 1;
process.env.E2E_DECISION_ORIGIN = `http://127.0.0.1:${DECISION_PORT}`;
// The test identity providers (tests/helpers/e2e-identity-provider.ts) the single sign-on specs sign in at.
process.env.E2E_IDP_PORT = String(PORT + 2);
// The test SAML identity provider, from the same global setup.
process.env.E2E_SAML_IDP_PORT = String(PORT + 3);
// The test learning record store the app sends xAPI statements to, from the same global setup.
process.env.E2E_LRS_PORT = String(PORT + 4);
process.env.E2E_LRS_URL = `http://127.0.0.1:${PORT + 4}/xapi/`;
process.env.E2E_LRS_USERNAME = "e2e-lrs-key";
process.env.E2E_LRS_PASSWORD = "e2e-lrs-secret-e2e-lrs-secret";
// Lets a spec run the scheduler at once (POST /api/cron/tick) instead of waiting for its minute.
process.env.E2E_CRON_SECRET = "e2e-cron-secret-e2e-cron-secret";

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath,
      args: [
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    },
  },
  projects: [
    // A compliance admin connects the test learning record store before the journeys, which then send to it.
    { name: "setup", testMatch: /.*\.setup\.ts/, use: { ...devices["Desktop Chrome"] } },
    { name: "chromium", use: { ...devices["Desktop Chrome"] }, dependencies: ["setup"] },
  ],
  globalSetup: "./tests/helpers/e2e-identity-provider.ts",
  webServer: {
    // A production build against a fresh embedded database with the demo organisation.
    // The server's output is also kept in logs/e2e-server.log, which `npm run logs:check` searches for personal data and secrets.
    command: `sh -c 'test -f .next/BUILD_ID || npx next build; rm -rf .data-e2e; mkdir -p logs; npx next start -p ${PORT} 2>&1 | tee logs/e2e-server.log'`,
    url: `${baseURL}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATA_DIR: ".data-e2e",
      DATABASE_URL: "",
      SEED_DEMO: "true",
      // The journeys start from people's first day of training.
      SEED_DEMO_HISTORY: process.env.SEED_DEMO_HISTORY ?? "false",
      NEXTAUTH_URL: baseURL,
      NEXTAUTH_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e-secret",
      DATA_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString("base64"),
      AUDIT_CHAIN_KEY: Buffer.alloc(32, 4).toString("base64"),
      ACCESS_API_PORT: String(DECISION_PORT),
      // Every browser in the suite connects from 127.0.0.1: its failed sign-ins must not pause the rest.
      SIGN_IN_IP_FAILURES: "1000",
      // The test identity provider serves plain http on 127.0.0.1.
      SSO_ALLOW_LOOPBACK_HTTP: "true",
      // /metrics is on, behind this token (tests/e2e/authz.spec.ts: a browser session is no token).
      METRICS_TOKEN: "e2e-metrics-token-e2e-metrics-token",
      LOG_LEVEL: "info",
      // The test LRS is plain http on 127.0.0.1; the admin connects it in lrs-connect.setup.ts.
      XAPI_ALLOW_LOOPBACK_HTTP: "true",
      CRON_SECRET: process.env.E2E_CRON_SECRET,
    },
  },
});
