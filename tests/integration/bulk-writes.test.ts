import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { MAX_BIND_PARAMETERS, rowsPerStatement } from "@/db/chunks";
import { passwordTokens, people } from "@/db/schema";
import { logDecisions } from "@/lib/access/decision-log";
import { insertRestoredRows, linkManagers } from "@/lib/backup/restore-rows";
import { expireOpenLinks } from "@/lib/people/invitations";
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
});
