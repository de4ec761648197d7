import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

import { people } from "./people";

/** When Clearance first saw each major version of a course: the start of its grace period. */
export const courseReleases = pgTable(
  "course_releases",
  {
    courseId: text("course_id").notNull(),
    major: integer("major").notNull(),
    version: text("version").notNull(),
    releasedAt: timestamp("released_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.major] })],
);

export const assignmentSources = ["rule", "manual", "renewal", "major_version"] as const;

export const assignments = pgTable(
  "assignments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id),
    courseId: text("course_id").notNull(),
    source: text("source", { enum: assignmentSources }).notNull(),
    assignedAt: timestamp("assigned_at", { withTimezone: true }).notNull(),
    dueAt: timestamp("due_at", { withTimezone: true }).notNull(),
    assignedBy: uuid("assigned_by").references(() => people.id),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
    /**
     * The course version the person was assigned (the one current then), which
     * they read and are tested on until they finish; a version published before
     * they start replaces it. Null on assignments made before versions were kept.
     */
    courseVersion: text("course_version"),
  },
  (t) => [
    // At most one open assignment per person and course.
    uniqueIndex("assignments_open_unique")
      .on(t.personId, t.courseId)
      .where(sql`completed_at is null and cancelled_at is null`),
    index("assignments_person_idx").on(t.personId),
    index("assignments_course_idx").on(t.courseId),
    // The evidence pack reads overdue assignments in order of their due dates, a page at a time.
    index("assignments_due_idx").on(t.dueAt),
  ],
);

export const lessonProgress = pgTable(
  "lesson_progress",
  {
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id),
    courseId: text("course_id").notNull(),
    lessonSlug: text("lesson_slug").notNull(),
    courseVersion: text("course_version").notNull(),
    firstViewedAt: timestamp("first_viewed_at", { withTimezone: true }).notNull(),
    lastViewedAt: timestamp("last_viewed_at", { withTimezone: true }).notNull(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.personId, t.courseId, t.lessonSlug] })],
);

/**
 * A drawn quiz. `drawn` is a snapshot of the questions as shown, with their
 * correct answers; it never leaves the server before submission.
 */
export const quizAttempts = pgTable(
  "quiz_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id),
    courseId: text("course_id").notNull(),
    courseVersion: text("course_version").notNull(),
    status: text("status", { enum: ["in_progress", "submitted"] })
      .notNull()
      .default("in_progress"),
    // "quiz": Clearance's own quiz, graded on the server. "package": a SCORM package's run, whose result the package
    // reports from the learner's browser (scorm_sco_data); `drawn` is then empty.
    kind: text("kind", { enum: ["quiz", "package"] })
      .notNull()
      .default("quiz"),
    drawn: jsonb("drawn").notNull(),
    answers: jsonb("answers"),
    correctCount: integer("correct_count"),
    questionCount: integer("question_count").notNull(),
    scorePercent: integer("score_percent"),
    passMark: integer("pass_mark").notNull(),
    passed: boolean("passed"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
  },
  (t) => [
    index("quiz_attempts_person_course_idx").on(t.personId, t.courseId),
    // One attempt in progress per person and course: a second tab resumes it.
    uniqueIndex("quiz_attempts_open_unique")
      .on(t.personId, t.courseId)
      .where(sql`status = 'in_progress'`),
    // What a certification's foreign key points at: only a passed attempt of the same person and course can back one.
    unique("quiz_attempts_certifiable_unique").on(t.id, t.personId, t.courseId, t.passed),
  ],
);

export const certifications = pgTable(
  "certifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id),
    courseId: text("course_id").notNull(),
    courseVersion: text("course_version").notNull(),
    attemptId: uuid("attempt_id")
      .notNull()
      .unique()
      .references(() => quizAttempts.id),
    issuedAt: timestamp("issued_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    verificationCode: text("verification_code").notNull().unique(),
    supersededAt: timestamp("superseded_at", { withTimezone: true }),
    // The sealed certificate PDF, made on first download and then always the same file (encrypted, and its SHA-256 for /verify).
    pdfEnc: text("pdf_enc"),
    pdfSha256: text("pdf_sha256").unique(),
    // Always true: with the key below, a certification exists only for a passed attempt (the access decision trusts it).
    attemptPassed: boolean("attempt_passed").notNull().default(true),
    // Annulled by a compliance admin (a result obtained improperly, or issued in error): it ends then — `expires_at`
    // becomes the moment of annulment, so every decision, report and reminder stops counting it — and
    // `issued_expires_at` keeps the expiry it was issued with.
    annulledAt: timestamp("annulled_at", { withTimezone: true }),
    annulledBy: uuid("annulled_by").references(() => people.id),
    annulReason: text("annul_reason"),
    issuedExpiresAt: timestamp("issued_expires_at", { withTimezone: true }),
  },
  (t) => [
    index("certifications_person_course_idx").on(t.personId, t.courseId),
    check("certifications_attempt_passed", sql`${t.attemptPassed}`),
    check(
      "certifications_annulment_whole",
      sql`(${t.annulledAt} is null and ${t.annulReason} is null and ${t.issuedExpiresAt} is null) or (${t.annulledAt} is not null and ${t.annulReason} is not null and ${t.issuedExpiresAt} is not null and ${t.expiresAt} <= ${t.annulledAt})`,
    ),
    foreignKey({
      name: "certifications_passed_attempt_fk",
      columns: [t.attemptId, t.personId, t.courseId, t.attemptPassed],
      foreignColumns: [quizAttempts.id, quizAttempts.personId, quizAttempts.courseId, quizAttempts.passed],
    }),
  ],
);
