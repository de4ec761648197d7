import "server-only";

import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { lessonProgress } from "@/db/schema";
import type { Viewer } from "@/lib/auth/roles";
import type { Course } from "@/lib/content/load";
import { NotFoundError } from "@/lib/errors";
import { queueStatement } from "@/lib/xapi/queue";
import { lessonCompleted } from "@/lib/xapi/statements";

import { learnerCourse } from "./learner-course";

export type CourseProgress = { completed: Set<string>; lastViewed: string | null; percent: number; resumeSlug: string };

/** The lesson in the course version the person was assigned. */
async function lessonOf(db: Executor, personId: string, courseId: string, slug: string) {
  const course = await learnerCourse(db, personId, courseId);
  const lesson = course?.lessons.find((l) => l.slug === slug);
  if (!course || !lesson) throw new NotFoundError("That lesson does not exist.");
  return { course, lesson };
}

/** Remembers that the person opened a lesson, so the course resumes there. */
export async function recordLessonView(viewer: Viewer, courseId: string, slug: string, now = new Date()) {
  const db = await getDb();
  const { course } = await lessonOf(db, viewer.id, courseId, slug);
  await db
    .insert(lessonProgress)
    .values({
      personId: viewer.id,
      courseId,
      lessonSlug: slug,
      courseVersion: course.version,
      firstViewedAt: now,
      lastViewedAt: now,
    })
    .onConflictDoUpdate({
      target: [lessonProgress.personId, lessonProgress.courseId, lessonProgress.lessonSlug],
      set: { lastViewedAt: now },
    });
}

export async function completeLesson(viewer: Viewer, courseId: string, slug: string, now = new Date()) {
  const db = await getDb();
  const { course, lesson } = await lessonOf(db, viewer.id, courseId, slug);
  const [row] = await db
    .insert(lessonProgress)
    .values({
      personId: viewer.id,
      courseId,
      lessonSlug: slug,
      courseVersion: course.version,
      firstViewedAt: now,
      lastViewedAt: now,
      completedAt: now,
    })
    .onConflictDoUpdate({
      target: [lessonProgress.personId, lessonProgress.courseId, lessonProgress.lessonSlug],
      set: {
        lastViewedAt: now,
        completedAt: sql`coalesce(${lessonProgress.completedAt}, ${now.toISOString()}::timestamptz)`,
      },
    })
    .returning({ completedAt: lessonProgress.completedAt });
  // Sent with the first completion's time; completing the lesson again queues nothing new.
  await queueStatement(
    db,
    (origin) =>
      lessonCompleted(origin, {
        person: { id: viewer.id, email: viewer.email },
        course: { id: course.id, title: course.title, version: course.version },
        lesson: { slug: lesson.slug, title: lesson.title },
        at: row.completedAt ?? now,
      }),
    now,
  );
}

/** Progress per course for one person; lessons removed from a course no longer count. */
export async function progressFor(
  db: Executor,
  personId: string,
  courses: Course[],
): Promise<Map<string, CourseProgress>> {
  const rows = courses.length
    ? await db
        .select({
          courseId: lessonProgress.courseId,
          slug: lessonProgress.lessonSlug,
          completedAt: lessonProgress.completedAt,
          lastViewedAt: lessonProgress.lastViewedAt,
        })
        .from(lessonProgress)
        .where(
          and(
            eq(lessonProgress.personId, personId),
            inArray(
              lessonProgress.courseId,
              courses.map((c) => c.id),
            ),
          ),
        )
    : [];
  const result = new Map<string, CourseProgress>();
  for (const course of courses) {
    const mine = rows.filter((r) => r.courseId === course.id && course.lessons.some((l) => l.slug === r.slug));
    const completed = new Set(mine.filter((r) => r.completedAt).map((r) => r.slug));
    const last = mine.sort((a, b) => b.lastViewedAt.getTime() - a.lastViewedAt.getTime())[0]?.slug ?? null;
    const firstUnread = course.lessons.find((l) => !completed.has(l.slug))?.slug;
    result.set(course.id, {
      completed,
      lastViewed: last,
      percent: course.lessons.length ? Math.round((completed.size / course.lessons.length) * 100) : 0,
      resumeSlug: firstUnread ?? last ?? course.lessons[0]?.slug ?? "",
    });
  }
  return result;
}

export async function completedLessonCount(db: Executor, personId: string, courseId: string): Promise<number> {
  const rows = await db
    .select({ slug: lessonProgress.lessonSlug })
    .from(lessonProgress)
    .where(
      and(
        eq(lessonProgress.personId, personId),
        eq(lessonProgress.courseId, courseId),
        isNotNull(lessonProgress.completedAt),
      ),
    );
  return rows.length;
}
