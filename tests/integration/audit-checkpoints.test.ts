import { asc, sql } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { auditCheckpoints, auditEvents } from "@/db/schema";
import { eventHash, GENESIS_HASH } from "@/lib/audit/canonical";
import { auditChainKeys } from "@/lib/audit/chain-key";
import { openCheckpoint } from "@/lib/audit/checkpoint-file";
import { createAuditCheckpoint, ensureHourlyCheckpoint, trustedCertificates } from "@/lib/audit/checkpoints";
import { checkAuditIntegrity, latestCheckpoint } from "@/lib/audit/integrity";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify";
import { resetEnvForTests } from "@/lib/env";
import { HOUR } from "@/lib/time";

import { context } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const originalKey = process.env.AUDIT_CHAIN_KEY!;

function useChainKeys(current: string, old: string[] = []) {
  process.env.AUDIT_CHAIN_KEY = current;
  process.env.AUDIT_CHAIN_OLD_KEYS = old.join(",");
  resetEnvForTests();
}

afterAll(() => useChainKeys(originalKey));

beforeEach(async () => {
  useChainKeys(originalKey);
  await database.db().execute(sql`truncate audit_events, audit_checkpoints restart identity`);
});

const record = (n: number) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      database
        .db()
        .transaction((tx) =>
          recordAudit(tx, context(), { action: "auth.signed_out_everywhere", data: { sessions: i } }),
        ),
    ),
  );

/** Events as the log held them before the chain was keyed: plain SHA-256, no key id. */
async function legacyEvents(n: number) {
  let previous = GENESIS_HASH;
  for (let i = 0; i < n; i++) {
    const fields = {
      at: new Date(Date.UTC(2025, 0, 1, 9, i)),
      actorId: null,
      actorLabel: "system",
      action: "legacy.event",
      targetType: null,
      targetId: null,
      ip: null,
      userAgent: null,
      data: { i },
      prevHash: previous,
    };
    const hash = eventHash(fields);
    await database
      .db()
      .insert(auditEvents)
      .values({ ...fields, hash });
    previous = hash;
  }
}

const integrity = async (full: boolean) =>
  checkAuditIntegrity(database.db(), { full, checkpoint: await latestCheckpoint(database.db()) });

describe("audit checkpoints", () => {
  it("writes one scheduled checkpoint per hour however many workers try at once", async () => {
    await record(3);
    const now = new Date("2026-05-04T10:15:00Z");
    const results = await Promise.all(Array.from({ length: 30 }, () => ensureHourlyCheckpoint(database.db(), now)));
    expect(results.filter((r) => r.created !== null)).toHaveLength(1);
    expect(await ensureHourlyCheckpoint(database.db(), new Date("2026-05-04T10:59:59Z"))).toEqual({ created: null });
    expect((await ensureHourlyCheckpoint(database.db(), new Date("2026-05-04T11:00:00Z"))).created).toBe(2);
    const rows = await database
      .db()
      .select({ slot: auditCheckpoints.slot, headId: auditCheckpoints.headId, eventCount: auditCheckpoints.eventCount })
      .from(auditCheckpoints)
      .orderBy(asc(auditCheckpoints.id));
    expect(rows).toEqual([
      { slot: "2026-05-04T10", headId: 3, eventCount: 3 },
      { slot: "2026-05-04T11", headId: 3, eventCount: 3 },
    ]);
    expect(await integrity(true)).toMatchObject({ ok: true, scope: "full", events: 3, problems: [] });
  });

  it("records a person's request in the log it then signs, and files verify without the database", async () => {
    await record(2);
    const checkpoint = await createAuditCheckpoint(database.db(), { trigger: "manual", requestedBy: context() });
    expect(checkpoint).toMatchObject({ id: 1, trigger: "manual", headId: 3, eventCount: 3 });
    const [request] = await database
      .db()
      .select()
      .from(auditEvents)
      .where(sql`id = 3`);
    expect(request.action).toBe("audit.checkpoint_requested");
    const [{ document }] = await database.db().select({ document: auditCheckpoints.document }).from(auditCheckpoints);
    expect(openCheckpoint(document, trustedCertificates())).toMatchObject({
      ok: true,
      statement: {
        headId: 3,
        headHash: request.hash,
        eventCount: 3,
        trigger: "manual",
        organisation: "Brightline Support",
      },
    });
    await record(2);
    expect(await integrity(false)).toMatchObject({ ok: true, scope: "since_checkpoint", events: 5 });
  });

  it("keeps unkeyed events from before the chain was keyed verifying, and covers them with the first checkpoint", async () => {
    await legacyEvents(4);
    expect(await verifyAuditChain(database.db())).toEqual({ ok: true, count: 4 });
    // Until a checkpoint covers them, a full check says they are not anchored.
    expect((await integrity(true)).problems).toEqual([
      "Events up to #4 carry no chain key and no signed checkpoint covers them, so anyone with database access could have rewritten them.",
    ]);

    // The first checkpoint over an unkeyed head adds a keyed event first, so what follows must be keyed.
    expect((await ensureHourlyCheckpoint(database.db())).created).toBe(1);
    const events = await database
      .db()
      .select({ id: auditEvents.id, action: auditEvents.action, keyId: auditEvents.keyId })
      .from(auditEvents)
      .orderBy(asc(auditEvents.id));
    expect(events.at(-1)).toEqual({ id: 5, action: "audit.chain_keyed", keyId: auditChainKeys().current.id });
    await record(2);
    expect(await integrity(true)).toMatchObject({
      ok: true,
      events: 7,
      checkpoint: { id: 1, headId: 5, eventCount: 5 },
    });
  });

  it("signs an empty log after giving it a keyed first event", async () => {
    const checkpoint = await createAuditCheckpoint(database.db(), {
      trigger: "scheduled",
      now: new Date(Date.now() + HOUR),
    });
    expect(checkpoint).toMatchObject({ headId: 1, eventCount: 1 });
    expect(await integrity(true)).toMatchObject({ ok: true, events: 1 });
  });

  it("verifies across a change of chain key while the old key is listed, and names the key id once it is not", async () => {
    await record(3);
    await ensureHourlyCheckpoint(database.db());
    const oldId = auditChainKeys().current.id;
    const newKey = Buffer.alloc(32, 11).toString("base64");
    useChainKeys(newKey, [originalKey]);
    await record(2);
    const keyIds = await database.db().selectDistinct({ keyId: auditEvents.keyId }).from(auditEvents);
    expect(keyIds.map((k) => k.keyId).sort()).toEqual([oldId, auditChainKeys().current.id].sort());
    expect(await verifyAuditChain(database.db())).toEqual({ ok: true, count: 5 });
    expect(
      (await createAuditCheckpoint(database.db(), { trigger: "manual", requestedBy: context() }))?.eventCount,
    ).toBe(6);

    useChainKeys(newKey);
    expect(await verifyAuditChain(database.db())).toMatchObject({
      ok: false,
      brokenId: 1,
      reason: "unknown_key",
      keyId: oldId,
    });
    expect((await integrity(true)).problems.join("\n")).toContain(
      `sealed with chain key ${oldId}, which is not configured`,
    );
  });
});
