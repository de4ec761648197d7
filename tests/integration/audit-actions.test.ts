import { desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents } from "@/db/schema";
import { keyedEventHash } from "@/lib/audit/canonical";
import { auditChainKeys } from "@/lib/audit/chain-key";
import { listAuditEvents } from "@/lib/audit/list-events";
import { InvalidAuditEntryError, recordAudit, type AuditEntry } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();

const eventCount = async () => (await database.db().select({ id: auditEvents.id }).from(auditEvents)).length;

/** An event as an older version of the code might have stored it, appended to the chain with SQL. */
async function appendStored(action: string, data: Record<string, unknown>) {
  const db = database.db();
  const [last] = await db.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.id)).limit(1);
  const { current } = auditChainKeys();
  const fields = {
    at: new Date(),
    actorId: null,
    actorLabel: "system",
    action,
    targetType: null,
    targetId: null,
    ip: null,
    userAgent: null,
    data,
    prevHash: last.hash,
  };
  await db
    .insert(auditEvents)
    .values({ ...fields, keyId: current.id, hash: keyedEventHash(fields, current.id, current.key) });
}

describe("audit actions", () => {
  it("refuses an entry outside the catalogue before anything is written, in a transaction or not", async () => {
    const db = database.db();
    await recordAudit(db, context(), { action: "auth.signed_out" });
    const before = await eventCount();
    const wrong = [
      { action: "auth.signed_outt" },
      { action: "certificate.downloaded", data: { holder: 42 } },
      { action: "certificate.downloaded", data: { holder: "p-1", extra: true } },
      { action: "nudge.sent" },
    ] as unknown as AuditEntry[];
    for (const entry of wrong) {
      await expect(recordAudit(db, context(), entry)).rejects.toThrow(InvalidAuditEntryError);
      await expect(db.transaction((tx) => recordAudit(tx, context(), entry))).rejects.toThrow(InvalidAuditEntryError);
    }
    expect(await eventCount()).toBe(before);
    expect(await verifyAuditChain(db)).toEqual({ ok: true, count: before });
  });

  it("stores the data exactly as given, so its hash is over what the caller wrote", async () => {
    const db = database.db();
    const data = { personId: "p-1", roleId: "support-pii", endsAt: null };
    await recordAudit(db, context(), { action: "access.granted", targetType: "access_grant", targetId: "g-1", data });
    const [stored] = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.action, "access.granted"));
    expect(stored.data).toEqual(data);
  });

  it("shows stored rows whatever their data, with labels from the catalogue, filtered by action or category", async () => {
    const db = database.db();
    const auditor = viewerOf(await createPerson(db, { roles: ["auditor"] }));
    // A row written before `method` was recorded, and one of an action the catalogue does not know.
    await appendStored("auth.sign_in_failed", {});
    await appendStored("legacy.event", { i: 1 });
    await recordAudit(db, context(), { action: "auth.signed_out_everywhere", data: { sessions: 2 } });
    expect((await verifyAuditChain(db)).ok).toBe(true);

    const { rows } = await listAuditEvents(auditor, {});
    expect(rows.slice(0, 3)).toMatchObject([
      { action: "auth.signed_out_everywhere", label: "Signed out everywhere", category: "auth", data: { sessions: 2 } },
      { action: "legacy.event", label: "legacy.event", category: null, categoryLabel: "Other", data: { i: 1 } },
      { action: "auth.sign_in_failed", label: "Sign-in failed", categoryLabel: "Sign-in and security", data: {} },
    ]);

    const actions = async (options: Parameters<typeof listAuditEvents>[1]) =>
      (await listAuditEvents(auditor, options)).rows.map((r) => r.action);
    // One action exactly: "Signed out" is not "Signed out everywhere".
    expect(await actions({ action: "auth.signed_out" })).toEqual(["auth.signed_out"]);
    // A prefix, as older links have it.
    expect(await actions({ action: "auth.signed" })).toEqual(["auth.signed_out_everywhere", "auth.signed_out"]);
    expect(await actions({ action: "legacy." })).toEqual(["legacy.event"]);
    expect(new Set(await actions({ category: "auth" }))).toEqual(
      new Set(["auth.signed_out_everywhere", "auth.sign_in_failed", "auth.signed_out"]),
    );
    expect(await actions({ category: "access" })).toEqual(["access.granted"]);
  });
});
