import { createServer, type Server } from "node:http";

import { closeDatabase, getHandle, migrateDatabase } from "@/db/client";
import { refreshContent } from "@/lib/content/published";
import { env } from "@/lib/env";
import { isDraining, startDraining } from "@/lib/lifecycle/draining";
import { log } from "@/lib/log";
import { metricsAnswer } from "@/lib/metrics-answer";
import { tick } from "@/lib/scheduler/tick";
import { recordLoadedCourseReleases } from "@/lib/training/course-releases";

/**
 * Scheduled work for a server deployment: `npm run worker` ticks every
 * WORKER_INTERVAL_SECONDS (a minute); `npm run worker -- --once` ticks once
 * and exits. Any number of workers may run together. With WORKER_METRICS_PORT
 * set it serves its own metrics there (GET /metrics, behind METRICS_TOKEN as
 * on the app) and GET /health/live: a worker's scheduler and outbox figures
 * are its own. On SIGTERM (or SIGINT) it starts no new tick, finishes the one running, closes the database pool and exits 0; past
 * SHUTDOWN_TIMEOUT_SECONDS it gives up and exits 1 (every tick step is
 * idempotent, so the next worker picks up where this one stopped).
 */
const once = process.argv.includes("--once");
const INTERVAL_MS = env().WORKER_INTERVAL_SECONDS * 1000;

let wake = () => {};
const onSignal = (signal: NodeJS.Signals) => {
  if (isDraining()) return;
  startDraining();
  log().info({ signal }, "worker: finishing the current tick, then stopping");
  setTimeout(() => {
    log().error("worker: the tick took longer than SHUTDOWN_TIMEOUT_SECONDS: exiting");
    process.exit(1);
  }, env().SHUTDOWN_TIMEOUT_SECONDS * 1000).unref();
  wake();
};
process.on("SIGTERM", onSignal);
process.on("SIGINT", onSignal);

/** The worker's metrics and liveness, on WORKER_METRICS_PORT. */
function serveMetrics(port: number): Server {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://worker");
    if (request.method === "GET" && url.pathname === "/health/live") {
      response.writeHead(200, { "content-type": "application/json" }).end('{"status":"live"}');
      return;
    }
    if (request.method !== "GET" || url.pathname !== "/metrics") {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          error: { code: "not_found", message: "This port serves GET /metrics and GET /health/live." },
        }),
      );
      return;
    }
    metricsAnswer(request.headers.authorization ?? null).then(
      (answer) => {
        if (answer.status === 200) {
          response.writeHead(200, { "content-type": answer.contentType, "cache-control": "no-store" }).end(answer.body);
          return;
        }
        response.writeHead(answer.status, {
          "content-type": "application/json",
          ...(answer.status === 401 ? { "www-authenticate": 'Bearer realm="metrics"' } : {}),
        });
        response.end(JSON.stringify({ error: { code: answer.code, message: answer.message } }));
      },
      (error: unknown) => {
        log().error({ err: error }, "worker: metrics scrape failed");
        response
          .writeHead(500, { "content-type": "application/json" })
          .end('{"error":{"code":"internal","message":"Metrics failed."}}');
      },
    );
  });
  server.on("error", (error) => {
    log().error({ err: error, port }, "worker: cannot serve metrics on WORKER_METRICS_PORT");
    process.exit(1);
  });
  server.listen(port);
  server.unref();
  return server;
}

const metricsPort = env().WORKER_METRICS_PORT;
const metricsServer = metricsPort ? serveMetrics(metricsPort) : null;
if (metricsPort) log().info({ port: metricsPort }, "worker: serving /metrics and /health/live");

const handle = await getHandle();
await migrateDatabase(handle);
await refreshContent(handle.db);
await recordLoadedCourseReleases(handle.db);
while (!isDraining()) {
  const report = await tick();
  log().info({ report }, "scheduled work ran");
  if (once || isDraining()) break;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, INTERVAL_MS);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}
metricsServer?.close();
await closeDatabase();
log().info("worker stopped");
process.exit(0);
