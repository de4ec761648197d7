import path from "node:path";

import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      "server-only": path.resolve(import.meta.dirname, "tests/helpers/empty-module.ts"),
    },
  },
  test: {
    environment: "node",
    include: [
      "tests/unit/**/*.test.ts",
      "tests/integration/**/*.test.ts",
      "tests/property/**/*.test.ts",
      "tests/security/**/*.test.ts",
    ],
    globalSetup: ["tests/helpers/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    env: {
      NODE_ENV: "test",
      NEXTAUTH_SECRET: "test-secret-test-secret-test-secret-0123",
      DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      AUDIT_CHAIN_KEY: Buffer.alloc(32, 5).toString("base64"),
      DATA_DIR: path.resolve(import.meta.dirname, ".data-test"),
      SEED_DEMO: "false",
      // Tests stand behind one trusted proxy: the X-Forwarded-For a test sets is the client it plays.
      TRUST_PROXY: "1",
      // The test identity provider (tests/helpers/oidc-idp.ts) serves plain http on 127.0.0.1.
      SSO_ALLOW_LOOPBACK_HTTP: "true",
      // The test learning record store (tests/helpers/lrs-stub.ts) an admin connects is plain http on 127.0.0.1.
      XAPI_ALLOW_LOOPBACK_HTTP: "true",
    },
  },
});
