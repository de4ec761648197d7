import { eq } from "drizzle-orm";

import type { Db } from "@/db/client";
import { people, quizAttempts } from "@/db/schema";
import type { Viewer } from "@/lib/auth/roles";
import { getCourse } from "@/lib/content";
import { hashPassword } from "@/lib/crypto/password";
import { startAttempt } from "@/lib/training/attempts";
import { completeLesson } from "@/lib/training/lesson-progress";
import type { DrawnQuestion } from "@/lib/training/quiz.rules";

/** People for the benchmarks and the fault run, made through lib/ as the app makes them (getDb() must be this database). */

export type PreparedAttempt = { viewer: Viewer; attemptId: string; answers: Record<string, string[]> };

export const LEARNER_PASSWORD = "bench-password-2026";

export async function createLearners(db: Db, count: number, prefix: string): Promise<Viewer[]> {
  const passwordHash = await hashPassword(LEARNER_PASSWORD);
  const viewers: Viewer[] = [];
  for (let i = 0; i < count; i++) {
    const [row] = await db
      .insert(people)
      .values({
        email: `${prefix}${i}@bench.example`,
        name: `${prefix[0].toUpperCase()}${prefix.slice(1)} ${i}`,
        passwordHash,
      })
      .returning({ id: people.id, email: people.email, name: people.name });
    viewers.push({ ...row, roles: ["employee"], departmentId: null, mfaEnabled: false, mfaRequired: false });
  }
  return viewers;
}

/** Each learner reads every lesson and starts the quiz; the answers are the right ones. */
export async function prepareAttempts(db: Db, viewers: Viewer[], courseId: string): Promise<PreparedAttempt[]> {
  const course = getCourse(courseId);
  if (!course) throw new Error(`No course ${courseId}`);
  const attempts: PreparedAttempt[] = [];
  for (const viewer of viewers) {
    for (const lesson of course.lessons) await completeLesson(viewer, courseId, lesson.slug);
    const { attemptId } = await startAttempt(viewer, courseId);
    const [row] = await db
      .select({ drawn: quizAttempts.drawn })
      .from(quizAttempts)
      .where(eq(quizAttempts.id, attemptId));
    attempts.push({
      viewer,
      attemptId,
      answers: Object.fromEntries((row.drawn as DrawnQuestion[]).map((q) => [q.id, q.correct as string[]])),
    });
  }
  return attempts;
}
