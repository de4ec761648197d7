import { closeDatabase, getHandle, migrateDatabase } from "@/db/client";
import { log } from "@/lib/log";
import { tick } from "@/lib/scheduler/tick";
import { recordLoadedCourseReleases } from "@/lib/training/course-releases";

/**
 * Scheduled work for a server deployment: `npm run worker` ticks every
 * minute; `npm run worker -- --once` ticks once and exits. Any number of
 * workers may run together.
 */
const once = process.argv.includes("--once");
const handle = await getHandle();
await migrateDatabase(handle);
await recordLoadedCourseReleases(handle.db);
let stopping = false;
process.on("SIGTERM", () => (stopping = true));
process.on("SIGINT", () => (stopping = true));
do {
  const report = await tick();
  log().info({ report }, "scheduled work ran");
  if (once) break;
  for (let i = 0; i < 60 && !stopping; i++) await new Promise((r) => setTimeout(r, 1000));
} while (!stopping);
await closeDatabase();
