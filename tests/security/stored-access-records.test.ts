import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { certifications, quizAttempts, signatures } from "@/db/schema";
import { checkAccess } from "@/lib/access/check";
import { getCourse } from "@/lib/content";
import { agreementMetaSchema } from "@/lib/content/schemas";
import { DAY } from "@/lib/time";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { createPerson, employeeSignature } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * The access decision trusts the certifications and signatures it reads. Someone
 * who can write rows (a bug in an insert path, a careless script, a hand-edited
 * restore) must not be able to store one that counts without being earned.
 */
const database = withTestDatabase();
const ROLE = "customer-pii-read";
const COURSE = "support-data-handling";

/** The constraint a write broke, from either driver's error (drizzle wraps it in `cause`). */
async function violated(write: Promise<unknown>): Promise<string> {
  try {
    await write;
  } catch (error) {
    const e = error as { cause?: Record<string, unknown> } & Record<string, unknown>;
    const detail = e.cause ?? e;
    return String(detail.constraint_name ?? detail.constraint ?? detail.message);
  }
  return "written";
}

async function attempt(personId: string, passed: boolean | null, courseId = COURSE) {
  const at = new Date();
  const course = getCourse(courseId)!;
  const [row] = await database
    .db()
    .insert(quizAttempts)
    .values({
      personId,
      courseId,
      courseVersion: course.version,
      status: passed === null ? "in_progress" : "submitted",
      drawn: [],
      questionCount: 1,
      passMark: 80,
      passed,
      scorePercent: passed ? 100 : 0,
      correctCount: 0,
      startedAt: at,
      submittedAt: at,
    })
    .returning({ id: quizAttempts.id });
  return row.id;
}

const certification = (
  personId: string,
  attemptId: string,
  courseId = COURSE,
  extra: Partial<typeof certifications.$inferInsert> = {},
) => ({
  personId,
  courseId,
  courseVersion: getCourse(courseId)!.version,
  attemptId,
  issuedAt: new Date(),
  expiresAt: new Date(Date.now() + 365 * DAY),
  verificationCode: randomUUID().slice(0, 14),
  ...extra,
});

describe("stored access records", () => {
  it("a certification can only be stored for the holder's own passed attempt at that course, and the attempt cannot be failed afterwards", async () => {
    const db = database.db();
    const person = await createPerson(db);
    const other = await createPerson(db);
    // Everything else the role needs is in place: the missing certification is the only thing that can deny.
    await satisfyRole(db, person.id, ROLE);
    await db.delete(certifications).where(eq(certifications.courseId, COURSE));
    await grantRole(db, person.id, ROLE);

    const failed = await attempt(person.id, false);
    expect(await violated(db.insert(certifications).values(certification(person.id, failed)))).toBe(
      "certifications_passed_attempt_fk",
    );
    const unfinished = await attempt(person.id, null);
    expect(await violated(db.insert(certifications).values(certification(person.id, unfinished)))).toBe(
      "certifications_passed_attempt_fk",
    );
    const theirs = await attempt(other.id, true);
    expect(await violated(db.insert(certifications).values(certification(person.id, theirs)))).toBe(
      "certifications_passed_attempt_fk",
    );
    const otherCourse = await attempt(person.id, true, "data-protection-law");
    expect(await violated(db.insert(certifications).values(certification(person.id, otherCourse)))).toBe(
      "certifications_passed_attempt_fk",
    );
    const passed = await attempt(person.id, true);
    expect(
      await violated(
        db.insert(certifications).values(certification(person.id, passed, COURSE, { attemptPassed: false })),
      ),
    ).toBe("certifications_attempt_passed");

    const [denied] = await checkAccess(db, null, [{ user: person.id, role: ROLE }]);
    expect(denied.decision).toMatchObject({ allow: false, reasons: [`course_missing:${COURSE}`] });

    // The honest path still works, and afterwards the attempt it rests on cannot be turned into a failure.
    expect(await violated(db.insert(certifications).values(certification(person.id, passed)))).toBe("written");
    expect(await violated(db.update(quizAttempts).set({ passed: false }).where(eq(quizAttempts.id, passed)))).toBe(
      "certifications_passed_attempt_fk",
    );
    const [allowed] = await checkAccess(db, null, [{ user: person.id, role: ROLE }]);
    expect(allowed.decision?.allow).toBe(true);
  });

  it("a signature cannot be stored without a renewal date after its signing, so none counts forever", async () => {
    const db = database.db();
    const person = await createPerson(db);
    const signedAt = new Date();
    const sign = (values: { outcome?: "signed" | "declined"; renewalDueAt: Date | null }) =>
      db
        .insert(signatures)
        .values(employeeSignature({ agreementId: "employee-nda", personId: person.id, signedAt, ...values }));
    expect(await violated(sign({ renewalDueAt: null }))).toBe("signatures_signed_renewal_due");
    expect(await violated(sign({ renewalDueAt: signedAt }))).toBe("signatures_signed_renewal_due");
    expect(await violated(sign({ renewalDueAt: new Date(signedAt.getTime() - DAY) }))).toBe(
      "signatures_signed_renewal_due",
    );
    expect(await violated(sign({ outcome: "declined", renewalDueAt: null }))).toBe("written");
    expect(await violated(sign({ renewalDueAt: new Date(signedAt.getTime() + DAY) }))).toBe("written");
  });

  it("agreement content that would never ask for renewal is refused when loaded", () => {
    const meta = {
      id: "forever-nda",
      title: "Forever",
      version: "1.0.0",
      audience: "employee",
      renewalMonths: 0,
      signers: { everyone: true },
      summary: "x",
    };
    const parsed = agreementMetaSchema.safeParse(meta);
    expect(parsed.success).toBe(false);
    expect(agreementMetaSchema.safeParse({ ...meta, renewalMonths: 1 }).success).toBe(true);
  });
});
