import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { MAX_BIND_PARAMETERS, rowsPerStatement } from "@/db/chunks";
import { outbox, passwordTokens, people } from "@/db/schema";
import { logDecisions } from "@/lib/access/decision-log";
import { detectAccessLapses } from "@/lib/access/lapses";
import { recordAuditBatch, type AuditEntry } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify";
import { insertRestoredRows, linkManagers } from "@/lib/backup/restore-rows";
import { queueWelcomes } from "@/lib/notify/welcome";
import { expireOpenLinks } from "@/lib/people/invitations";
import { queueReminders } from "@/lib/scheduler/reminders";
import { syncAssignments } from "@/lib/training/assignments";

import { rowsOf, withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const NOW = new Date("2026-11-29T10:00:00Z");

/** Inserts `n` active employees in one server-side statement (no parameters), for tests that need many people. */
async function manyPeople(n: number, prefix: string): Promise<string[]> {
  const result = await database.db().execute(sql`
    insert into people (email, name, roles, created_at, updated_at)
    select ${prefix} || g || '@bulk.example', 'Bulk ' || g, array['employee'], now(), now() from generate_series(1, ${n}::int) g
    returning id`);
  return rowsOf<{ id: string }>(result).map((r) => r.id);
}

/** Like manyPeople, with what a welcome needs of each. */
async function manyNewPeople(n: number, prefix: string) {
  const result = await database.db().execute(sql`
    insert into people (email, name, roles, created_at, updated_at)
    select ${prefix} || g || '@bulk.example', 'Bulk ' || g, array['employee'], now(), now() from generate_series(1, ${n}::int) g
    returning id, email, name`);
  return rowsOf<{ id: string; email: string; name: string }>(result).map((p) => ({
    ...p,
    departmentId: null,
    roles: ["employee"],
  }));
}

const count = async (query: ReturnType<typeof sql>) =>
  Number(rowsOf<{ n: number }>(await database.db().execute(query))[0].n);

describe("bulk writes stay under the bind-parameter limit", () => {
  it("sizes statements from the columns they bind", () => {
    expect(rowsPerStatement(5) * 5).toBeLessThanOrEqual(MAX_BIND_PARAMETERS);
    expect(rowsPerStatement(100, 10_000) * 100).toBeLessThanOrEqual(MAX_BIND_PARAMETERS);
    expect(rowsPerStatement(0)).toBeGreaterThan(0);
  });

  it("syncAssignments inserts more assignments than one statement may bind", async () => {
    const ids = await manyPeople(3_500, "sync");
    const inserted = await syncAssignments(database.db(), { personIds: ids, now: NOW });
    // 5 parameters per assignment: more than 13,107 rows would not fit one statement.
    expect(inserted * 5).toBeGreaterThan(MAX_BIND_PARAMETERS);
    expect(await count(sql`select count(*)::int as n from assignments`)).toBe(inserted);
    // Safe to run again: nothing new.
    expect(await syncAssignments(database.db(), { personIds: ids, now: NOW })).toBe(0);
  }, 120_000);

  it("the decision log stores a batch of 70,000 decisions", async () => {
    const rows = Array.from({ length: 70_000 }, (_, i) => ({
      at: NOW,
      clientId: null,
      personId: null,
      subject: `s${i}`,
      roleId: "support-pii",
      allow: i % 2 === 0,
      reasons: i % 2 ? ["no_grant"] : [],
    }));
    await logDecisions(database.db(), rows);
    expect(await count(sql`select count(*)::int as n from access_decisions where subject like 's%'`)).toBe(70_000);
  }, 120_000);

  it("invitations expire the open links of 70,000 people in one statement", async () => {
    const [person] = await manyPeople(1, "links");
    await database
      .db()
      .insert(passwordTokens)
      .values({
        personId: person,
        tokenHash: "bulk-token",
        purpose: "invitation",
        createdAt: NOW,
        expiresAt: new Date(NOW.getTime() + 86_400_000),
      });
    const others = Array.from({ length: 70_000 }, () => crypto.randomUUID());
    await expireOpenLinks(database.db(), [...others, person], NOW);
    expect(
      await count(
        sql`select count(*)::int as n from password_tokens where token_hash = 'bulk-token' and expires_at = ${NOW.toISOString()}::timestamptz`,
      ),
    ).toBe(1);
  }, 60_000);

  it("restore writes and links more people than one statement may bind", async () => {
    const n = 10_000;
    const boss = crypto.randomUUID();
    const rows = Array.from({ length: n }, (_, i) => ({
      id: i === 0 ? boss : crypto.randomUUID(),
      email: `restored${i}@bulk.example`,
      name: `Restored ${i}`,
      managerId: i === 0 ? null : boss,
      roles: ["employee"],
      createdAt: NOW,
      updatedAt: NOW,
    }));
    // Seven values bound per row: 70,000 parameters in all.
    expect(n * 7).toBeGreaterThan(MAX_BIND_PARAMETERS);
    await insertRestoredRows(
      database.db(),
      people,
      rows.map((r) => ({ ...r, managerId: null })),
    );
    await linkManagers(database.db(), rows);
    expect(await count(sql`select count(*)::int as n from people where email like 'restored%'`)).toBe(n);
    expect(await count(sql`select count(*)::int as n from people where manager_id = ${boss}::uuid`)).toBe(n - 1);
  }, 120_000);

  it("the audit log appends a batch of 6,000 events in one go, and the chain still verifies", async () => {
    const n = 6_000;
    // Twelve values bound per event: 72,000 parameters in all.
    expect(n * 12).toBeGreaterThan(MAX_BIND_PARAMETERS);
    const entries: AuditEntry[] = Array.from({ length: n }, (_, i) => ({
      action: "person.created",
      targetType: "person",
      targetId: crypto.randomUUID(),
      data: {
        email: `audit${i}@bulk.example`,
        name: `Audit ${i}`,
        departmentId: null,
        title: null,
        managerEmail: null,
        hireDate: null,
        roles: ["employee"],
        source: "import",
      },
    }));
    await database.db().transaction((tx) => recordAuditBatch(tx, { actorId: null, actorLabel: "bulk" }, entries, NOW));
    expect(await count(sql`select count(*)::int as n from audit_events where actor_label = 'bulk'`)).toBe(n);
    expect(await verifyAuditChain(database.db())).toMatchObject({ ok: true });
  }, 120_000);

  it("welcomes 7,000 new people, one message each", async () => {
    const persons = await manyNewPeople(7_000, "welcome");
    // Ten values bound per message: 70,000 parameters in all.
    expect(persons.length * 10).toBeGreaterThan(MAX_BIND_PARAMETERS);
    expect(await queueWelcomes(database.db(), persons, null, NOW)).toBe(7_000);
    expect(
      await count(
        sql`select count(distinct person_id)::int as n from outbox where kind = 'welcome' and to_email like 'welcome%'`,
      ),
    ).toBe(7_000);
  }, 180_000);

  it("reminders look up the keys of 70,000 overdue assignments, a few thousand at a time", async () => {
    const ids = await manyPeople(70_000, "remind");
    await database.db().execute(sql`
      insert into assignments (person_id, course_id, assigned_at, due_at, source)
      select id, 'data-protection-law', ${NOW.toISOString()}::timestamptz - interval '40 days', ${NOW.toISOString()}::timestamptz - interval '10 days', 'rule'
        from people where email like 'remind%'`);
    expect(
      await count(
        sql`select count(*)::int as n from assignments a join people p on p.id = a.person_id where p.email like 'remind%'`,
      ),
    ).toBe(ids.length);
    const before = new Set((await database.db().select({ id: outbox.id }).from(outbox)).map((r) => r.id));
    await queueReminders(database.db(), NOW, { maxNew: 5 });
    // Five messages, each gathering what one person was reminded of (people from the tests above may be among them).
    const queued = (await database.db().select({ id: outbox.id, personId: outbox.personId }).from(outbox)).filter(
      (r) => !before.has(r.id),
    );
    expect(queued).toHaveLength(5);
    expect(new Set(queued.map((r) => r.personId)).size).toBe(5);
  }, 240_000);

  it("lapse detection checks 70,000 grants and records as many lapses as a run allows", async () => {
    await manyPeople(70_000, "lapse");
    await database.db().execute(sql`
      insert into access_grants (person_id, role_id, status, justification, requested_at, decided_at)
      select id, 'customer-pii-read', 'approved', 'bulk', ${NOW.toISOString()}::timestamptz - interval '2 days', ${NOW.toISOString()}::timestamptz - interval '1 day'
        from people where email like 'lapse%'`);
    const report = await detectAccessLapses(database.db(), NOW, { maxLapses: 3 });
    expect(report).toMatchObject({ checked: 70_000, lapsed: 3, errors: 0 });
  }, 240_000);
});
