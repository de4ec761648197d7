import { closeDatabase, getHandle, migrateDatabase } from "@/db/client";
import { env } from "@/lib/env";
import { isDraining, startDraining } from "@/lib/lifecycle/draining";
import { log } from "@/lib/log";
import { tick } from "@/lib/scheduler/tick";
import { recordLoadedCourseReleases } from "@/lib/training/course-releases";

/**
 * Scheduled work for a server deployment: `npm run worker` ticks every
 * WORKER_INTERVAL_SECONDS (a minute); `npm run worker -- --once` ticks once and exits. Any number of
 * workers may run together. On SIGTERM (or SIGINT) it starts no new tick,
 * finishes the one running, closes the database pool and exits 0; past
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

const handle = await getHandle();
await migrateDatabase(handle);
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
await closeDatabase();
log().info("worker stopped");
process.exit(0);
