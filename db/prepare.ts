import "server-only";

import { refreshContent } from "@/lib/content/published";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { recordLoadedCourseReleases } from "@/lib/training/course-releases";

import { getHandle, migrateDatabase } from "./client";
import { seedDemoOrganisation } from "./seed";

/**
 * Applies migrations, loads the organisation's published content, records the release of the course versions this process
 * loaded (the grace period of a new major starts now, whoever reads what), and,
 * when enabled, seeds the demo organisation into an empty database.
 */
export async function prepareDatabase(options: { seed?: boolean } = {}): Promise<void> {
  const handle = await getHandle();
  await migrateDatabase(handle);
  // The organisation's published courses replace shipped ones: load them before recording releases.
  await refreshContent(handle.db);
  await recordLoadedCourseReleases(handle.db);
  if (options.seed ?? env().SEED_DEMO) {
    const { created } = await seedDemoOrganisation(handle.db, { history: env().SEED_DEMO_HISTORY });
    if (created > 0) log().info({ people: created }, "seeded the demo organisation");
  }
}
