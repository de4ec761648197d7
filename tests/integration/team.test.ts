import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents, certifications, departments, outbox, people, quizAttempts } from "@/db/schema";
import { verifyAuditChain } from "@/lib/audit/verify";
import { expiryFor } from "@/lib/certification/status.rules";
import { getCourse } from "@/lib/content";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { canSeeScores, personRecord } from "@/lib/reports/person-record";
import { teamMatrix, teamMatrixCsv } from "@/lib/team/matrix";
import { cellDates, cellLabel, itemKey } from "@/lib/team/matrix.rules";
import { nudgeAllOverdue, nudgeDedupeKey, nudgePerson } from "@/lib/team/nudge";
import { parseTeamFilters, type TeamView } from "@/lib/team/view";
import { DAY } from "@/lib/time";
import { completeLesson } from "@/lib/training/lesson-progress";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const t0 = new Date("2026-11-29T09:12:00Z");
const later = (days: number) => new Date(t0.getTime() + days * DAY);
const filters = (params: Record<string, string> = {}) => parseTeamFilters(params);
const ids = (view: TeamView) => view.matching.map((r) => r.person.id).sort();

/** A manager with two direct reports, one of whom manages two more; plus people who must not show. */
async function organisation() {
  const db = database.db();
  await db.insert(departments).values({ id: "engineering", name: "Engineering" }).onConflictDoNothing();
  const boss = await createPerson(db, { name: "Bea Boss", roles: ["manager"] });
  const lead = await createPerson(db, { name: "Lee Lead", roles: ["manager"], managerId: boss.id });
  const direct = await createPerson(db, { name: "Dana Direct", managerId: boss.id, departmentId: "engineering" });
  const indirect1 = await createPerson(db, { name: "Ines Indirect", managerId: lead.id });
  const indirect2 = await createPerson(db, {
    name: "Ivo Indirect",
    managerId: lead.id,
    email: `ivo-${boss.id.slice(0, 6)}@test.example`,
  });
  const gone = await createPerson(db, { name: "Gus Gone", managerId: lead.id, status: "departed" });
  const other = await createPerson(db, { name: "Olga Other", roles: ["manager"] });
  const stranger = await createPerson(db, { name: "Sam Stranger", managerId: other.id });
  return {
    db,
    boss,
    lead,
    direct,
    indirect1,
    indirect2,
    gone,
    other,
    stranger,
    v: (p: typeof boss) => viewerOf({ ...p, mfaEnabledAt: t0 }),
  };
}

/** Parses our own CSV (RFC 4180 quoting) back into rows. */
function parseCsv(csv: string): string[][] {
  expect(csv.charCodeAt(0)).toBe(0xfeff);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const text = csv.slice(1);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  return rows;
}

describe("team matrix", () => {
  it("shows a manager their direct and indirect active reports, and nobody else", async () => {
    const { boss, lead, direct, indirect1, indirect2, other, v } = await organisation();
    const view = await teamMatrix(v(boss), filters(), t0);
    expect(ids(view)).toEqual([lead.id, direct.id, indirect1.id, indirect2.id].sort());
    expect(view.teamSize).toBe(4);

    const leads = await teamMatrix(v(lead), filters(), t0);
    expect(ids(leads)).toEqual([indirect1.id, indirect2.id].sort());

    const others = await teamMatrix(v(other), filters(), t0);
    expect(others.matching.map((r) => r.person.name)).toEqual(["Sam Stranger"]);
    expect(others.matching.map((r) => r.person.id)).not.toContain(direct.id);
  });

  it("refuses people who are not managers", async () => {
    const { direct, v } = await organisation();
    await expect(teamMatrix(v(direct), filters(), t0)).rejects.toThrow(ForbiddenError);
  });

  it("syncs assignments first, so statuses move with the clock: not started, in progress, overdue", async () => {
    const { boss, direct, v } = await organisation();
    const course = getCourse("incident-reporting")!;
    const key = itemKey({ kind: "course", id: course.id });
    const first = await teamMatrix(v(boss), filters({ item: key }), t0);
    const cellOf = (view: TeamView) => view.matching.find((r) => r.person.id === direct.id)!.cells[key];
    expect(cellOf(first).status).toBe("not_started");

    await completeLesson(v(direct), course.id, course.lessons[0].slug, later(1));
    const progressed = await teamMatrix(v(boss), filters({ item: key }), later(2));
    expect(cellOf(progressed)).toMatchObject({
      status: "in_progress",
      percent: Math.round(100 / course.lessons.length),
    });

    const overdue = await teamMatrix(v(boss), filters({ item: key, status: "overdue", sort: "overdue" }), later(31));
    expect(overdue.matching.map((r) => r.person.id)).toContain(direct.id);
    expect(cellOf(overdue).status).toBe("overdue");
    expect(overdue.summary.overdueItems).toBe(overdue.matching.length);
  });

  it("filters and the CSV export agree: same rows, same columns, every page", async () => {
    const { boss, v } = await organisation();
    for (const params of [
      {},
      { department: "engineering" },
      { q: "indirect" },
      { status: "overdue", item: "course:incident-reporting" },
      { sort: "department", page: "2" },
    ] as Record<string, string>[]) {
      const view = await teamMatrix(v(boss), filters(params), later(40));
      const { csv, filename } = await teamMatrixCsv(v(boss), context(boss.id), filters(params), later(40));
      expect(filename).toBe("team-2027-01-08.csv");
      const rows = parseCsv(csv);
      // Status and dates in columns of their own, so a spreadsheet can sort and filter on them.
      expect(rows[0]).toEqual([
        "Name",
        "Email",
        "Department",
        ...view.visibleItems.flatMap((i) => [`${i.title}: status`, `${i.title}: due`, `${i.title}: valid until`]),
      ]);
      expect(rows.slice(1)).toEqual(
        view.matching.map((r) => [
          r.person.name,
          r.person.email,
          r.person.departmentName ?? "",
          ...view.visibleItems.flatMap((i) => {
            const cell = r.cells[itemKey(i)];
            const dates = cellDates(cell);
            return [cellLabel(cell), dates.due, dates.validUntil];
          }),
        ]),
      );
      for (const row of rows.slice(1))
        for (const value of row.slice(3)) expect(value).not.toMatch(/\(due |\(until |\(expires /);
    }
    const exported = await database
      .db()
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "team.exported"), eq(auditEvents.actorId, boss.id)));
    expect(exported).toHaveLength(5);
    expect(exported[1].data).toEqual({ rows: 1, filters: { department: "engineering" } });
  });

  it("reads a team of 1,000 reports in seconds, set-based", async () => {
    const db = database.db();
    const boss = await createPerson(db, { roles: ["manager"] });
    const leads = await db
      .insert(people)
      .values(
        Array.from({ length: 10 }, (_, i) => ({
          email: `lead${i}-${boss.id}@test.example`,
          name: `Lead ${i}`,
          departmentId: "support",
          managerId: boss.id,
          roles: ["employee", "manager"],
        })),
      )
      .returning({ id: people.id });
    await db.insert(people).values(
      Array.from({ length: 990 }, (_, i) => ({
        email: `member${i}-${boss.id}@test.example`,
        name: `Member ${String(i).padStart(3, "0")}`,
        departmentId: "support",
        managerId: leads[i % 10].id,
      })),
    );
    const started = performance.now();
    const view = await teamMatrix(viewerOf(boss), filters({ sort: "overdue" }), t0);
    const firstRun = performance.now() - started;
    expect(view.teamSize).toBe(1000);
    expect(view.rows).toHaveLength(50);
    expect(view.pageCount).toBe(20);
    const again = performance.now();
    await teamMatrix(viewerOf(boss), filters({ page: "20" }), t0);
    // Generous bounds for a slow CI machine on PGlite; one query per person would be far slower.
    expect(firstRun).toBeLessThan(30_000);
    expect(performance.now() - again).toBeLessThan(10_000);
  }, 120_000);
});

describe("nudges", () => {
  const nudgeRows = (personId: string) =>
    database
      .db()
      .select({
        key: outbox.dedupeKey,
        kind: outbox.kind,
        to: outbox.toEmail,
        subject: outbox.subject,
        text: outbox.text,
        covers: outbox.covers,
        createdAt: outbox.createdAt,
      })
      .from(outbox)
      .where(and(eq(outbox.personId, personId), eq(outbox.kind, "nudge")));

  it("one nudge is one email listing every item; each item at most once a day, audited", async () => {
    const { boss, direct, v } = await organisation();
    await teamMatrix(v(boss), filters(), t0);
    const first = await nudgePerson(v(boss), context(boss.id), direct.id, t0);
    expect(first.emails).toBe(1);
    expect(first.items).toBeGreaterThanOrEqual(4);
    const rows = await nudgeRows(direct.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      to: direct.email,
      subject: `Reminder from Bea Boss: ${first.items} items to complete`,
    });
    expect(rows[0].covers).toHaveLength(first.items);
    expect(rows[0].covers).toContain(nudgeDedupeKey(direct.id, "incident-reporting", t0));
    expect(nudgeDedupeKey(direct.id, "incident-reporting", t0)).toBe(
      `nudge:${direct.id}:incident-reporting:2026-11-29`,
    );
    // The one email lists every item by title.
    const course = getCourse("incident-reporting")!;
    expect(rows[0].text).toContain(course.title);

    // Same day, a few hours later, thirty at once: nothing new, one email still.
    const again = await Promise.all(
      Array.from({ length: 30 }, () => nudgePerson(v(boss), context(boss.id), direct.id, later(0.4))),
    );
    expect(again.map((o) => o.emails)).toEqual(Array(30).fill(0));
    expect(again[0].alreadyNudged).toBe(first.items);
    expect(await nudgeRows(direct.id)).toHaveLength(1);

    const view = await teamMatrix(v(boss), filters(), later(0.5));
    expect(view.matching.find((r) => r.person.id === direct.id)!.lastNudgedAt).toEqual(t0);

    // The next day: one more email, listing the same items.
    const nextDay = await nudgePerson(v(boss), context(boss.id), direct.id, later(1));
    expect(nextDay).toMatchObject({ emails: 1, items: first.items });
    const all = await nudgeRows(direct.id);
    expect(all).toHaveLength(2);
    const covered = all.flatMap((r) => r.covers ?? []);
    expect(new Set(covered).size).toBe(first.items * 2);

    const audited = await database
      .db()
      .select({ actorId: auditEvents.actorId, data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "nudge.sent"), eq(auditEvents.targetId, direct.id)));
    expect(audited).toHaveLength(2);
    expect(audited[0]).toMatchObject({ actorId: boss.id, data: { day: "2026-11-29" } });
    expect((audited[0].data as { items: string[] }).items).toHaveLength(first.items);
    expect((await verifyAuditChain(database.db())).ok).toBe(true);
  });

  it("thirty first nudges at once for one person: exactly one email", async () => {
    const { boss, direct, v } = await organisation();
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, () => nudgePerson(v(boss), context(boss.id), direct.id, later(3))),
    );
    expect(outcomes.reduce((n, o) => n + o.emails, 0)).toBe(1);
    const rows = (await nudgeRows(direct.id)).filter((r) => r.key.includes(":2026-12-02:"));
    expect(rows).toHaveLength(1);
  });

  it("a skip-level manager on the same day only adds what was not nudged yet", async () => {
    const { boss, lead, indirect1, v } = await organisation();
    await teamMatrix(v(lead), filters(), t0);
    const byLead = await nudgePerson(v(lead), context(lead.id), indirect1.id, t0);
    const byBoss = await nudgePerson(v(boss), context(boss.id), indirect1.id, later(0.1));
    expect(byLead.emails).toBe(1);
    expect(byBoss).toMatchObject({ emails: 0, alreadyNudged: byLead.items });
  });

  it("only for the manager's own active reports", async () => {
    const { boss, other, stranger, gone, direct, v } = await organisation();
    await expect(nudgePerson(v(boss), context(boss.id), stranger.id, t0)).rejects.toThrow(NotFoundError);
    await expect(nudgePerson(v(boss), context(boss.id), gone.id, t0)).rejects.toThrow(NotFoundError);
    await expect(nudgePerson(v(other), context(other.id), direct.id, t0)).rejects.toThrow(NotFoundError);
    await expect(nudgePerson(v(direct), context(direct.id), direct.id, t0)).rejects.toThrow(ForbiddenError);
    expect(await nudgeRows(stranger.id)).toHaveLength(0);
    expect(await nudgeRows(direct.id)).toHaveLength(0);
  });

  it("nudges everyone overdue under the filters about their overdue items only", async () => {
    const { boss, direct, indirect1, indirect2, lead, v } = await organisation();
    await teamMatrix(v(boss), filters(), t0);
    const when = later(45);
    const outcome = await nudgeAllOverdue(
      v(boss),
      context(boss.id),
      filters({ q: "indirect", item: "course:incident-reporting" }),
      when,
    );
    expect(outcome).toEqual({ people: 2, emails: 2, items: 2, alreadyNudged: 0 });
    for (const p of [indirect1, indirect2])
      expect((await nudgeRows(p.id)).map((r) => r.covers)).toEqual([
        [nudgeDedupeKey(p.id, "incident-reporting", when)],
      ]);
    for (const p of [direct, lead]) expect(await nudgeRows(p.id)).toHaveLength(0);
    expect(
      await nudgeAllOverdue(
        v(boss),
        context(boss.id),
        filters({ q: "indirect", item: "course:incident-reporting" }),
        when,
      ),
    ).toEqual({ people: 0, emails: 0, items: 0, alreadyNudged: 2 });
  });
});

describe("person record", () => {
  async function certify(personId: string, courseId: string, issuedAt: Date, score: number) {
    const db = database.db();
    const course = getCourse(courseId)!;
    const [attempt] = await db
      .insert(quizAttempts)
      .values({
        personId,
        courseId,
        courseVersion: course.version,
        status: "submitted",
        drawn: [],
        questionCount: 10,
        correctCount: score / 10,
        scorePercent: score,
        passMark: 80,
        passed: score >= 80,
        startedAt: issuedAt,
        submittedAt: issuedAt,
      })
      .returning({ id: quizAttempts.id });
    if (score < 80) return null;
    const [cert] = await db
      .insert(certifications)
      .values({
        personId,
        courseId,
        courseVersion: course.version,
        attemptId: attempt.id,
        issuedAt,
        expiresAt: expiryFor(issuedAt, course.validityMonths),
        verificationCode:
          `T${attempt.id.slice(0, 3)}-${attempt.id.slice(4, 8)}-${attempt.id.slice(9, 13)}`.toUpperCase(),
      })
      .returning({ id: certifications.id });
    return cert.id;
  }

  it("is visible to the person's managers up the line, compliance admins, auditors and themself; not found for anyone else", async () => {
    const { boss, lead, indirect1, other, direct, v } = await organisation();
    const admin = await createPerson(database.db(), { roles: ["compliance_admin"] });
    const auditor = await createPerson(database.db(), { roles: ["auditor"] });
    for (const viewer of [boss, lead, admin, auditor, indirect1])
      expect(await personRecord(v(viewer), indirect1.id, t0), viewer.name).not.toBeNull();
    for (const viewer of [other, direct])
      expect(await personRecord(v(viewer), indirect1.id, t0), viewer.name).toBeNull();
    expect(await personRecord(v(admin), "00000000-0000-4000-8000-000000000000", t0)).toBeNull();
  });

  it("shows course status, certification history with certificates and quiz attempts with scores", async () => {
    const { lead, indirect1, v } = await organisation();
    await certify(indirect1.id, "data-protection-law", new Date("2025-11-01T10:00:00Z"), 60);
    const older = await certify(indirect1.id, "data-protection-law", new Date("2025-11-02T10:00:00Z"), 90);
    const newer = await certify(indirect1.id, "data-protection-law", new Date("2026-11-20T10:00:00Z"), 100);
    const record = (await personRecord(v(lead), indirect1.id, t0))!;
    expect(record.person).toMatchObject({
      name: "Ines Indirect",
      managerName: "Lee Lead",
      department: "Customer Support",
      status: "active",
    });
    expect(record.certifications.map((c) => [c.id, c.status])).toEqual([
      [newer, "current"],
      [older, "renewed"],
    ]);
    expect(record.attempts.map((a) => [a.scorePercent, a.passed])).toEqual([
      [100, true],
      [90, true],
      [60, false],
    ]);
    expect(record.showScores).toBe(true);
    const law = record.items.find((i) => i.item.id === "data-protection-law")!;
    expect(law.cell.status).toBe("current");
    expect(record.items.find((i) => i.item.id === "incident-reporting")!.cell.status).toBe("not_started");
    expect(record.items.some((i) => i.item.id === "third-party-sharing")).toBe(false);
    expect(record).toMatchObject({ signatures: [], grants: [], canNudge: true });
  });

  it("decides who sees scores in one place", async () => {
    const { boss, direct, v } = await organisation();
    const admin = v(await createPerson(database.db(), { roles: ["compliance_admin"] }));
    const auditor = v(await createPerson(database.db(), { roles: ["auditor"] }));
    const colleague = v(await createPerson(database.db()));
    expect(await canSeeScores(v(direct), direct.id)).toBe(true);
    expect(await canSeeScores(admin, direct.id)).toBe(true);
    expect(await canSeeScores(auditor, direct.id)).toBe(true);
    expect(await canSeeScores(v(boss), direct.id)).toBe(true);
    expect(await canSeeScores(colleague, direct.id)).toBe(false);
  });
});
