import "server-only";

import { and, desc, eq, isNotNull, isNull } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { assignments, contentVersions } from "@/db/schema";
import { getContent, getCourse } from "@/lib/content";
import { CONTENT_DIR, loadContent, type ContentSet, type Course } from "@/lib/content/load";
import { overlayFiles } from "@/lib/content/overlay";

import { openAssignmentOf } from "./assignments";

/**
 * The course as a learner was assigned it. An open assignment records the
 * version current when it was made (assignments.course_version); until the
 * learner finishes, its lessons and quiz are that version's, even when the
 * organisation has published another since. Without such an assignment, or
 * when that version's files are neither kept nor shipped by this build, the
 * learner gets the current version.
 */
export async function learnerCourse(db: Executor, personId: string, courseId: string): Promise<Course | null> {
  const current = getCourse(courseId);
  if (!current) return null;
  const [open] = await db
    .select({ version: assignments.courseVersion })
    .from(assignments)
    .where(openAssignmentOf(personId, courseId))
    .limit(1);
  if (!open?.version || open.version === current.version) return current;
  return (await courseAtVersion(db, courseId, open.version)) ?? current;
}

/** Every course as this learner is to take it: learnerCourse for each, with one read of their assignments. */
export async function learnerCourses(db: Executor, personId: string): Promise<Course[]> {
  const rows = await db
    .select({ courseId: assignments.courseId, version: assignments.courseVersion })
    .from(assignments)
    .where(
      and(
        eq(assignments.personId, personId),
        isNull(assignments.completedAt),
        isNull(assignments.cancelledAt),
        isNotNull(assignments.courseVersion),
      ),
    );
  const pinned = new Map<string, Course>();
  for (const row of rows) {
    if (row.version === getCourse(row.courseId)?.version) continue;
    const course = await courseAtVersion(db, row.courseId, row.version!);
    if (course) pinned.set(row.courseId, course);
  }
  return getContent().courses.map((c) => pinned.get(c.id) ?? c);
}

/** The shipped course, when this build ships that version of it. */
function shippedCourse(courseId: string, version: string): Course | null {
  store.__clearanceShippedContent ??= loadContent();
  return store.__clearanceShippedContent.courses.find((c) => c.id === courseId && c.version === version) ?? null;
}

// A published version never changes, so each is loaded once per process.
const store = globalThis as unknown as {
  __clearancePinnedCourses?: Map<string, Course>;
  __clearanceShippedContent?: ContentSet;
};

/** A published version of a course, from its kept files; null when they are not kept. */
export async function courseAtVersion(db: Executor, courseId: string, version: string): Promise<Course | null> {
  const cache = (store.__clearancePinnedCourses ??= new Map());
  const published = and(
    eq(contentVersions.kind, "course"),
    eq(contentVersions.itemId, courseId),
    eq(contentVersions.version, version),
    eq(contentVersions.state, "published"),
  );
  // By the row's id: the same version number in another database (a restore, a test) is another row.
  const [row] = await db
    .select({ id: contentVersions.id })
    .from(contentVersions)
    .where(published)
    .orderBy(desc(contentVersions.publishedAt))
    .limit(1);
  if (!row) return shippedCourse(courseId, version);
  const cached = cache.get(row.id);
  if (cached) return cached;
  const [kept] = await db
    .select({ files: contentVersions.files })
    .from(contentVersions)
    .where(eq(contentVersions.id, row.id));
  const content = loadContent(CONTENT_DIR, overlayFiles(CONTENT_DIR, new Map(Object.entries(kept.files))));
  const course = content.courses.find((c) => c.id === courseId && c.version === version) ?? null;
  if (course) cache.set(row.id, course);
  return course;
}
