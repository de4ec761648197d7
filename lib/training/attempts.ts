import "server-only";

import { and, desc, eq } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { certifications, quizAttempts } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { may } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { newVerificationCode } from "@/lib/certification/records";
import { expiryFor } from "@/lib/certification/status.rules";
import { getCourse } from "@/lib/content";
import { DomainError, NotFoundError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { courseRef, personRef, queueStatement } from "@/lib/xapi/queue";
import { attemptGraded, attemptStarted, certificationEarned } from "@/lib/xapi/statements";

import { completeOpenAssignment } from "./assignments";
import { courseAtVersion, learnerCourse } from "./learner-course";
import { progressFor } from "./lesson-progress";
import {
  answersRevealed,
  attemptAllowance,
  drawQuestions,
  gradeAttempt,
  reviewOf,
  toPublicQuestions,
  type Allowance,
  type Answers,
  type DrawnQuestion,
  type Grade,
  type QuestionReview,
  type Random,
} from "./quiz.rules";

async function submittedAttempts(personId: string, courseId: string) {
  const db = await getDb();
  return db
    .select({ submittedAt: quizAttempts.submittedAt, passed: quizAttempts.passed })
    .from(quizAttempts)
    .where(
      and(
        eq(quizAttempts.personId, personId),
        eq(quizAttempts.courseId, courseId),
        eq(quizAttempts.status, "submitted"),
      ),
    );
}

export async function quizAllowance(personId: string, courseId: string, now = new Date()) {
  const course = await learnerCourse(await getDb(), personId, courseId);
  if (!course) throw new NotFoundError("That course does not exist.");
  const past = await submittedAttempts(personId, courseId);
  return attemptAllowance(
    past.map((a) => ({ submittedAt: a.submittedAt!, passed: Boolean(a.passed) })),
    course,
    now,
  );
}

/**
 * Starts a quiz attempt, or returns the one already in progress (a second tab
 * resumes it). The server draws the questions and keeps the answers.
 */
export async function startAttempt(
  viewer: Viewer,
  courseId: string,
  now = new Date(),
  random?: Random,
): Promise<{ attemptId: string }> {
  const db = await getDb();
  // The quiz of the version the learner was assigned.
  const course = await learnerCourse(db, viewer.id, courseId);
  if (!course) throw new NotFoundError("That course does not exist.");
  if (course.package)
    throw new DomainError("package_course", "This course is played as a package; it has no quiz of its own.");
  const [open] = await db
    .select({ id: quizAttempts.id })
    .from(quizAttempts)
    .where(
      and(
        eq(quizAttempts.personId, viewer.id),
        eq(quizAttempts.courseId, courseId),
        eq(quizAttempts.status, "in_progress"),
      ),
    );
  if (open) return { attemptId: open.id };
  const progress = (await progressFor(db, viewer.id, [course])).get(course.id)!;
  if (progress.completed.size < course.lessons.length) {
    throw new DomainError("lessons_unfinished", "Finish every lesson before taking the quiz.");
  }
  const allowance = await quizAllowance(viewer.id, courseId, now);
  if (!allowance.allowed) {
    throw new DomainError(
      "cooldown",
      `You have used all ${course.attemptLimit} attempts. You can try again after ${formatDateTime(allowance.retryAt)}.`,
    );
  }
  const drawn = drawQuestions(course.questions, course.questionsPerAttempt, random);
  const inserted = await db
    .insert(quizAttempts)
    .values({
      personId: viewer.id,
      courseId,
      courseVersion: course.version,
      drawn,
      questionCount: drawn.length,
      passMark: course.passMark,
      startedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: quizAttempts.id });
  if (inserted[0]) {
    await queueAttemptStarted(db, { id: inserted[0].id, personId: viewer.id, email: viewer.email, course, at: now });
    return { attemptId: inserted[0].id };
  }
  // Another request started one at the same moment: use that.
  const [raced] = await db
    .select({ id: quizAttempts.id })
    .from(quizAttempts)
    .where(
      and(
        eq(quizAttempts.personId, viewer.id),
        eq(quizAttempts.courseId, courseId),
        eq(quizAttempts.status, "in_progress"),
      ),
    );
  return { attemptId: raced.id };
}

export type AttemptView =
  | {
      status: "in_progress";
      id: string;
      courseId: string;
      courseVersion: string;
      questions: ReturnType<typeof toPublicQuestions>;
      passMark: number;
    }
  | {
      status: "submitted";
      id: string;
      courseId: string;
      courseVersion: string;
      passMark: number;
      grade: Omit<Grade, "questions">;
      /** Per question: right or not, the explanation, and the correct options only when `revealed`. */
      review: QuestionReview[];
      revealed: boolean;
      submittedAt: Date;
      certificationId: string | null;
      /** For the person who took it: whether and when they may try again. */
      allowance: Allowance | null;
    };

/**
 * The attempt as its owner (or a compliance reviewer) may see it: nothing of
 * the answers before submission; after it, which options were correct only
 * as the course's rule allows the learner (a reviewer always sees them).
 */
export async function getAttempt(viewer: Viewer, attemptId: string, now = new Date()): Promise<AttemptView> {
  const db = await getDb();
  const [row] = await db.select().from(quizAttempts).where(eq(quizAttempts.id, attemptId));
  const reviewer = may(viewer, "oversee");
  // A SCORM package's run has no questions to show: its result is on the course's page.
  if (!row || row.kind !== "quiz" || (row.personId !== viewer.id && !(reviewer && row.status === "submitted")))
    throw new NotFoundError("That quiz attempt does not exist.");
  const drawn = row.drawn as DrawnQuestion[];
  if (row.status === "in_progress") {
    return {
      status: "in_progress",
      id: row.id,
      courseId: row.courseId,
      courseVersion: row.courseVersion,
      questions: toPublicQuestions(drawn),
      passMark: row.passMark,
    };
  }
  const own = row.personId === viewer.id;
  const [[cert], allowance] = await Promise.all([
    db.select({ id: certifications.id }).from(certifications).where(eq(certifications.attemptId, row.id)),
    own && getCourse(row.courseId) ? quizAllowance(row.personId, row.courseId, now) : null,
  ]);
  const { questions, ...grade } = gradeAttempt(drawn, (row.answers ?? {}) as Answers, row.passMark);
  const rule = getCourse(row.courseId)?.revealAnswers ?? "after_pass";
  const revealed = !own || answersRevealed(rule, grade.passed);
  return {
    status: "submitted",
    id: row.id,
    courseId: row.courseId,
    courseVersion: row.courseVersion,
    passMark: row.passMark,
    grade,
    review: reviewOf(drawn, { ...grade, questions }, revealed),
    revealed,
    submittedAt: row.submittedAt!,
    certificationId: cert?.id ?? null,
    allowance,
  };
}

/**
 * Grades and records a submission once. A double click, a replay or a second
 * tab gets the result already recorded; the row lock serialises them.
 */
export async function submitAttempt(
  viewer: Viewer,
  context: AuditContext,
  attemptId: string,
  answers: Answers,
  now = new Date(),
): Promise<{ passed: boolean; firstSubmission: boolean }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(quizAttempts)
      .where(and(eq(quizAttempts.id, attemptId), eq(quizAttempts.personId, viewer.id)))
      .for("update");
    if (!row) throw new NotFoundError("That quiz attempt does not exist.");
    if (row.status === "submitted") return { passed: Boolean(row.passed), firstSubmission: false };
    const grade = gradeAttempt(row.drawn as DrawnQuestion[], answers, row.passMark);
    const kept: Answers = Object.fromEntries(grade.questions.map((q) => [q.id, q.selected]));
    await tx
      .update(quizAttempts)
      .set({
        status: "submitted",
        answers: kept,
        correctCount: grade.correctCount,
        scorePercent: grade.scorePercent,
        passed: grade.passed,
        submittedAt: now,
      })
      .where(eq(quizAttempts.id, row.id));
    await recordAudit(
      tx,
      context,
      {
        action: "attempt.submitted",
        targetType: "quiz_attempt",
        targetId: row.id,
        data: {
          courseId: row.courseId,
          courseVersion: row.courseVersion,
          scorePercent: grade.scorePercent,
          passed: grade.passed,
        },
      },
      now,
    );
    await queueAttemptGraded(tx, {
      attempt: row,
      email: viewer.email,
      passed: grade.passed,
      scorePercent: grade.scorePercent,
      seconds: (now.getTime() - row.startedAt.getTime()) / 1000,
      at: now,
    });
    if (grade.passed) await issueCertification(tx, context, row, now);
    return { passed: grade.passed, firstSubmission: true };
  });
}

/**
 * Issues the certification a passed attempt earns (a quiz graded here, or a
 * SCORM package's run), valid for as long as the version it was taken on
 * says, and closes the person's open assignment of the course. Runs in the
 * transaction that holds the attempt's row lock.
 */
export async function issueCertification(
  tx: Executor,
  context: AuditContext,
  attempt: { id: string; personId: string; courseId: string; courseVersion: string },
  now: Date,
): Promise<{ id: string; expiresAt: Date }> {
  const course = (await courseAtVersion(tx, attempt.courseId, attempt.courseVersion)) ?? getCourse(attempt.courseId);
  const validityMonths = course?.validityMonths ?? 12;
  const [cert] = await tx
    .insert(certifications)
    .values({
      personId: attempt.personId,
      courseId: attempt.courseId,
      courseVersion: attempt.courseVersion,
      attemptId: attempt.id,
      issuedAt: now,
      expiresAt: expiryFor(now, validityMonths),
      verificationCode: newVerificationCode(),
    })
    .returning({ id: certifications.id, expiresAt: certifications.expiresAt });
  await completeOpenAssignment(tx, attempt.personId, attempt.courseId, now);
  await recordAudit(
    tx,
    context,
    {
      action: "certification.issued",
      targetType: "certification",
      targetId: cert.id,
      data: {
        courseId: attempt.courseId,
        courseVersion: attempt.courseVersion,
        expiresAt: cert.expiresAt.toISOString(),
      },
    },
    now,
  );
  await queueStatement(
    tx,
    async (origin) =>
      certificationEarned(origin, {
        person: await personRef(tx, origin, attempt.personId),
        course: await courseRef(tx, attempt.courseId, attempt.courseVersion),
        certificationId: cert.id,
        attemptId: attempt.id,
        expiresAt: cert.expiresAt,
        at: now,
      }),
    now,
  );
  return cert;
}

/** The xAPI `attempted` statement of a quiz attempt or a package run just started. */
export async function queueAttemptStarted(
  db: Executor,
  e: { id: string; personId: string; email: string; course: { id: string; title: string; version: string }; at: Date },
) {
  await queueStatement(
    db,
    (origin) =>
      attemptStarted(origin, {
        person: { id: e.personId, email: e.email },
        course: { id: e.course.id, title: e.course.title, version: e.course.version },
        attemptId: e.id,
        at: e.at,
      }),
    e.at,
  );
}

/** The xAPI `passed` or `failed` statement of a graded quiz attempt or an ended package run. */
export async function queueAttemptGraded(
  tx: Executor,
  e: {
    attempt: { id: string; personId: string; courseId: string; courseVersion: string };
    email: string;
    passed: boolean;
    scorePercent: number | null;
    seconds: number;
    at: Date;
  },
) {
  await queueStatement(
    tx,
    async (origin) =>
      attemptGraded(origin, {
        person: { id: e.attempt.personId, email: e.email },
        course: await courseRef(tx, e.attempt.courseId, e.attempt.courseVersion),
        attemptId: e.attempt.id,
        passed: e.passed,
        scorePercent: e.scorePercent,
        seconds: e.seconds,
        at: e.at,
      }),
    e.at,
  );
}

export async function attemptHistory(personId: string, courseId: string) {
  const db = await getDb();
  return db
    .select({
      id: quizAttempts.id,
      status: quizAttempts.status,
      scorePercent: quizAttempts.scorePercent,
      passed: quizAttempts.passed,
      startedAt: quizAttempts.startedAt,
      submittedAt: quizAttempts.submittedAt,
      courseVersion: quizAttempts.courseVersion,
      kind: quizAttempts.kind,
    })
    .from(quizAttempts)
    .where(and(eq(quizAttempts.personId, personId), eq(quizAttempts.courseId, courseId)))
    .orderBy(desc(quizAttempts.startedAt));
}
