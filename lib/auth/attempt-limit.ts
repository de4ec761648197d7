import "server-only";

import { eq, sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { selectRows } from "@/db/rows";
import { attemptCounters } from "@/db/schema";

export type AttemptLimit = { key: string; limit: number; windowMs: number; lockMs: number };

export type AttemptTaken = { ok: true; count: number } | { ok: false; retryAt: Date };

/**
 * Takes one try from `limit` before the slow check runs, in one statement.
 * The try counts as a failure until `settleAttempt` says otherwise, so tries
 * sent at the same moment each take their own slot and at most `limit` of
 * them are ever checked. A window starts at its first try and lasts
 * `windowMs`; the try that reaches the limit pauses the key for `lockMs`.
 */
export async function takeAttempt(db: Executor, rule: AttemptLimit, now: Date): Promise<AttemptTaken> {
  const at = now.toISOString();
  const windowOpenedAfter = new Date(now.getTime() - rule.windowMs).toISOString();
  const lockEnds = new Date(now.getTime() + rule.lockMs).toISOString();
  // A stored window that began at or before `windowOpenedAfter` has run out: this try opens a new one.
  const taken = await selectRows<{ count: number }>(
    db,
    sql`
      insert into attempt_counters as c (key, count, window_start, locked_until)
      values (${rule.key}, 1, ${at}::timestamptz, case when 1 >= ${rule.limit}::int then ${lockEnds}::timestamptz end)
      on conflict (key) do update set
        count = case when c.window_start <= ${windowOpenedAfter}::timestamptz then 1 else c.count + 1 end,
        window_start = case when c.window_start <= ${windowOpenedAfter}::timestamptz then ${at}::timestamptz else c.window_start end,
        locked_until = case
          when (case when c.window_start <= ${windowOpenedAfter}::timestamptz then 1 else c.count + 1 end) >= ${rule.limit}::int
          then ${lockEnds}::timestamptz end
      where (c.locked_until is null or c.locked_until <= ${at}::timestamptz)
        and (c.window_start <= ${windowOpenedAfter}::timestamptz or c.count < ${rule.limit}::int)
      returning c.count`,
  );
  if (taken.length === 1) return { ok: true, count: Number(taken[0].count) };
  const [row] = await db
    .select({ windowStart: attemptCounters.windowStart, lockedUntil: attemptCounters.lockedUntil })
    .from(attemptCounters)
    .where(eq(attemptCounters.key, rule.key));
  const retryAt = row?.lockedUntil ?? new Date((row?.windowStart ?? now).getTime() + rule.windowMs);
  return { ok: false, retryAt: retryAt.getTime() > now.getTime() ? retryAt : new Date(now.getTime() + 1000) };
}

/**
 * What a taken try turned out to be. "failure" leaves it counted; "reset"
 * clears the key (a success on an account); "release" gives the try back (a
 * success from an IP, or a step that was not a guess) and lifts a pause the
 * try itself had set.
 */
export async function settleAttempt(
  db: Executor,
  rule: AttemptLimit,
  outcome: "failure" | "reset" | "release",
): Promise<void> {
  if (outcome === "failure") return;
  if (outcome === "reset") {
    await db.delete(attemptCounters).where(eq(attemptCounters.key, rule.key));
    return;
  }
  await db
    .update(attemptCounters)
    .set({
      count: sql`greatest(${attemptCounters.count} - 1, 0)`,
      lockedUntil: sql`case when ${attemptCounters.count} - 1 < ${rule.limit}::int then null else ${attemptCounters.lockedUntil} end`,
    })
    .where(eq(attemptCounters.key, rule.key));
}
