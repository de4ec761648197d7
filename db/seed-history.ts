import "server-only";

import { createHash } from "node:crypto";

import { and, eq, gt, like } from "drizzle-orm";

import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { newVerificationCode } from "@/lib/certification/records";
import { expiryFor } from "@/lib/certification/status.rules";
import { getContent } from "@/lib/content";
import { inAudience } from "@/lib/content/audience";
import { DAY } from "@/lib/time";
import { recordLoadedCourseReleases } from "@/lib/training/course-releases";

import type { Executor } from "./client";
import { certifications, courseReleases, people, quizAttempts } from "./schema";

/** The demo organisation started training with Clearance this long ago. */
const ROLLOUT_DAYS = 380;
/** Of the courses a person must hold, the share they had certified by today. */
const TAKE_UP = 0.86;

/** A number in [0, 1) fixed by its label: the same history every time the demo is seeded. */
function draw(label: string): number {
  return createHash("sha256").update(label).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * A year of training history for the demo organisation, so its reports have
 * something to show: the people (apart from `keep`, whose work is left for the
 * demo's walkthroughs) took their required courses over the twelve months
 * since the organisation rolled training out, early joiners first, and those
 * certified more than a year ago renewed — a few of them late, so the record
 * shows a lapse. Every certification rests on a passed attempt, as the
 * database requires. Deterministic: seeded twice, the same rows.
 */
export async function seedDemoHistory(
  db: Executor,
  { domain, keep, now = new Date() }: { domain: string; keep: readonly string[]; now?: Date },
): Promise<{ certifications: number }> {
  const { courses } = getContent();
  const staff = await db
    .select({
      id: people.id,
      email: people.email,
      departmentId: people.departmentId,
      roles: people.roles,
      hireDate: people.hireDate,
    })
    .from(people)
    .where(like(people.email, `%@${domain}`));
  const rollout = now.getTime() - ROLLOUT_DAYS * DAY;

  const attempts: (typeof quizAttempts.$inferInsert)[] = [];
  const certs: { attempt: number; row: Omit<typeof certifications.$inferInsert, "attemptId"> }[] = [];
  const certify = (personId: string, course: (typeof courses)[number], at: number) => {
    const issued = new Date(at);
    const questions = course.questionsPerAttempt;
    const correct = Math.max(
      Math.ceil((course.passMark / 100) * questions),
      questions - Math.floor(draw(`${personId}${at}`) * 3),
    );
    attempts.push({
      personId,
      courseId: course.id,
      courseVersion: course.version,
      status: "submitted",
      drawn: [],
      questionCount: questions,
      correctCount: correct,
      scorePercent: Math.round((correct / questions) * 100),
      passMark: course.passMark,
      passed: true,
      startedAt: new Date(at - 25 * 60_000),
      submittedAt: issued,
    });
    certs.push({
      attempt: attempts.length - 1,
      row: {
        personId,
        courseId: course.id,
        courseVersion: course.version,
        issuedAt: issued,
        expiresAt: expiryFor(issued, course.validityMonths),
        verificationCode: newVerificationCode(),
      },
    });
    return expiryFor(issued, course.validityMonths).getTime();
  };

  for (const person of staff) {
    if (keep.includes(person.email)) continue;
    const started = Math.max(rollout, person.hireDate ? Date.parse(`${person.hireDate}T09:00:00Z`) : rollout);
    for (const course of courses) {
      if (!inAudience(course.assignTo, { departmentId: person.departmentId, roles: person.roles })) continue;
      const label = `${person.email}:${course.id}`;
      if (draw(`${label}:taken`) >= TAKE_UP) continue;
      // Most people finish within the first months; the rest spread over the year.
      const span = now.getTime() - 3 * DAY - started;
      if (span <= 0) continue;
      let at = started + Math.pow(draw(`${label}:when`), 1.6) * span;
      at -= at % 60_000;
      let expires = certify(person.id, course, at);
      // Renewals: a month before the end, or for one in five, a few weeks after it lapsed.
      while (expires < now.getTime()) {
        const late = draw(`${label}:${expires}:late`) < 0.2;
        at = expires + (late ? 10 + Math.floor(draw(`${label}:${expires}:gap`) * 30) : -30) * DAY;
        if (at > now.getTime() - DAY) break;
        expires = certify(person.id, course, at);
      }
    }
  }

  // The catalogue has been live since the roll-out, so the months before today count in the trend.
  await recordLoadedCourseReleases(db, new Date(rollout));
  await db
    .update(courseReleases)
    .set({ releasedAt: new Date(rollout) })
    .where(and(eq(courseReleases.major, 1), gt(courseReleases.releasedAt, new Date(rollout))));
  if (attempts.length === 0) return { certifications: 0 };
  const ids = await db.insert(quizAttempts).values(attempts).returning({ id: quizAttempts.id });
  await db.insert(certifications).values(certs.map((c) => ({ ...c.row, attemptId: ids[c.attempt].id })));
  await recordAudit(db, SYSTEM_ACTOR, {
    action: "seed.demo_history",
    data: { certifications: certs.length, since: new Date(rollout).toISOString().slice(0, 10) },
  });
  return { certifications: certs.length };
}
