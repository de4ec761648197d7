import "server-only";
import { env } from "@/lib/env";
import { getHandle, migrateDatabase } from "./client";
import { seedDemoOrganisation } from "./seed";

/** Applies migrations and, when enabled, seeds the demo organisation into an empty database. */
export async function prepareDatabase(options: { seed?: boolean } = {}): Promise<void> {
  const handle = await getHandle();
  await migrateDatabase(handle);
  if (options.seed ?? env().SEED_DEMO) {
    const { created } = await seedDemoOrganisation(handle.db);
    if (created > 0) console.info(`[clearance] seeded the demo organisation (${created} people)`);
  }
}
