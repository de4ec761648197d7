import { spawn } from "node:child_process";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { closedPort } from "../helpers/loopback";
import { workerDatabase } from "../helpers/worker-database";

/**
 * `npm run worker` with WORKER_METRICS_PORT: its own scheduler figures behind
 * the metrics token, and liveness, on its own port; the port closes with it.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const TOKEN = "worker-metrics-token-0123456789abcdef";

async function answer(url: string, headers: Record<string, string> = {}) {
  for (let i = 0; i < 200; i++) {
    try {
      const response = await fetch(url, { headers });
      return { status: response.status, body: await response.text(), headers: response.headers };
    } catch {
      await new Promise((r) => setTimeout(r, 100)); // not listening yet
    }
  }
  throw new Error(`no answer from ${url}`);
}

describe("npm run worker's metrics port", () => {
  it("serves its scheduler metrics to the token only, liveness to anyone, and closes on SIGTERM", async () => {
    const database = await workerDatabase(cleanups);
    const port = await closedPort(); // free now, for the worker to listen on
    const child = spawn(
      path.join("node_modules", ".bin", "tsx"),
      ["--import", "./scripts/lib/server-only-hook.mjs", "scripts/worker.ts"],
      {
        env: {
          ...process.env,
          ...database.childEnv,
          WORKER_METRICS_PORT: String(port),
          METRICS_TOKEN: TOKEN,
          LOG_LEVEL: "info",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    cleanups.push(() => void (child.exitCode === null && child.kill("SIGKILL")));
    let stdout = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    const origin = `http://127.0.0.1:${port}`;

    expect((await answer(`${origin}/health/live`)).status).toBe(200);
    const anonymous = await answer(`${origin}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(JSON.parse(anonymous.body).error.code).toBe("unauthenticated");
    expect((await answer(`${origin}/metrics`, { authorization: "Bearer wrong-token-0123456789abcdef" })).status).toBe(
      401,
    );
    expect((await answer(`${origin}/other`)).status).toBe(404);

    // The first tick runs at start; its steps and the whole run are in the worker's own registry.
    while (!stdout.includes('"scheduled work ran"')) await new Promise((r) => setTimeout(r, 100));
    const scrape = await answer(`${origin}/metrics`, { authorization: `Bearer ${TOKEN}` });
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(scrape.body).toMatch(/scheduler_run_seconds_count\{[^}]*job="tick"[^}]*\} 1/);
    expect(scrape.body).toMatch(/scheduler_run_seconds_count\{[^}]*job="reminders"/);
    expect(scrape.body).toContain("outbox_queue_depth");

    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(0);
    await expect(fetch(`${origin}/health/live`)).rejects.toThrow();
  }, 90_000);
});
