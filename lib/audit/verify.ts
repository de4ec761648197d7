import "server-only";
import { asc, gt } from "drizzle-orm";
import { auditEvents } from "@/db/schema";
import type { Executor } from "@/db/client";
import { eventHash, GENESIS_HASH } from "./canonical";

export type ChainVerdict =
  | { ok: true; count: number }
  | { ok: false; count: number; brokenId: number; reason: "hash_mismatch" | "link_mismatch" };

/** Recomputes every hash in id order and names the first event that does not fit. */
export async function verifyAuditChain(db: Executor, batchSize = 2000): Promise<ChainVerdict> {
  let previous = GENESIS_HASH;
  let lastId = 0;
  let count = 0;
  for (;;) {
    const rows = await db.select().from(auditEvents).where(gt(auditEvents.id, lastId)).orderBy(asc(auditEvents.id)).limit(batchSize);
    if (rows.length === 0) return { ok: true, count };
    for (const row of rows) {
      if (row.prevHash !== previous) return { ok: false, count, brokenId: row.id, reason: "link_mismatch" };
      const expected = eventHash({
        at: row.at,
        actorId: row.actorId,
        actorLabel: row.actorLabel,
        action: row.action,
        targetType: row.targetType,
        targetId: row.targetId,
        ip: row.ip,
        userAgent: row.userAgent,
        data: row.data,
        prevHash: row.prevHash,
      });
      if (expected !== row.hash) return { ok: false, count, brokenId: row.id, reason: "hash_mismatch" };
      previous = row.hash;
      lastId = row.id;
      count += 1;
    }
  }
}
