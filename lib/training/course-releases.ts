import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { courseReleases } from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { majorOf } from "@/lib/certification/status";
import type { Course } from "@/lib/content/load";

/**
 * Records the first time each major course version is seen here: that moment
 * starts the grace period after which older certifications are superseded.
 * Returns the release time of each course's current major.
 */
export async function syncCourseReleases(db: Executor, courses: Course[], now = new Date()): Promise<Map<string, Date>> {
  const existing = await db.select().from(courseReleases);
  const known = new Map(existing.map((r) => [`${r.courseId}@${r.major}`, r.releasedAt]));
  const result = new Map<string, Date>();
  for (const course of courses) {
    const major = majorOf(course.version);
    const key = `${course.id}@${major}`;
    let releasedAt = known.get(key);
    if (!releasedAt) {
      const inserted = await db
        .insert(courseReleases)
        .values({ courseId: course.id, major, version: course.version, releasedAt: now })
        .onConflictDoNothing()
        .returning({ releasedAt: courseReleases.releasedAt });
      releasedAt = inserted[0]?.releasedAt ?? now;
      const hadEarlier = existing.some((r) => r.courseId === course.id && r.major < major);
      if (inserted.length > 0 && hadEarlier) {
        await recordAudit(db, SYSTEM_ACTOR, { action: "course.major_released", targetType: "course", targetId: course.id, data: { version: course.version, graceDays: course.graceDays } }, now);
      }
    }
    result.set(course.id, releasedAt);
  }
  return result;
}

export async function currentReleases(db: Executor): Promise<Map<string, Date>> {
  const rows = await db.execute(sql`select distinct on (course_id) course_id, released_at from course_releases order by course_id, major desc`);
  const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { course_id: string; released_at: string | Date }[];
  return new Map(list.map((r) => [r.course_id, new Date(r.released_at)]));
}
