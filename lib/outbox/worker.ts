import "server-only";

import { and, asc, eq, getTableName, inArray, lte, sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

import { getDb, type Db } from "@/db/client";
import { metrics } from "@/lib/metrics";
import { HOUR, MINUTE } from "@/lib/time";

import type { ClaimedRow, OutboxChannel, OutboxQueue, SendOutcome } from "./channel";

/** Wait after the 1st, 2nd, … failed attempt; the 6th failure marks the message failed. */
export const RETRY_DELAYS_MS = [MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 12 * HOUR];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** A message `sending` for longer than this belongs to a worker that died. */
export const STUCK_AFTER_MS = 10 * MINUTE;

export type DeliveryCounts = { sent: number; retried: number; failed: number };

/**
 * Sends a channel's messages that are due. Safe to run from several
 * processes at once: rows are claimed with FOR UPDATE SKIP LOCKED and marked
 * `sending` before anything is sent, so each message goes to one worker only.
 * While a row is `sending`, `next_attempt_at` holds the time it was claimed.
 * A failed send only reschedules its own message, on the backoff schedule,
 * until the last attempt marks it failed.
 */
export async function deliverDue<Row extends ClaimedRow>(
  channel: OutboxChannel<Row>,
  options: { now?: Date; batchSize?: number; db?: Db } = {},
): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { sent: 0, retried: 0, failed: 0 };
  if (!(await channel.canSend())) return counts;
  const clock = () => options.now ?? new Date();
  const db = options.db ?? (await getDb());
  const { queue } = channel;
  const table = queue.table;
  const queueLabel = QUEUE_LABELS[getTableName(table)] ?? getTableName(table);

  await recoverStuck(db, queue, clock());
  const claimed = await db.transaction(async (tx) => {
    const now = clock();
    const fields: Record<string, PgColumn> = channel.fields;
    const rows = (await tx
      .select(fields)
      .from(table)
      .where(and(eq(table.status, queue.waiting), lte(table.nextAttemptAt, now)))
      .orderBy(asc(queue.order))
      .limit(Math.max(1, options.batchSize ?? 50))
      .for("update", { skipLocked: true })) as unknown as Row[];
    if (rows.length > 0) {
      await tx
        .update(table)
        .set({ status: "sending", nextAttemptAt: now })
        .where(
          inArray(
            table.id,
            rows.map((r) => r.id),
          ),
        );
    }
    return rows;
  });
  if (claimed.length === 0) return counts;

  const batch = await channel.open(claimed, db);
  const deliverOne = async (row: Row) => {
    // Renew the claim just before sending. Recovery bumps `attempts`, so a changed count
    // means this row was given back to the queue (and perhaps to another worker).
    const ours = and(eq(table.id, row.id), eq(table.status, "sending"), eq(table.attempts, row.attempts));
    const [stillOurs] = await db.update(table).set({ nextAttemptAt: clock() }).where(ours).returning({ id: table.id });
    if (!stillOurs) return;
    const outcome = await batch.send(row);
    // Recorded after the send returns: a database error after a successful send must not count as a failed one.
    const { values, counted } = afterSend(queue, row, outcome, clock());
    await db.update(table).set(values).where(ours);
    counts[counted]++;
    if (counted !== "sent") metrics().outboxFailures.inc({ queue: queueLabel, outcome: counted });
  };
  try {
    const pending = [...claimed];
    await Promise.all(
      Array.from({ length: Math.min(channel.concurrency, pending.length) }, async () => {
        for (let row = pending.shift(); row; row = pending.shift()) await deliverOne(row);
      }),
    );
  } finally {
    batch.close();
  }
  return counts;
}

/** Each queue table's name in outbox_failures_total and outbox_queue_depth. */
const QUEUE_LABELS: Record<string, string> = {
  outbox: "email",
  webhook_deliveries: "webhook",
  xapi_statements: "xapi",
};

/** The row's new state after a send, and how it counts. */
function afterSend(
  queue: OutboxQueue,
  row: ClaimedRow,
  outcome: SendOutcome,
  now: Date,
): { values: Record<string, unknown>; counted: keyof DeliveryCounts } {
  if (outcome.ok) {
    return {
      values: {
        status: queue.done,
        ...(queue.countsSuccessAsAttempt ? { attempts: row.attempts + 1 } : {}),
        ...outcome.columns,
        lastError: null,
        [queue.doneAt]: now,
      },
      counted: "sent",
    };
  }
  if (outcome.attempted === false)
    return { values: { status: "failed", ...outcome.columns, lastError: outcome.error }, counted: "failed" };
  const attempts = row.attempts + 1;
  const giveUp = attempts >= MAX_ATTEMPTS;
  return {
    values: {
      status: giveUp ? "failed" : queue.waiting,
      attempts,
      ...outcome.columns,
      lastError: outcome.error,
      nextAttemptAt: giveUp ? now : new Date(now.getTime() + RETRY_DELAYS_MS[attempts - 1]),
    },
    counted: giveUp ? "failed" : "retried",
  };
}

/**
 * Puts messages a crashed worker left in `sending` back in the queue. It counts
 * as a failed attempt, so a message that kills its worker every time ends `failed`.
 */
async function recoverStuck(db: Db, queue: OutboxQueue, now: Date): Promise<void> {
  const { table } = queue;
  const stuckSince = new Date(now.getTime() - STUCK_AFTER_MS);
  await db
    .update(table)
    .set({
      status: sql`case when ${table.attempts} + 1 >= ${MAX_ATTEMPTS} then 'failed' else ${queue.waiting} end`,
      attempts: sql`${table.attempts} + 1`,
      lastError: queue.interrupted,
      nextAttemptAt: now,
    })
    .where(and(eq(table.status, "sending"), lte(table.nextAttemptAt, stuckSince)));
}
