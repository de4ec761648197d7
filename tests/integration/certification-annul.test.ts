import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { assignments, auditEvents, certifications, outbox } from "@/db/schema";
import { currentRevision } from "@/lib/access/changes";
import { checkAccess } from "@/lib/access/check";
import { accessRole } from "@/lib/access/facts";
import { annulCertification } from "@/lib/certification/annul";
import { newVerificationCode } from "@/lib/certification/records";
import { ForbiddenError, NotFoundError, type FieldError } from "@/lib/errors";
import { organisationOverview } from "@/lib/reports/overview";
import { syncAssignments } from "@/lib/training/assignments";
import { certificatePdf } from "@/lib/training/certificate-pdf";
import { verifyCertificateCode } from "@/lib/training/verify-certificate";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const ROLE = "customer-pii-read";
const REASON = "Quiz answers were shared between colleagues during the attempt.";

async function holder(name: string) {
  const db = database.db();
  const person = await createPerson(db, { name });
  await satisfyRole(db, person.id, ROLE);
  await grantRole(db, person.id, ROLE, new Date(Date.now() - 60_000), new Date(Date.now() + 90 * 86_400_000));
  const courseId = accessRole(ROLE)!.courses[0];
  // A code in the printed format, as /verify reads it.
  const [certification] = await db
    .update(certifications)
    .set({ verificationCode: newVerificationCode() })
    .where(and(eq(certifications.personId, person.id), eq(certifications.courseId, courseId)))
    .returning();
  return { person, certification, courseId };
}

const decide = async (personId: string) =>
  (await checkAccess(database.db(), null, [{ user: personId, role: ROLE }]))[0].decision!;

describe("annulling a certification", () => {
  it("ends it now: the role is no longer granted, the revision advances, /verify says annulled, the holder is told", async () => {
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
    const { person, certification, courseId } = await holder("Noor Annul");
    expect((await decide(person.id)).allow).toBe(true);
    const revision = await currentRevision(db);
    const overviewBefore = await organisationOverview(admin);

    const done = await annulCertification(admin, context(admin.id), {
      certificationId: certification.id,
      reason: REASON,
    });
    expect(done.holder).toBe("Noor Annul");

    // Decisions: not granted any more, for want of that course.
    const decision = await decide(person.id);
    expect(decision.allow).toBe(false);
    expect(decision.reasons).toContain(`course_expired:${courseId}`);
    expect(await currentRevision(db)).toBeGreaterThan(revision);
    // Reports count one certified course fewer.
    expect((await organisationOverview(admin)).complete).toBe(overviewBefore.complete - 1);

    // The record keeps what was issued, who annulled it and why.
    const [row] = await db.select().from(certifications).where(eq(certifications.id, certification.id));
    expect(row).toMatchObject({ annulledBy: admin.id, annulReason: REASON, issuedExpiresAt: certification.expiresAt });
    expect(row.expiresAt.getTime()).toBeLessThanOrEqual(row.annulledAt!.getTime());

    // Anyone with the code learns the state, not when or why, and sees the expiry the certificate shows.
    const verified = await verifyCertificateCode(certification.verificationCode);
    expect(verified).toMatchObject({ found: true, annulled: true, expiresAt: certification.expiresAt });
    expect(JSON.stringify(verified)).not.toContain("shared");

    // One audit event and one email.
    const events = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "certification.annulled"), eq(auditEvents.targetId, certification.id)));
    expect(events).toEqual([{ data: expect.objectContaining({ personId: person.id, courseId, reason: REASON }) }]);
    const mail = await db
      .select({ kind: outbox.kind, text: outbox.text })
      .from(outbox)
      .where(eq(outbox.dedupeKey, `certification-annulled:${certification.id}`));
    expect(mail).toHaveLength(1);
    expect(mail[0].text).toContain(REASON);

    // The course is due again, and no certificate file is made for it.
    await syncAssignments(db, { personIds: [person.id] });
    const open = await db
      .select()
      .from(assignments)
      .where(and(eq(assignments.personId, person.id), eq(assignments.courseId, courseId)));
    expect(open.some((a) => a.completedAt === null && a.cancelledAt === null)).toBe(true);
    await expect(certificatePdf(viewerOf(person), context(person.id), certification.id)).rejects.toMatchObject({
      code: "certification_annulled",
    });
  });

  it("annuls once when thirty requests arrive together", async () => {
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
    const { certification } = await holder("Thirty Clicks");
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () =>
        annulCertification(admin, context(admin.id), { certificationId: certification.id, reason: REASON }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected"))
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "already_annulled" });
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "certification.annulled"), eq(auditEvents.targetId, certification.id)));
    expect(events).toHaveLength(1);
    expect(
      await db
        .select()
        .from(outbox)
        .where(eq(outbox.dedupeKey, `certification-annulled:${certification.id}`)),
    ).toHaveLength(1);
  });

  it("refuses people who are not compliance admins, a short reason, and ids that are not certifications", async () => {
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
    const { person, certification } = await holder("Kept Certified");
    for (const roles of [[], ["manager"], ["auditor"]] as const) {
      const other = viewerOf(await createPerson(db, { roles: [...roles] }));
      await expect(
        annulCertification(other, context(other.id), { certificationId: certification.id, reason: REASON }),
      ).rejects.toBeInstanceOf(ForbiddenError);
    }
    await expect(
      annulCertification(admin, context(admin.id), { certificationId: certification.id, reason: "  short  " }),
    ).rejects.toMatchObject({ field: "reason" } satisfies Partial<FieldError>);
    for (const certificationId of ["not-a-uuid", person.id])
      await expect(
        annulCertification(admin, context(admin.id), { certificationId, reason: REASON }),
      ).rejects.toBeInstanceOf(NotFoundError);
    // Nothing changed: still granted.
    expect((await decide(person.id)).allow).toBe(true);
  });
});
