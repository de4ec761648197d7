import { randomUUID } from "node:crypto";

import type { Db } from "@/db/client";
import { accessGrants, certifications, quizAttempts, signatures } from "@/db/schema";
import { accessRole } from "@/lib/access/facts";
import { expiryFor } from "@/lib/certification/status.rules";
import { getAgreementTemplate, getCourse } from "@/lib/content";

/** Gives a person every certification and signature a role requires, issued at `at`. */
export async function satisfyRole(db: Db, personId: string, roleId: string, at = new Date()) {
  const role = accessRole(roleId)!;
  for (const courseId of role.courses) await certifyCourse(db, personId, courseId, at);
  for (const agreementId of role.agreements) {
    const t = getAgreementTemplate(agreementId)!;
    await db.insert(signatures).values({
      agreementId,
      agreementVersion: t.version,
      agreementTitle: t.title,
      audience: "employee",
      personId,
      outcome: "signed",
      signerName: "x",
      signerEmail: "x@x.example",
      authMethod: "test",
      ip: "127.0.0.1",
      userAgent: "test",
      textSha256: "0",
      bodySnapshot: "",
      events: [],
      signedAt: at,
      renewalDueAt: t.renewalMonths ? expiryFor(at, t.renewalMonths) : null,
    });
  }
}

/** A passed attempt and the certification it backs, for one course, issued at `at`. */
export async function certifyCourse(db: Db, personId: string, courseId: string, at = new Date()) {
  const course = getCourse(courseId)!;
  const [attempt] = await db
    .insert(quizAttempts)
    .values({
      personId,
      courseId,
      courseVersion: course.version,
      status: "submitted",
      drawn: [],
      questionCount: 0,
      passMark: course.passMark,
      passed: true,
      scorePercent: 100,
      correctCount: 0,
      startedAt: at,
      submittedAt: at,
    })
    .returning({ id: quizAttempts.id });
  await db.insert(certifications).values({
    personId,
    courseId,
    courseVersion: course.version,
    attemptId: attempt.id,
    issuedAt: at,
    expiresAt: expiryFor(at, course.validityMonths),
    verificationCode: randomUUID().slice(0, 14).toUpperCase(),
  });
}

export async function grantRole(db: Db, personId: string, roleId: string, at = new Date(), endsAt: Date | null = null) {
  const [row] = await db
    .insert(accessGrants)
    .values({ personId, roleId, status: "approved", justification: "test", requestedAt: at, decidedAt: at, endsAt })
    .returning({ id: accessGrants.id });
  return row.id;
}
