import "server-only";

import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { selectRows } from "@/db/rows";

/**
 * Background jobs kept in a table: status, claim_token, heartbeat_at,
 * attempts, started_at, created_at. A runner claims the oldest job waiting —
 * never claimed, or whose runner stopped sending heartbeats — with one
 * statement: FOR UPDATE SKIP LOCKED, and the condition re-checked by the
 * update, make runners racing for one job end with one owner.
 */
export async function claimJob<T extends { id: string; claim_token: string; attempts: number }>(
  db: Executor,
  job: { table: string; waiting: readonly string[]; running: string; staleAfterMs: number; returning: string },
  now: Date,
): Promise<T | null> {
  const stale = new Date(now.getTime() - job.staleAfterMs).toISOString();
  const table = sql.identifier(job.table);
  const waiting = sql.join(
    job.waiting.map((s) => sql`${s}`),
    sql`, `,
  );
  const [row] = await selectRows<T>(
    db,
    sql`update ${table} set claim_token = ${randomUUID()}, heartbeat_at = ${now.toISOString()}::timestamptz,
               attempts = attempts + 1, started_at = ${now.toISOString()}::timestamptz, status = ${job.running}
         where id = (select id from ${table}
                      where status in (${waiting})
                        and (heartbeat_at is null or heartbeat_at < ${stale}::timestamptz)
                      order by created_at limit 1 for update skip locked)
     returning ${sql.raw(job.returning)}`,
  );
  return row ?? null;
}

/** Calls `beat` every `everyMs` until stopped; a failed beat is ignored (the next one tries again). */
export function keepBeating(beat: () => Promise<unknown>, everyMs: number): () => void {
  const timer = setInterval(() => void beat().catch(() => undefined), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
