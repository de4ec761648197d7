import "server-only";

import { sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { selectRows } from "@/db/rows";
import { courseReleases } from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { majorOf } from "@/lib/certification/status.rules";
import { getContent } from "@/lib/content";
import type { Course } from "@/lib/content/load";

/**
 * Records the first time each major course version is seen here: that moment
 * starts the grace period after which older certifications are superseded.
 * New releases and their audit events are written in one transaction, and a
 * second process recording the same release at once changes nothing.
 * Returns the release time of each course's current major.
 */
export async function syncCourseReleases(
  db: Executor,
  courses: Course[],
  now = new Date(),
): Promise<Map<string, Date>> {
  const existing = await db.select().from(courseReleases);
  const known = new Map(existing.map((r) => [`${r.courseId}@${r.major}`, r.releasedAt]));
  const result = new Map<string, Date>();
  const missing = courses.filter((c) => !known.has(`${c.id}@${majorOf(c.version)}`));
  if (missing.length) {
    await db.transaction(async (tx) => {
      for (const course of missing) {
        const major = majorOf(course.version);
        const inserted = await tx
          .insert(courseReleases)
          .values({ courseId: course.id, major, version: course.version, releasedAt: now })
          .onConflictDoNothing()
          .returning({ releasedAt: courseReleases.releasedAt });
        if (inserted.length > 0 && existing.some((r) => r.courseId === course.id && r.major < major)) {
          await recordAudit(
            tx,
            SYSTEM_ACTOR,
            {
              action: "course.major_released",
              targetType: "course",
              targetId: course.id,
              data: { version: course.version, graceDays: course.graceDays },
            },
            now,
          );
        }
      }
    });
  }
  const recorded = missing.length ? await db.select().from(courseReleases) : existing;
  for (const r of recorded) known.set(`${r.courseId}@${r.major}`, r.releasedAt);
  for (const course of courses) result.set(course.id, known.get(`${course.id}@${majorOf(course.version)}`)!);
  return result;
}

/**
 * Records the release of every course version this process loaded. Run when
 * content is loaded (server start, `npm run db:migrate` on deploy, each
 * worker's start), so supersession never waits for a page view or the
 * scheduler.
 */
export async function recordLoadedCourseReleases(db: Executor, now = new Date()): Promise<void> {
  await syncCourseReleases(db, getContent().courses, now);
}

/** When each course's major version as loaded here was released (courses whose release is not recorded yet are absent). */
export async function currentReleases(db: Executor): Promise<Map<string, Date>> {
  const { courses } = getContent();
  const rows = await selectRows<{ course_id: string; released_at: string | Date }>(
    db,
    sql`select r.course_id, r.released_at from course_releases r
        join unnest(${sql.param(courses.map((c) => c.id))}::text[], ${sql.param(courses.map((c) => majorOf(c.version)))}::int[]) as t(course_id, major)
          on r.course_id = t.course_id and r.major = t.major`,
  );
  return new Map(rows.map((r) => [r.course_id, new Date(r.released_at)]));
}
