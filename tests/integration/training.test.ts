import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { assignments, auditEvents, certifications, courseReleases } from "@/db/schema";
import { verifyAuditChain } from "@/lib/audit/verify";
import { getCourse } from "@/lib/content";
import { DomainError } from "@/lib/errors";
import {
  assignCourseManually,
  PEOPLE_SUGGESTIONS,
  suggestActivePeople,
  syncAssignments,
  syncAssignmentsReading,
} from "@/lib/training/assignments";
import { getAttempt, startAttempt, submitAttempt } from "@/lib/training/attempts";
import { learnerOverview } from "@/lib/training/learner-overview";
import { completeLesson } from "@/lib/training/lesson-progress";
import { verifyCertificateCode } from "@/lib/training/verify-certificate";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { answersFor } from "../helpers/quiz-answers";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const COURSE = "incident-reporting";

async function learner() {
  const person = await createPerson(database.db(), { name: "Léa Dubois" });
  return viewerOf(person);
}

async function readAllLessons(viewer: ReturnType<typeof viewerOf>) {
  for (const lesson of getCourse(COURSE)!.lessons) await completeLesson(viewer, COURSE, lesson.slug);
}

describe("training lifecycle", () => {
  it("assigns courses from their rules, once", async () => {
    const viewer = await learner();
    const first = await syncAssignments(database.db(), { personIds: [viewer.id] });
    expect(first).toBeGreaterThanOrEqual(3);
    expect(await syncAssignments(database.db(), { personIds: [viewer.id] })).toBe(0);
    const rows = await database.db().select().from(assignments).where(eq(assignments.personId, viewer.id));
    expect(rows.map((r) => r.courseId)).toContain(COURSE);
    expect(rows.map((r) => r.courseId)).toContain("support-data-handling"); // department rule
    expect(rows.map((r) => r.courseId)).not.toContain("third-party-sharing"); // sales/legal only
  });

  it("refuses the quiz until every lesson is read", async () => {
    const viewer = await learner();
    await expect(startAttempt(viewer, COURSE)).rejects.toThrow("Finish every lesson");
  });

  it("fails, then passes, issues a certification, completes the assignment and verifies publicly", async () => {
    const viewer = await learner();
    await syncAssignments(database.db(), { personIds: [viewer.id] });
    await readAllLessons(viewer);
    const { attemptId } = await startAttempt(viewer, COURSE);
    const again = await startAttempt(viewer, COURSE);
    expect(again.attemptId).toBe(attemptId);

    const view = await getAttempt(viewer, attemptId);
    expect(view.status).toBe("in_progress");
    expect(JSON.stringify(view)).not.toContain('"correct":');
    expect(JSON.stringify(view)).not.toContain('"explanation":');

    expect(
      await submitAttempt(viewer, context(viewer.id), attemptId, await answersFor(database.db(), attemptId, false)),
    ).toEqual({ passed: false, firstSubmission: true });
    const failed = await getAttempt(viewer, attemptId);
    expect(failed.status === "submitted" && failed.grade.scorePercent).toBe(0);
    // The learner's failed attempt: each answer marked and explained, the correct options not sent; tries left counted.
    if (failed.status !== "submitted") throw new Error("not submitted");
    expect(failed.revealed).toBe(false);
    expect(failed.review.every((q) => !q.isCorrect && q.explanation.length > 0)).toBe(true);
    expect(JSON.stringify(failed)).not.toContain('"correct"');
    expect(failed.allowance).toEqual({ allowed: true, remaining: getCourse(COURSE)!.attemptLimit - 1 });
    // A compliance reviewer sees which options were correct.
    const reviewer = viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"] }));
    const reviewed = await getAttempt(reviewer, attemptId);
    expect(reviewed.status === "submitted" && reviewed.revealed && reviewed.allowance).toBe(null);
    expect(JSON.stringify(reviewed)).toContain('"correct":true');

    const second = await startAttempt(viewer, COURSE);
    expect(second.attemptId).not.toBe(attemptId);
    const result = await submitAttempt(
      viewer,
      context(viewer.id),
      second.attemptId,
      await answersFor(database.db(), second.attemptId, true),
    );
    expect(result).toEqual({ passed: true, firstSubmission: true });
    const passed = await getAttempt(viewer, second.attemptId);
    expect(passed.status === "submitted" && passed.revealed).toBe(true);
    expect(JSON.stringify(passed)).toContain('"correct":true');

    const [cert] = await database
      .db()
      .select()
      .from(certifications)
      .where(eq(certifications.attemptId, second.attemptId));
    expect(cert.expiresAt.getTime() - cert.issuedAt.getTime()).toBeGreaterThan(360 * 86_400_000);
    const open = await database
      .db()
      .select()
      .from(assignments)
      .where(and(eq(assignments.personId, viewer.id), eq(assignments.courseId, COURSE)));
    expect(open.every((a) => a.completedAt)).toBe(true);

    const overview = await learnerOverview(viewer);
    expect(overview.find((i) => i.course.id === COURSE)?.state).toBe("current");

    const verified = await verifyCertificateCode(cert.verificationCode.toLowerCase());
    expect(verified).toMatchObject({ found: true, status: "current", name: "Léa Dubois", courseVersion: "1.1.0" });
    expect(Object.keys(verified).sort()).toEqual([
      "annulled",
      "courseTitle",
      "courseVersion",
      "expiresAt",
      "found",
      "holderLeft",
      "issuedAt",
      "name",
      "status",
    ]);
    expect(await verifyCertificateCode("AAAA-BBBB-CCCC")).toEqual({ found: false });

    const actions = (
      await database
        .db()
        .select({ action: auditEvents.action })
        .from(auditEvents)
        .where(eq(auditEvents.actorId, viewer.id))
    ).map((r) => r.action);
    expect(actions).toEqual(["attempt.submitted", "attempt.submitted", "certification.issued"]);
  });

  it("records one result for 20 concurrent submissions of the same attempt", async () => {
    const viewer = await learner();
    await readAllLessons(viewer);
    const { attemptId } = await startAttempt(viewer, COURSE);
    const answers = await answersFor(database.db(), attemptId, true);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => submitAttempt(viewer, context(viewer.id), attemptId, answers)),
    );
    expect(results.filter((r) => r.firstSubmission)).toHaveLength(1);
    expect(results.every((r) => r.passed)).toBe(true);
    expect(
      await database.db().select().from(certifications).where(eq(certifications.personId, viewer.id)),
    ).toHaveLength(1);
    const submitted = await database
      .db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.targetId, attemptId), eq(auditEvents.action, "attempt.submitted")));
    expect(submitted).toHaveLength(1);
    expect((await verifyAuditChain(database.db())).ok).toBe(true);
  });

  it("enforces the attempt limit and cooldown on the server", async () => {
    const viewer = await learner();
    await readAllLessons(viewer);
    const t0 = new Date("2026-11-01T09:00:00Z");
    for (let i = 0; i < 3; i++) {
      const now = new Date(t0.getTime() + i * 60_000);
      const { attemptId } = await startAttempt(viewer, COURSE, now);
      await submitAttempt(
        viewer,
        context(viewer.id),
        attemptId,
        await answersFor(database.db(), attemptId, false),
        now,
      );
    }
    const during = new Date(t0.getTime() + 3_600_000);
    await expect(startAttempt(viewer, COURSE, during)).rejects.toThrow(/used all 3 attempts.*try again after/);
    const after = new Date(t0.getTime() + 2 * 60_000 + 24 * 3_600_000);
    await expect(startAttempt(viewer, COURSE, after)).resolves.toHaveProperty("attemptId");
  });

  it("a new major version supersedes older certifications after the grace period and re-assigns the course", async () => {
    const viewer = await learner();
    await readAllLessons(viewer);
    const { attemptId } = await startAttempt(viewer, COURSE);
    await submitAttempt(viewer, context(viewer.id), attemptId, await answersFor(database.db(), attemptId, true));
    const db = database.db();
    // Pretend the current major (1) was released long ago and the certification came from major 0.
    await db.update(certifications).set({ courseVersion: "0.9.0" }).where(eq(certifications.attemptId, attemptId));
    const released = new Date(Date.now() - 40 * 86_400_000);
    await db.update(courseReleases).set({ releasedAt: released }).where(eq(courseReleases.courseId, COURSE));
    const overview = await learnerOverview(viewer);
    const item = overview.find((i) => i.course.id === COURSE)!;
    expect(item.certification?.status).toBe("superseded");
    expect(item.state).toBe("overdue");
    const [assignment] = await db
      .select()
      .from(assignments)
      .where(
        and(
          eq(assignments.personId, viewer.id),
          eq(assignments.courseId, COURSE),
          eq(assignments.source, "major_version"),
        ),
      );
    expect(assignment.dueAt.getTime()).toBe(released.getTime() + 30 * 86_400_000);
  });

  it("suggests active people by name or address for the assignment form, a few at a time", async () => {
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
    await createPerson(db, { name: "Rosa Delgado", email: "rosa.delgado@test.example" });
    await createPerson(db, { name: "Rosalind Park", email: "r.park@test.example" });
    await createPerson(db, { name: "Rosa Departed", email: "rosa.d@test.example", status: "departed" });
    await createPerson(db, { name: "Percy 50% Test", email: "percy@test.example" });
    for (let i = 0; i < PEOPLE_SUGGESTIONS + 5; i++)
      await createPerson(db, { name: `Many ${String(i).padStart(2, "0")}` });
    expect((await suggestActivePeople(admin, "rosa")).map((p) => p.name)).toEqual(["Rosa Delgado", "Rosalind Park"]);
    expect((await suggestActivePeople(admin, "R.PARK")).map((p) => p.email)).toEqual(["r.park@test.example"]);
    expect((await suggestActivePeople(admin, "50%")).map((p) => p.name)).toEqual(["Percy 50% Test"]);
    expect(await suggestActivePeople(admin, "many")).toHaveLength(PEOPLE_SUGGESTIONS);
    expect(await suggestActivePeople(admin, "   ")).toEqual([]);
    await expect(suggestActivePeople(viewerOf(await createPerson(db)), "rosa")).rejects.toThrow("permission");
  });

  it("lets only compliance admins assign by hand, audited, once", async () => {
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
    const person = await createPerson(db, { departmentId: "support" });
    const due = new Date(Date.now() + 10 * 86_400_000);
    await expect(
      assignCourseManually(viewerOf(person), context(person.id), {
        personId: person.id,
        courseId: "third-party-sharing",
        dueAt: due,
      }),
    ).rejects.toThrow("permission");
    await assignCourseManually(admin, context(admin.id), {
      personId: person.id,
      courseId: "third-party-sharing",
      dueAt: due,
    });
    await expect(
      assignCourseManually(admin, context(admin.id), {
        personId: person.id,
        courseId: "third-party-sharing",
        dueAt: due,
      }),
    ).rejects.toThrow(DomainError);
    const [event] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "assignment.created"), eq(auditEvents.targetId, person.id)));
    expect(event.data).toMatchObject({ courseId: "third-party-sharing" });
  });
});

describe("assignments synced by views at the same moment", () => {
  it("thirty views of a new person at once each show every open assignment, whichever view inserted it", async () => {
    const person = await createPerson(database.db(), { name: "Noor Haddad" });
    const now = new Date();
    const views = await Promise.all(
      Array.from({ length: 30 }, () => syncAssignmentsReading(database.db(), { personIds: [person.id], now })),
    );
    const stored = await database
      .db()
      .select({ courseId: assignments.courseId, dueAt: assignments.dueAt })
      .from(assignments)
      .where(eq(assignments.personId, person.id));
    expect(stored.length).toBeGreaterThan(0);
    const expected = stored.map((a) => `${a.courseId}@${a.dueAt.toISOString()}`).sort();
    for (const view of views)
      expect(
        view.open
          .filter((o) => o.personId === person.id)
          .map((o) => `${o.courseId}@${o.dueAt.toISOString()}`)
          .sort(),
      ).toEqual(expected);
    expect(views.reduce((n, v) => n + v.inserted, 0)).toBe(stored.length);
  });
});
