import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import {
  accessDecisions,
  auditEvents,
  certifications,
  digestItems,
  loginAttempts,
  outbox,
  people,
  quizAttempts,
  sessions,
  xapiStatements,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify";
import { applyRetention, cutoff } from "@/lib/privacy/retention";

import { context, createPerson, reload } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const now = new Date("2026-11-29T12:00:00Z");
const yearsAgo = (y: number, extraDays = 0) => new Date(now.getTime() - (y * 365.25 + extraDays) * 86_400_000);

describe("retention", () => {
  it("computes cut-offs from ISO durations", () => {
    expect(cutoff(now, "P3Y").toISOString()).toBe("2023-11-29T12:00:00.000Z");
    expect(cutoff(now, "P90D").toISOString()).toBe("2026-08-31T12:00:00.000Z");
  });

  it("purges exactly what the policy says, keeps what is held, and the audit chain still verifies", async () => {
    const db = database.db();
    const person = await createPerson(db, { name: "Keeps History" });
    const departedLongAgo = await createPerson(db, { name: "Long Gone", status: "departed" });
    await db
      .update(people)
      .set({ departedAt: yearsAgo(1, 5) })
      .where(eq(people.id, departedLongAgo.id));
    const departedRecently = await createPerson(db, { name: "Just Left", status: "departed" });
    await db
      .update(people)
      .set({ departedAt: yearsAgo(0, 30) })
      .where(eq(people.id, departedRecently.id));
    await recordAudit(db, context(person.id), { action: "auth.signed_out" }, yearsAgo(2));

    const attempt = (startedAt: Date) => ({
      personId: person.id,
      courseId: "incident-reporting",
      courseVersion: "1.0.0",
      status: "submitted" as const,
      drawn: [],
      questionCount: 10,
      passMark: 80,
      passed: false,
      startedAt,
      submittedAt: startedAt,
    });
    const [oldAttempt, oldPassed, recentAttempt] = await db
      .insert(quizAttempts)
      .values([attempt(yearsAgo(3, 10)), { ...attempt(yearsAgo(3, 10)), passed: true }, attempt(yearsAgo(1))])
      .returning({ id: quizAttempts.id });
    await db.insert(certifications).values({
      personId: person.id,
      courseId: "incident-reporting",
      courseVersion: "1.0.0",
      attemptId: oldPassed.id,
      issuedAt: yearsAgo(3, 10),
      expiresAt: yearsAgo(2, 10),
      verificationCode: "RETN-TION-0001",
    });
    await db.insert(accessDecisions).values([
      { at: yearsAgo(1, 1), subject: "x", roleId: "customer-pii-read", allow: false, reasons: [] },
      { at: yearsAgo(0, 300), subject: "y", roleId: "customer-pii-read", allow: true, reasons: [] },
    ]);
    await db.insert(loginAttempts).values([
      { email: "a@x", ip: "1.1.1.1", outcome: "failure", at: new Date(now.getTime() - 91 * 86_400_000) },
      { email: "a@x", ip: "1.1.1.1", outcome: "failure", at: new Date(now.getTime() - 89 * 86_400_000) },
    ]);
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    const session = (stamp: string, createdAt: Date, expiresAt: Date, revokedAt: Date | null = null) => ({
      personId: person.id,
      stamp,
      method: "password",
      ip: "1.1.1.1",
      userAgent: "x",
      createdAt,
      lastSeenAt: createdAt,
      expiresAt,
      revokedAt,
    });
    await db
      .insert(sessions)
      .values([
        session("expired-long-ago", daysAgo(100), daysAgo(99)),
        session("signed-out-long-ago", daysAgo(95), daysAgo(80), daysAgo(94)),
        session("ended-recently", daysAgo(10), daysAgo(9)),
        session("live", daysAgo(0), new Date(now.getTime() + 3_600_000)),
      ]);
    await db.insert(outbox).values([
      {
        kind: "nudge",
        dedupeKey: "old-sent",
        toEmail: "a@x.example",
        subject: "s",
        html: "<p>old</p>",
        text: "old",
        status: "sent",
        createdAt: new Date(now.getTime() - 100 * 86_400_000),
      },
      {
        kind: "nudge",
        dedupeKey: "old-queued",
        toEmail: "a@x.example",
        subject: "s",
        html: "<p>q</p>",
        text: "q",
        status: "queued",
        createdAt: new Date(now.getTime() - 100 * 86_400_000),
      },
      {
        kind: "nudge",
        dedupeKey: "new-sent",
        toEmail: "a@x.example",
        subject: "s",
        html: "<p>new</p>",
        text: "new",
        status: "sent",
        createdAt: new Date(now.getTime() - 10 * 86_400_000),
      },
    ]);
    // Items a digest listed: sent and dropped ones lose their content after the same period; waiting ones keep it.
    const item = { title: "Course", kind: "course", status: "due", date: null, path: "/courses/x" };
    const reason = { assignmentId: "a" };
    await db.insert(digestItems).values([
      { personId: person.id, key: "d-old-sent", item, reason, createdAt: daysAgo(100), digestKey: "digest-1" },
      { personId: person.id, key: "d-old-dropped", item, reason, createdAt: daysAgo(100), droppedAt: daysAgo(99) },
      { personId: person.id, key: "d-old-waiting", item, reason, createdAt: daysAgo(100) },
      { personId: person.id, key: "d-new-sent", item, reason, createdAt: daysAgo(10), digestKey: "digest-2" },
    ]);

    // xAPI statements sent to the learning record store: the body goes after the same period, the id stays.
    const statement = { verb: { id: "http://adlnet.gov/expapi/verbs/completed" } };
    const xapi = (id: string, status: "sent" | "queued", age: number) => ({
      id,
      verb: "completed",
      statement,
      status,
      nextAttemptAt: daysAgo(age),
      createdAt: daysAgo(age),
    });
    await db
      .insert(xapiStatements)
      .values([
        xapi("00000000-0000-5000-8000-000000000001", "sent", 100),
        xapi("00000000-0000-5000-8000-000000000002", "queued", 100),
        xapi("00000000-0000-5000-8000-000000000003", "sent", 10),
      ]);

    const report = await applyRetention(db, now);
    expect(report).toMatchObject({
      "quiz-attempts": 1,
      "access-decisions": 1,
      "login-attempts": 3,
      "outbox-bodies": 4,
      "departed-people": 1,
    });
    const items = await db.select({ key: digestItems.key, item: digestItems.item }).from(digestItems);
    expect(Object.fromEntries(items.map((i) => [i.key, i.item]))).toEqual({
      "d-old-sent": {},
      "d-old-dropped": {},
      "d-old-waiting": item,
      "d-new-sent": item,
    });

    const statements = await db.select().from(xapiStatements).orderBy(xapiStatements.id);
    expect(statements.map((r) => r.statement)).toEqual([{}, statement, statement]);

    const kept = (await db.select({ stamp: sessions.stamp }).from(sessions).where(eq(sessions.personId, person.id)))
      .map((r) => r.stamp)
      .sort();
    expect(kept).toEqual(["ended-recently", "live"]);
    const attempts = (await db.select({ id: quizAttempts.id }).from(quizAttempts)).map((r) => r.id);
    expect(attempts).not.toContain(oldAttempt.id);
    expect(attempts).toEqual(expect.arrayContaining([oldPassed.id, recentAttempt.id]));
    expect(await db.select().from(certifications)).toHaveLength(1);
    const bodies = await db.select({ key: outbox.dedupeKey, text: outbox.text }).from(outbox);
    expect(Object.fromEntries(bodies.map((b) => [b.key, b.text]))).toEqual({
      "old-sent": null,
      "old-queued": "q",
      "new-sent": "new",
    });
    const gone = await reload(db, departedLongAgo.id);
    expect(gone.name).toBe(`Former employee ${departedLongAgo.id.slice(0, 8)}`);
    expect(gone.email).toMatch(/@anonymised\.invalid$/);
    expect(gone.passwordHash).toBeNull();
    expect((await reload(db, departedRecently.id)).name).toBe("Just Left");

    const purgeEvents = await db
      .select({ targetId: auditEvents.targetId, data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.action, "retention.purged"));
    expect(purgeEvents.map((e) => e.targetId).sort()).toEqual([
      "access-decisions",
      "departed-people",
      "login-attempts",
      "outbox-bodies",
      "quiz-attempts",
    ]);
    expect((await verifyAuditChain(db)).ok).toBe(true);

    expect(await applyRetention(db, now)).toMatchObject({
      "quiz-attempts": 0,
      "access-decisions": 0,
      "departed-people": 0,
    });
  });
});
