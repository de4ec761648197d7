import { sql } from "drizzle-orm";

import type { Db } from "@/db/client";
import { serveOwnContent } from "@/lib/content";

/**
 * Back to the shipped catalogue, for tests that publish an organisation's own
 * content: no own versions, no content settings, no course releases, and the
 * process's content cache cleared.
 */
export async function resetToShippedContent(db: Db): Promise<void> {
  await db.execute(sql`delete from content_versions`);
  await db.execute(sql`delete from content_settings`);
  await db.execute(sql`delete from course_releases`);
  serveOwnContent("shipped", new Map());
}
