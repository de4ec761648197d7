import "server-only";

import { and, eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { quizAttempts } from "@/db/schema";
import type { Viewer } from "@/lib/auth/roles";
import { latestCertifications, type CertificationView } from "@/lib/certification/records";
import type { CertificationStatus } from "@/lib/certification/status.rules";
import type { Course } from "@/lib/content/load";
import { DAY } from "@/lib/time";

import { openAssignments, syncAssignments } from "./assignments";
import { currentReleases } from "./course-releases";
import { learnerCourses } from "./learner-course";
import { progressFor, type CourseProgress } from "./lesson-progress";

export type LearnerState = "overdue" | "due" | "in_progress" | "not_started" | CertificationStatus | "optional";

export type LearnerCourse = {
  course: Course;
  state: LearnerState;
  dueAt: Date | null;
  progress: CourseProgress;
  certification: CertificationView | null;
};

/** Lower sorts first: what needs attention soonest. */
function urgency(item: LearnerCourse, now: Date): number {
  const order: Record<LearnerState, number> = {
    overdue: 0,
    due: 1,
    in_progress: 2,
    not_started: 3,
    expiring: 4,
    expired: 1,
    superseded: 1,
    current: 6,
    optional: 7,
  };
  const base = order[item.state] * 1e13;
  const when = item.dueAt?.getTime() ?? item.certification?.expiresAt.getTime() ?? now.getTime() + 1e12;
  return base + when;
}

/**
 * Everything one person must or may take, ordered by urgency. Assignments are
 * brought up to date first, so the answer is right even if no job has run.
 */
export async function learnerOverview(viewer: Viewer, now = new Date()): Promise<LearnerCourse[]> {
  const db = await getDb();
  await syncAssignments(db, { personIds: [viewer.id], now });
  // Each course in the version the learner was assigned.
  const courses = await learnerCourses(db, viewer.id);
  const [open, releases] = await Promise.all([openAssignments(db, viewer.id), currentReleases(db)]);
  const [latest, progress, runs] = await Promise.all([
    latestCertifications(db, [viewer.id], courses, releases, now),
    progressFor(db, viewer.id, courses),
    // A course that plays a SCORM package is under way while a run of it is open.
    db
      .select({ courseId: quizAttempts.courseId })
      .from(quizAttempts)
      .where(
        and(
          eq(quizAttempts.personId, viewer.id),
          eq(quizAttempts.kind, "package"),
          eq(quizAttempts.status, "in_progress"),
        ),
      ),
  ]);
  const running = new Set(runs.map((r) => r.courseId));
  const items = courses.map((course): LearnerCourse => {
    const assignment = open.find((a) => a.courseId === course.id);
    const certification = latest.get(`${viewer.id}:${course.id}`) ?? null;
    const p = progress.get(course.id)!;
    let state: LearnerState;
    if (assignment) {
      if (assignment.dueAt.getTime() <= now.getTime()) state = "overdue";
      else if (p.completed.size > 0 || running.has(course.id)) state = "in_progress";
      else if (assignment.dueAt.getTime() - now.getTime() <= 7 * DAY) state = "due";
      else state = certification?.status === "expiring" ? "expiring" : "not_started";
    } else if (certification) {
      state = certification.status;
    } else {
      state = p.completed.size > 0 || running.has(course.id) ? "in_progress" : "optional";
    }
    return { course, state, dueAt: assignment?.dueAt ?? null, progress: p, certification };
  });
  return items.sort((a, b) => urgency(a, now) - urgency(b, now));
}
