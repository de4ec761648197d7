import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import {
  assignments,
  auditEvents,
  certifications,
  courseReleases,
  departments,
  people,
  quizAttempts,
  signatures,
} from "@/db/schema";
import { majorOf } from "@/lib/certification/status.rules";
import { getContent } from "@/lib/content";
import { ForbiddenError } from "@/lib/errors";
import { organisationOverview, organisationOverviewCsv } from "@/lib/reports/overview";
import { DAY } from "@/lib/time";

import { context, createPerson, employeeSignature, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const NOW = new Date("2026-11-29T12:00:00Z");
const d = (iso: string) => new Date(iso);
const auditor = viewerOf({
  id: randomUUID(),
  email: "auditor@test.example",
  name: "Auditor",
  roles: ["employee", "auditor"],
  departmentId: null,
});

async function certify(personId: string, courseId: string, issuedAt: Date, expiresAt: Date) {
  const db = database.db();
  const [attempt] = await db
    .insert(quizAttempts)
    .values({
      personId,
      courseId,
      courseVersion: "1.0.0",
      status: "submitted",
      drawn: [],
      questionCount: 1,
      correctCount: 1,
      scorePercent: 100,
      passMark: 80,
      passed: true,
      startedAt: issuedAt,
      submittedAt: issuedAt,
    })
    .returning({ id: quizAttempts.id });
  await db.insert(certifications).values({
    personId,
    courseId,
    courseVersion: "1.0.0",
    attemptId: attempt.id,
    issuedAt,
    expiresAt,
    verificationCode: randomUUID().slice(0, 14),
  });
}

async function sign(personId: string, agreementId: string, signedAt: Date) {
  await database
    .db()
    .insert(signatures)
    .values(
      employeeSignature({ agreementId, personId, signedAt, renewalDueAt: new Date(signedAt.getTime() + 700 * DAY) }),
    );
}

/**
 * Two people in post (Customer Support and Engineering), one who left on
 * 1 October with every course certified, and one suspended: the last two
 * must not count today, and the departed one counts in the trend until she left.
 */
async function buildOrganisation() {
  const db = database.db();
  await db.insert(departments).values({ id: "engineering", name: "Engineering" }).onConflictDoNothing();
  // Every course has existed here since January 2025, so the whole trend has data.
  await db.insert(courseReleases).values(
    getContent().courses.map((c) => ({
      courseId: c.id,
      major: majorOf(c.version),
      version: c.version,
      releasedAt: d("2025-01-01T00:00:00Z"),
    })),
  );
  const ana = await createPerson(db, { name: "Ana", departmentId: "support" });
  const eng = await createPerson(db, { name: "Eng", departmentId: "engineering" });
  const gone = await createPerson(db, { name: "Gone", departmentId: "support", status: "departed" });
  const sus = await createPerson(db, { name: "Sus", departmentId: "support", status: "suspended" });
  for (const p of [ana, eng, gone, sus])
    await db.update(people).set({ hireDate: "2024-01-01" }).where(eq(people.id, p.id));
  await db
    .update(people)
    .set({ departedAt: d("2026-10-01T00:00:00Z") })
    .where(eq(people.id, gone.id));

  await certify(ana.id, "data-protection-law", d("2026-03-01T00:00:00Z"), d("2027-03-01T00:00:00Z"));
  await certify(ana.id, "incident-reporting", d("2025-12-19T00:00:00Z"), new Date(NOW.getTime() + 20 * DAY));
  await certify(eng.id, "data-protection-law", d("2026-06-01T00:00:00Z"), d("2027-06-01T00:00:00Z"));
  for (const course of [
    "access-control-mfa",
    "confidentiality-acceptable-use",
    "data-protection-law",
    "incident-reporting",
  ]) {
    await certify(gone.id, course, d("2025-06-01T00:00:00Z"), d("2027-06-01T00:00:00Z"));
    await certify(sus.id, course, d("2025-06-01T00:00:00Z"), d("2027-06-01T00:00:00Z"));
  }
  await db.insert(assignments).values([
    {
      personId: eng.id,
      courseId: "encryption-backups",
      source: "rule",
      assignedAt: d("2026-10-01T00:00:00Z"),
      dueAt: d("2026-11-01T00:00:00Z"),
    },
    {
      personId: gone.id,
      courseId: "support-data-handling",
      source: "rule",
      assignedAt: d("2026-08-01T00:00:00Z"),
      dueAt: d("2026-09-01T00:00:00Z"),
    },
  ]);
  await sign(ana.id, "employee-nda", d("2026-01-10T00:00:00Z"));
  await sign(gone.id, "employee-nda", d("2026-01-10T00:00:00Z"));
  await sign(gone.id, "acceptable-use-attestation", d("2026-01-10T00:00:00Z"));
}

describe("organisation overview", () => {
  it("computes completion, overdue, expiring, agreement coverage and the trend, without the departed", async () => {
    await buildOrganisation();
    const o = await organisationOverview(auditor, NOW);

    expect(o).toMatchObject({
      people: 2,
      required: 19,
      complete: 3,
      rate: 15.8,
      overdue: 1,
      overduePeople: 1,
      expiring: { 30: 1, 60: 1, 90: 1 },
    });
    const course = (id: string) => o.courses.find((c) => c.courseId === id)!;
    expect(course("data-protection-law")).toMatchObject({ required: 2, complete: 2, rate: 100, overdue: 0 });
    expect(course("incident-reporting")).toMatchObject({
      required: 2,
      complete: 1,
      rate: 50,
      expiring: { 30: 1, 60: 1, 90: 1 },
    });
    expect(course("encryption-backups")).toMatchObject({ required: 1, complete: 0, rate: 0, overdue: 1 });
    expect(course("support-data-handling")).toMatchObject({ required: 1, complete: 0, overdue: 0 });
    // Engineering also takes third-party sharing, privacy by design and secure development.
    expect(course("third-party-sharing")).toMatchObject({ required: 1, complete: 0, rate: 0 });
    expect(course("payment-card-data")).toMatchObject({ required: 0, rate: null });

    expect(o.departments).toEqual([
      { departmentId: "support", name: "Customer Support", people: 1, required: 8, complete: 2, rate: 25, overdue: 0 },
      { departmentId: "engineering", name: "Engineering", people: 1, required: 11, complete: 1, rate: 9.1, overdue: 1 },
    ]);
    expect(o.agreements.map((a) => [a.agreementId, a.required, a.signed, a.rate]).sort()).toEqual([
      ["acceptable-use-attestation", 2, 0, 0],
      ["employee-nda", 2, 1, 50],
    ]);

    // Month ends from December 2025; the departed person counts until October, the suspended one never.
    expect(o.trend.map((t) => [t.at.toISOString().slice(0, 7), t.people, t.complete, t.required, t.rate])).toEqual([
      ["2025-12", 3, 5, 27, 18.5],
      ["2026-01", 3, 5, 27, 18.5],
      ["2026-02", 3, 5, 27, 18.5],
      ["2026-03", 3, 6, 27, 22.2],
      ["2026-04", 3, 6, 27, 22.2],
      ["2026-05", 3, 6, 27, 22.2],
      ["2026-06", 3, 7, 27, 25.9],
      ["2026-07", 3, 7, 27, 25.9],
      ["2026-08", 3, 7, 27, 25.9],
      ["2026-09", 3, 7, 27, 25.9],
      ["2026-10", 2, 3, 19, 15.8],
      ["2026-11", 2, 3, 19, 15.8],
    ]);
  });

  it("exports the tables as CSV, audited, for compliance admins and auditors only", async () => {
    const db = database.db();
    const { csv, filename } = await organisationOverviewCsv(auditor, context(auditor.id), NOW);
    expect(filename).toBe("compliance-overview-2026-11-29.csv");
    expect(csv.startsWith("\uFEFFSection,Item,People,Required,Complete,Rate %,Overdue")).toBe(true);
    const lines = csv.split("\r\n");
    expect(lines[1]).toBe("Organisation,All required courses,2,19,3,15.8,1,1,1,1,,");
    expect(lines).toContain("Department,Engineering,1,11,1,9.1,1,,,,,");
    expect(lines.filter((l) => l.startsWith("Trend,"))).toHaveLength(12);
    const [event] = await db
      .select({ actorId: auditEvents.actorId })
      .from(auditEvents)
      .where(eq(auditEvents.action, "overview.exported"));
    expect(event.actorId).toBe(auditor.id);

    const employee = viewerOf(await createPerson(db));
    const manager = viewerOf(await createPerson(db, { roles: ["manager"] }));
    for (const viewer of [employee, manager]) {
      await expect(organisationOverview(viewer, NOW)).rejects.toThrow(ForbiddenError);
      await expect(organisationOverviewCsv(viewer, context(viewer.id), NOW)).rejects.toThrow(ForbiddenError);
    }
  });
});
