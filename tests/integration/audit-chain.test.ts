import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify";

import { context } from "../helpers/factories";
import { rowsOf, withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();

describe("audit chain", () => {
  it("migrations applied: every table exists and is empty", async () => {
    const db = database.db();
    const tables = await db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    const names = rowsOf<{ table_name: string }>(tables).map((r) => r.table_name);
    expect(names).toEqual(
      expect.arrayContaining(["audit_events", "departments", "login_attempts", "people", "recovery_codes"]),
    );
  });

  it("stays linear with 50 concurrent writers", async () => {
    const db = database.db();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        db.transaction(async (tx) => {
          await recordAudit(tx, context(), { action: "auth.signed_out_everywhere", data: { sessions: i } });
        }),
      ),
    );
    const rows = await db
      .select({ id: auditEvents.id, prevHash: auditEvents.prevHash, hash: auditEvents.hash })
      .from(auditEvents)
      .orderBy(auditEvents.id);
    expect(rows.length).toBe(50);
    // Linear: every event points at the one before it, and no two share a predecessor.
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(rows.length);
    for (let i = 1; i < rows.length; i++) expect(rows[i].prevHash).toBe(rows[i - 1].hash);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, count: 50 });
  });

  it("rolls back the event with the change it describes", async () => {
    const db = database.db();
    const before = (await verifyAuditChain(db)).count;
    await expect(
      db.transaction(async (tx) => {
        await recordAudit(tx, context(), { action: "auth.signed_out" });
        throw new Error("change failed");
      }),
    ).rejects.toThrow("change failed");
    expect(await verifyAuditChain(db)).toEqual({ ok: true, count: before });
  });

  it("names the first event edited directly in SQL", async () => {
    const db = database.db();
    const [target] = await db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .orderBy(auditEvents.id)
      .offset(20)
      .limit(1);
    await db.execute(sql`update audit_events set data = '{"i": 999}'::jsonb where id = ${target.id}`);
    const verdict = await verifyAuditChain(db);
    expect(verdict).toMatchObject({ ok: false, brokenId: target.id, reason: "hash_mismatch", count: 20 });
  });

  it("notices a deleted event", async () => {
    const db = database.db();
    await db.execute(sql`delete from audit_events where data->>'i' = '999'`);
    const [second] = await db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .orderBy(auditEvents.id)
      .offset(20)
      .limit(1);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenId: second.id, reason: "link_mismatch" });
  });
});
