import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { configurationError } from "@/lib/env";

const ROOT = process.cwd();
const BAD = { CRON_SECRET: "too-short" };

/** Runs a command with a bad setting and waits for it to end by itself: its exit code and everything it wrote. */
function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ code: null, output, timedOut: true });
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut: false });
    });
  });
}

const secrets = {
  NEXTAUTH_SECRET: "x".repeat(40),
  DATA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
  DATA_DIR: ".data-fail-fast",
  DATABASE_URL: "",
};
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

describe("a bad setting stops every process before it starts", () => {
  it("names the variable", () => {
    expect(configurationError({ ...secrets, ...BAD })).toMatch(/CRON_SECRET: must be at least 24 characters/);
    expect(configurationError({ NODE_ENV: "production" })).toMatch(/NEXTAUTH_SECRET: required in production/);
    expect(configurationError({ ...secrets, DATABASE_URL: "mysql://x" })).toMatch(/DATABASE_URL/);
    expect(configurationError(secrets)).toBeNull();
  });

  it("npm run worker exits non-zero naming the variable", async () => {
    const result = await run(
      bin("tsx"),
      ["--import", "./scripts/lib/server-only-hook.mjs", "scripts/worker.ts", "--once"],
      { ...secrets, ...BAD },
    );
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(78);
    expect(result.output).toContain("CRON_SECRET");
  }, 100_000);

  it("scripts (content check, people import) exit non-zero naming the variable", async () => {
    for (const script of ["scripts/content-check.ts", "scripts/people-import.ts"]) {
      const result = await run(bin("tsx"), ["--import", "./scripts/lib/server-only-hook.mjs", script], {
        ...secrets,
        ...BAD,
        TRUST_PROXY: "lots",
      });
      expect(result.code, script).toBe(78);
      expect(result.output).toContain("CRON_SECRET");
      expect(result.output).toContain("TRUST_PROXY");
    }
  }, 100_000);

  // Needs a production build (`npx next build`); the e2e setup makes one.
  it.skipIf(!existsSync(path.join(ROOT, ".next", "BUILD_ID")))(
    "next start exits non-zero naming the variable instead of serving 500s",
    async () => {
      const result = await run(bin("next"), ["start", "-p", String(Number(process.env.E2E_PORT ?? 3210))], {
        ...secrets,
        ...BAD,
      });
      expect(result.timedOut).toBe(false);
      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.output).toContain("CRON_SECRET: must be at least 24 characters");
    },
    100_000,
  );

  it.skipIf(!existsSync(path.join(ROOT, ".next", "BUILD_ID")))(
    "npm start exits before the server listens",
    async () => {
      const result = await run("npm", ["start", "--", "-p", String(Number(process.env.E2E_PORT ?? 3210))], {
        ...secrets,
        ...BAD,
      });
      expect(result.code).toBe(78);
      expect(result.output).toContain("CRON_SECRET: must be at least 24 characters");
      expect(result.output).not.toContain("Ready");
    },
    100_000,
  );
});
