import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";

import { assignments, certifications, quizAttempts } from "@/db/schema";
import { getCourse } from "@/lib/content";
import type { ItemRef } from "@/lib/content/item-files";
import { openAssignmentOf, syncAssignments } from "@/lib/training/assignments";
import { getAttempt, startAttempt, submitAttempt } from "@/lib/training/attempts";
import { learnerCourse, learnerCourses } from "@/lib/training/learner-course";
import { completeLesson, recordLessonView } from "@/lib/training/lesson-progress";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { publishOwnEdit, resetToShippedContent } from "../helpers/own-content";
import { withTestDatabase } from "../helpers/test-database";

/**
 * A learner keeps the course version they were assigned until they finish:
 * publishing a new version changes nothing for someone part-way through, and
 * gives the new version to those who have not started. The quiz is drawn from
 * and graded against the version the learner takes, and the certification
 * names it.
 */

const database = withTestDatabase();
const COURSE: ItemRef = { kind: "course", id: "data-protection-law" };
const FIRST_LESSON = "courses/data-protection-law/lessons/01-three-laws-key-terms.md";
const REVISED = "A sentence added in the organisation's own version.";

afterEach(() => resetToShippedContent(database.db()));

/** Publishes a minor version of the course with a sentence added to its first lesson. */
const publishRevision = (now: Date) =>
  publishOwnEdit(
    database.db(),
    COURSE,
    (files) => ({ ...files, [FIRST_LESSON]: `${files[FIRST_LESSON].trimEnd()}\n\n${REVISED}\n` }),
    { now },
  );

const firstLessonText = async (personId: string) =>
  (await learnerCourse(database.db(), personId, COURSE.id))!.lessons[0].markdown;

async function openVersion(personId: string) {
  const [row] = await database
    .db()
    .select({ version: assignments.courseVersion })
    .from(assignments)
    .where(openAssignmentOf(personId, COURSE.id));
  return row?.version ?? null;
}

describe("the course version a learner takes", () => {
  it("stays the one assigned once they have started, and moves to a new one before they start", async () => {
    const db = database.db();
    const shipped = getCourse(COURSE.id)!.version;
    const started = await createPerson(db, { name: "Started Learner" });
    const waiting = await createPerson(db, { name: "Waiting Learner" });
    const assignedAt = new Date(Date.now() - 60_000);
    await syncAssignments(db, { personIds: [started.id, waiting.id], now: assignedAt });
    expect([await openVersion(started.id), await openVersion(waiting.id)]).toEqual([shipped, shipped]);
    await recordLessonView(viewerOf(started), COURSE.id, getCourse(COURSE.id)!.lessons[0].slug);

    const revised = await publishRevision(new Date());
    expect(revised).not.toBe(shipped);
    expect(getCourse(COURSE.id)!.version).toBe(revised);

    // Part-way through: still the version assigned, shipped with this build.
    expect(await openVersion(started.id)).toBe(shipped);
    expect(await firstLessonText(started.id)).not.toContain(REVISED);
    // Not started: the new version.
    expect(await openVersion(waiting.id)).toBe(revised);
    expect(await firstLessonText(waiting.id)).toContain(REVISED);
    // Someone assigned now: the new version; someone with no assignment reads the current one.
    const newcomer = await createPerson(db, { name: "New Learner" });
    await syncAssignments(db, { personIds: [newcomer.id] });
    expect(await openVersion(newcomer.id)).toBe(revised);
    const reader = await createPerson(db, { name: "Reader" });
    await db.update(assignments).set({ cancelledAt: new Date() }).where(eq(assignments.personId, reader.id));
    expect(await firstLessonText(reader.id)).toContain(REVISED);
    // The dashboard's list shows each course as the learner takes it.
    const listed = (await learnerCourses(db, started.id)).find((c) => c.id === COURSE.id)!;
    expect(listed.version).toBe(shipped);
  });

  it("is the one the quiz is drawn from and graded against, and the certification names it", async () => {
    const db = database.db();
    const shipped = getCourse(COURSE.id)!;
    const learner = await createPerson(db, { name: "Quiz Learner" });
    const viewer = viewerOf(learner);
    await syncAssignments(db, { personIds: [learner.id], now: new Date(Date.now() - 60_000) });
    await recordLessonView(viewer, COURSE.id, shipped.lessons[0].slug);
    await publishRevision(new Date());

    for (const lesson of shipped.lessons) await completeLesson(viewer, COURSE.id, lesson.slug);
    const { attemptId } = await startAttempt(viewer, COURSE.id);
    const [attempt] = await db.select().from(quizAttempts).where(eq(quizAttempts.id, attemptId));
    expect(attempt.courseVersion).toBe(shipped.version);
    const bank = new Map(shipped.questions.map((q) => [q.id, q]));
    const drawn = attempt.drawn as { id: string }[];
    expect(drawn.every((q) => bank.has(q.id))).toBe(true);

    // Every answer right, from the version's own bank.
    const shown = await getAttempt(viewer, attemptId);
    if (shown.status !== "in_progress") throw new Error("the attempt should be in progress");
    const answers = Object.fromEntries(
      shown.questions.map((q) => {
        const question = bank.get(q.id)!;
        const right =
          question.type === "true_false"
            ? [String(question.answer)]
            : question.options.filter((o) => o.correct).map((o) => o.id);
        return [q.id, right];
      }),
    );
    const graded = await submitAttempt(viewer, context(learner.id), attemptId, answers);
    expect(graded.passed).toBe(true);
    const [cert] = await db.select().from(certifications).where(eq(certifications.personId, learner.id));
    expect(cert.courseVersion).toBe(shipped.version);
    // Finished: from now on the learner reads the current version.
    expect(await firstLessonText(learner.id)).toContain(REVISED);
  });
});
