import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterEach, describe, expect, it, vi } from "vitest";

import { GET as live } from "@/app/api/health/live/route";
import { installShutdownHandlers, shutDownServer } from "@/lib/lifecycle/app-shutdown";
import { isDraining, resetDrainingForTests } from "@/lib/lifecycle/draining";
import { inFlightCounts, trackBackground, trackInFlight } from "@/lib/lifecycle/in-flight";

/**
 * The server's shutdown on SIGTERM against a real node:http server (the one
 * `next start` runs is the same class, seen through the same hook): readiness
 * turns 503 at once, requests keep being served through the delay, the
 * requests and `after()` work in flight finish, then the database closes
 * and the process exits 0.
 */

trackInFlight();

const servers: http.Server[] = [];
afterEach(() => {
  resetDrainingForTests();
  for (const server of servers.splice(0)) server.closeAllConnections();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server like the app: /slow answers after `slowMs`, /ready answers 503 while draining, /after leaves work behind its response. */
async function startServer(slowMs: number) {
  let slowArrived = () => {};
  const arrived = new Promise<void>((resolve) => (slowArrived = resolve));
  const finished: string[] = [];
  const server = http.createServer((req, res) => {
    if (req.url === "/slow") {
      slowArrived();
      setTimeout(() => {
        finished.push("slow request");
        res.end("done");
      }, slowMs);
    } else if (req.url === "/after") {
      trackBackground(sleep(slowMs).then(() => void finished.push("after() work")));
      res.end("queued");
    } else {
      res.statusCode = isDraining() ? 503 : 200;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, origin, arrived, finished };
}

function shutdownSteps() {
  const steps: string[] = ["started"];
  let exit: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    exit = (code) => {
      steps.push(`exit ${code}`);
      resolve(code);
    };
  });
  return {
    steps,
    exited,
    options: (delayMs: number, timeoutMs: number) => ({
      delayMs,
      timeoutMs,
      stopScheduler: async () => void steps.push("scheduler stopped"),
      closeDatabase: async () => void steps.push("database closed"),
      exit: (code: number) => exit(code),
      log: () => {},
    }),
  };
}

describe("shutting down the server", () => {
  it("turns readiness 503 at once, serves through the delay, finishes requests and after() work, then closes the database and exits 0", async () => {
    const app = await startServer(700);
    const slow = fetch(`${app.origin}/slow`).then(async (r) => [r.status, await r.text()]);
    await app.arrived;
    expect((await fetch(`${app.origin}/after`)).status).toBe(200);
    const shutdown = shutdownSteps();

    void shutDownServer("SIGTERM", shutdown.options(300, 5_000));
    expect(isDraining()).toBe(true);
    expect(live().status).toBe(503);
    // During the delay the server still answers: the load balancer sees not-ready rather than a refused connection.
    expect((await fetch(`${app.origin}/ready`)).status).toBe(503);

    expect(await shutdown.exited).toBe(0);
    expect(await slow).toEqual([200, "done"]);
    expect(app.finished.sort()).toEqual(["after() work", "slow request"]);
    expect(shutdown.steps).toEqual(["started", "scheduler stopped", "database closed", "exit 0"]);
    expect(inFlightCounts()).toEqual({ requests: 0, background: 0 });
    await expect(fetch(`${app.origin}/ready`)).rejects.toThrow();
  });

  it("skips the delay on SIGINT (Ctrl-C)", async () => {
    await startServer(10);
    const shutdown = shutdownSteps();
    const started = performance.now();
    void shutDownServer("SIGINT", shutdown.options(10_000, 5_000));
    expect(await shutdown.exited).toBe(0);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("gives up and exits 1 when a request outlasts the timeout, without closing the database under it", async () => {
    const app = await startServer(60_000);
    void fetch(`${app.origin}/slow`).catch(() => undefined);
    await app.arrived;
    const shutdown = shutdownSteps();
    void shutDownServer("SIGTERM", shutdown.options(0, 300));
    expect(await shutdown.exited).toBe(1);
    expect(shutdown.steps).not.toContain("database closed");
  });

  it("is what SIGTERM runs when NEXT_MANUAL_SIG_HANDLE leaves signals to the app", async () => {
    await startServer(10);
    const shutdown = shutdownSteps();
    const before = process.listenerCount("SIGTERM");
    installShutdownHandlers(true, shutdown.options(0, 5_000));
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    const handler = process.listeners("SIGTERM").at(-1)!;
    try {
      process.emit("SIGTERM");
      expect(await shutdown.exited).toBe(0);
    } finally {
      process.off("SIGTERM", handler);
      process.off("SIGINT", process.listeners("SIGINT").at(-1)!);
    }
  });

  it("hands Next.js's after() a waitUntil that the shutdown waits for", async () => {
    const context = (globalThis as Record<symbol, { get: () => { waitUntil: (p: Promise<unknown>) => void } }>)[
      Symbol.for("@next/request-context")
    ];
    const done = vi.fn();
    context.get().waitUntil(sleep(200).then(done));
    expect(inFlightCounts().background).toBe(1);
    await sleep(300);
    expect(done).toHaveBeenCalled();
    expect(inFlightCounts().background).toBe(0);
  });
});
