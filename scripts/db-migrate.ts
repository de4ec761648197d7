import { getHandle, migrateDatabase } from "@/db/client";
import { refreshContent } from "@/lib/content/published";
import { recordLoadedCourseReleases } from "@/lib/training/course-releases";

import { runCli } from "./lib/cli";

await runCli(async () => {
  const handle = await getHandle();
  await migrateDatabase(handle);
  await refreshContent(handle.db);
  // A deploy loads new content: new major course versions are released now.
  await recordLoadedCourseReleases(handle.db);
  console.log(`Migrations applied, course releases recorded (${handle.driver}).`);
});
