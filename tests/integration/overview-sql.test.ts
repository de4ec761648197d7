import { randomUUID } from "node:crypto";

import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import {
  assignments,
  certifications,
  courseReleases,
  departments,
  people,
  quizAttempts,
  signatures,
} from "@/db/schema";
import { getContent } from "@/lib/content";
import { overviewFromDatabase } from "@/lib/reports/overview";
import { DAY } from "@/lib/time";
import { syncAssignments } from "@/lib/training/assignments";

import { createPerson, employeeSignature } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";
import { buildOverview, overviewFacts } from "../model/overview-reference";

/**
 * The overview the page shows is counted in SQL; buildOverview over every row
 * is the rule. On a varied organisation (generated from a fixed seed, with
 * timestamps on and around month ends) both must agree to the last figure,
 * and the SQL path must count overdue assignments a sync has not made yet.
 */

const database = withTestDatabase();
const NOW = new Date("2026-11-29T12:00:00Z");
const d = (iso: string) => new Date(iso);

/** mulberry32, so every run builds the same organisation. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function buildOrganisation() {
  const db = database.db();
  const rnd = random(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  // Month ends and the moments either side of them, where an off-by-one would show.
  const edges = [
    "2026-03-31T23:59:59.999Z",
    "2026-04-01T00:00:00.000Z",
    "2026-07-01T00:00:00.000Z",
    "2026-06-30T23:59:59.999Z",
    "2026-11-29T12:00:00.000Z",
    "2026-11-29T12:00:00.001Z",
  ].map(d);
  const around = (from: number, to: number) =>
    rnd() < 0.15 ? pick(edges) : new Date(NOW.getTime() + (from + rnd() * (to - from)) * DAY);

  await db
    .insert(departments)
    .values(["support", "engineering", "sales", "legal", "finance"].map((id) => ({ id, name: id.toUpperCase() })))
    .onConflictDoNothing();
  const { courses, agreements } = getContent();
  // Every course has existed since 2025, one of them was at major 0 until a major 1 in May 2026, and another
  // already has a major 2 on record; certifications of older majors stop counting after the grace period.
  await db
    .insert(courseReleases)
    .values(
      courses.map((c) => ({ courseId: c.id, major: 1, version: c.version, releasedAt: d("2025-01-01T00:00:00Z") })),
    );
  await db
    .insert(courseReleases)
    .values({ courseId: courses[1].id, major: 2, version: "2.0.0", releasedAt: d("2026-08-15T00:00:00Z") });
  await db.update(courseReleases).set({ major: 0, version: "0.9.0" }).where(eq(courseReleases.courseId, courses[0].id));
  await db
    .insert(courseReleases)
    .values({ courseId: courses[0].id, major: 1, version: courses[0].version, releasedAt: d("2026-05-01T00:00:00Z") });

  const statuses = ["active", "active", "active", "active", "suspended", "departed"] as const;
  for (let i = 0; i < 40; i++) {
    const status = pick(statuses);
    const person = await createPerson(db, {
      status,
      departmentId: pick(["support", "engineering", "sales", "legal", "finance"]),
      roles: rnd() < 0.2 ? ["manager"] : undefined,
    });
    const hire = rnd() < 0.1 ? null : rnd() < 0.15 ? "2026-12-15" : rnd() < 0.2 ? "2026-07-01" : "2024-02-01";
    const departedAt =
      status === "departed" ? (rnd() < 0.15 ? null : around(-300, 30)) : rnd() < 0.1 ? around(-100, 0) : null;
    await db
      .update(people)
      .set({
        hireDate: hire,
        createdAt: rnd() < 0.5 ? d("2025-06-01T00:00:00Z") : around(-200, 0),
        departedAt,
        ...(i % 13 === 0 ? { departmentId: null } : {}),
      })
      .where(eq(people.id, person.id));

    for (const course of courses) {
      for (let n = Math.floor(rnd() * 3); n > 0; n--) {
        const issuedAt = around(-500, 3);
        const expiresAt = rnd() < 0.2 ? around(-30, 120) : new Date(issuedAt.getTime() + pick([180, 365, 730]) * DAY);
        const version = rnd() < 0.25 ? "0.9.0" : rnd() < 0.1 ? "2.0.0" : course.version;
        const [attempt] = await db
          .insert(quizAttempts)
          .values({
            personId: person.id,
            courseId: course.id,
            courseVersion: version,
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
          personId: person.id,
          courseId: course.id,
          courseVersion: version,
          attemptId: attempt.id,
          issuedAt,
          expiresAt,
          verificationCode: randomUUID().slice(0, 14),
        });
      }
      const roll = rnd();
      if (roll < 0.35) {
        const open = rnd() < 0.7;
        await db.insert(assignments).values({
          personId: person.id,
          courseId: course.id,
          source: rnd() < 0.3 ? "manual" : "rule",
          assignedAt: around(-200, -1),
          dueAt: around(-60, 60),
          completedAt: open ? null : rnd() < 0.5 ? around(-30, 0) : null,
          cancelledAt: open ? null : rnd() < 0.5 ? null : around(-30, 0),
        });
      }
    }

    for (const template of agreements.filter((a) => a.audience === "employee")) {
      for (let n = Math.floor(rnd() * 3); n > 0; n--) {
        const signedAt = around(-800, 0);
        const outcome = rnd() < 0.2 ? "declined" : "signed";
        // A signed agreement always renews after it was signed (a database constraint); a decline may carry anything.
        const due = pick([around(-40, 60), new Date(signedAt.getTime() + 365 * DAY)]);
        await db.insert(signatures).values(
          employeeSignature({
            agreementId: template.id,
            agreementVersion: rnd() < 0.2 ? "0.5.0" : template.version,
            agreementTitle: template.title,
            personId: person.id,
            outcome,
            signedAt,
            renewalDueAt:
              outcome === "declined" && rnd() < 0.5
                ? null
                : due > signedAt || outcome === "declined"
                  ? due
                  : new Date(signedAt.getTime() + DAY),
          }),
        );
      }
    }
  }
}

describe("organisation overview counted in SQL", () => {
  it("equals buildOverview over every row, and counts overdue assignments no sync has made yet", async () => {
    await buildOrganisation();
    const db = database.db();
    const openCount = async () =>
      (
        await db
          .select({ id: assignments.id })
          .from(assignments)
          .where(and(isNull(assignments.completedAt), isNull(assignments.cancelledAt)))
      ).length;
    const before = await openCount();

    const unsynced = buildOverview(await overviewFacts(db), NOW);
    const counted = await overviewFromDatabase(db, NOW);
    expect(await openCount()).toBe(before);
    expect(counted.overdue).toBeGreaterThan(unsynced.overdue);

    expect(await syncAssignments(db, { now: NOW })).toBeGreaterThan(0);
    const reference = buildOverview(await overviewFacts(db), NOW);
    expect(counted).toEqual(reference);
    // The organisation is varied enough for the comparison to mean something.
    expect(reference.overdue).toBeGreaterThan(0);
    expect(reference.expiring[90]).toBeGreaterThan(0);
    expect(reference.agreements.some((a) => a.renewalDue > 0 && a.toSign > 0 && a.signed > 0)).toBe(true);
    expect(new Set(reference.trend.map((t) => t.people)).size).toBeGreaterThan(2);
    expect(reference.departments.some((r) => r.departmentId === null)).toBe(true);

    // Month ends themselves, and the first moment of a month, as `now`.
    for (const at of ["2026-10-31T23:59:59.999Z", "2026-11-01T00:00:00.000Z", "2026-07-01T00:00:00.000Z"].map(d)) {
      expect(await overviewFromDatabase(db, at)).toEqual(buildOverview(await overviewFacts(db), at));
    }
  });
});
