import "server-only";

import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";

import { getDb } from "@/db/client";
import { webhookDeliveries, webhooks } from "@/db/schema";
import { decryptText } from "@/lib/crypto/encryption";
import { env } from "@/lib/env";
import { HOUR, MINUTE } from "@/lib/time";

import { postToReceiver, TargetRefusedError, type HostResolver } from "./post-to-receiver";
import { signPayload } from "./signature";

/** Wait after the 1st, 2nd, … failed attempt; the 6th failure marks the delivery failed. */
export const RETRY_DELAYS_MS = [MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 12 * HOUR];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** A delivery `sending` for longer than this belongs to a worker that died. */
export const STUCK_AFTER_MS = 10 * MINUTE;
export const REQUEST_TIMEOUT_MS = 10_000;
/**
 * A webhook's secret is encrypted bound to its id, so a blob copied onto
 * another row fails to open. (Here, not in manage-webhooks, so the worker
 * never imports the session code.)
 */
export const secretContext = (webhookId: string) => `webhook:${webhookId}`;
/** Receivers are called a few at a time, so one slow receiver does not hold up the batch. */
const CONCURRENCY = 8;

export type WebhookDeliveryResult = { delivered: number; retried: number; failed: number };

type Claimed = { id: string; webhookId: string; eventType: string; payload: unknown; attempts: number };
type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/**
 * Sends the webhook deliveries that are due. Safe to run from several
 * processes at once: rows are claimed with FOR UPDATE SKIP LOCKED and marked
 * `sending` before any request, so each goes to one worker only. While a row
 * is `sending`, `next_attempt_at` holds the time it was claimed. A receiver
 * that fails, hangs or answers nonsense only reschedules its own delivery.
 * `resolve` and `timeoutMs` replace the system resolver and the 10-second
 * limit in tests.
 */
export async function deliverDueWebhooks(
  options: { now?: Date; batchSize?: number; resolve?: HostResolver; timeoutMs?: number } = {},
): Promise<WebhookDeliveryResult> {
  const result: WebhookDeliveryResult = { delivered: 0, retried: 0, failed: 0 };
  const clock = () => options.now ?? new Date();
  const send: Sender = {
    allowPrivate: env().WEBHOOK_ALLOW_PRIVATE_TARGETS,
    timeoutMs: options.timeoutMs ?? REQUEST_TIMEOUT_MS,
    resolve: options.resolve,
  };
  const db = await getDb();

  await recoverStuckDeliveries(clock());
  const claimed: Claimed[] = await db.transaction(async (tx) => {
    const now = clock();
    const rows = await tx
      .select({
        id: webhookDeliveries.id,
        webhookId: webhookDeliveries.webhookId,
        eventType: webhookDeliveries.eventType,
        payload: webhookDeliveries.payload,
        attempts: webhookDeliveries.attempts,
      })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, now)))
      .orderBy(asc(webhookDeliveries.nextAttemptAt))
      .limit(Math.max(1, options.batchSize ?? 50))
      .for("update", { skipLocked: true });
    if (rows.length > 0) {
      await tx
        .update(webhookDeliveries)
        .set({ status: "sending", nextAttemptAt: now })
        .where(
          inArray(
            webhookDeliveries.id,
            rows.map((r) => r.id),
          ),
        );
    }
    return rows;
  });
  if (claimed.length === 0) return result;

  const targets = new Map(
    (
      await db
        .select({ id: webhooks.id, url: webhooks.url, secretEnc: webhooks.secretEnc, active: webhooks.active })
        .from(webhooks)
        .where(inArray(webhooks.id, Array.from(new Set(claimed.map((c) => c.webhookId)))))
    ).map((w) => [w.id, w]),
  );

  const deliverOne = async (row: Claimed) => {
    // Renew the claim just before sending. Recovery bumps `attempts`, so a changed count
    // means this row was given back to the queue (and perhaps to another worker).
    const ours = and(
      eq(webhookDeliveries.id, row.id),
      eq(webhookDeliveries.status, "sending"),
      eq(webhookDeliveries.attempts, row.attempts),
    );
    const [stillOurs] = await db
      .update(webhookDeliveries)
      .set({ nextAttemptAt: clock() })
      .where(ours)
      .returning({ id: webhookDeliveries.id });
    if (!stillOurs) return;

    const target = targets.get(row.webhookId);
    if (!target?.active) {
      await db
        .update(webhookDeliveries)
        .set({ status: "failed", lastError: "webhook deactivated before delivery" })
        .where(ours);
      result.failed++;
      return;
    }
    const outcome = await post(send, target, row);
    // Outside the request: a database error after a successful POST must not count as a failed delivery.
    if (outcome.ok) {
      await db
        .update(webhookDeliveries)
        .set({
          status: "delivered",
          attempts: row.attempts + 1,
          lastStatusCode: outcome.status,
          lastError: null,
          deliveredAt: clock(),
        })
        .where(ours);
      result.delivered++;
      return;
    }
    const attempts = row.attempts + 1;
    const giveUp = attempts >= MAX_ATTEMPTS;
    await db
      .update(webhookDeliveries)
      .set({
        status: giveUp ? "failed" : "pending",
        attempts,
        lastStatusCode: outcome.status,
        lastError: outcome.error,
        nextAttemptAt: giveUp ? clock() : new Date(clock().getTime() + RETRY_DELAYS_MS[attempts - 1]),
      })
      .where(ours);
    if (giveUp) result.failed++;
    else result.retried++;
  };

  const queue = [...claimed];
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) await deliverOne(row);
    }),
  );
  return result;
}

type Sender = { allowPrivate: boolean; timeoutMs: number; resolve?: HostResolver };

/** One signed POST. Never throws: every failure becomes a short reason fit for the delivery log. */
async function post(
  send: Sender,
  target: { id: string; url: string; secretEnc: string },
  row: Claimed,
): Promise<Outcome> {
  let secret: string;
  try {
    secret = decryptText(target.secretEnc, secretContext(target.id));
  } catch {
    return {
      ok: false,
      status: null,
      error: "the webhook's secret cannot be decrypted (was the encryption key changed?)",
    };
  }
  const body = JSON.stringify(row.payload);
  try {
    const headers = {
      "Content-Type": "application/json",
      "User-Agent": "Clearance-Webhooks/1",
      "Clearance-Event": row.eventType,
      "Clearance-Delivery": row.id,
      // The wall clock, not the scheduler's `now`: receivers compare it with theirs to refuse replays.
      "Clearance-Signature": signPayload(secret, body, new Date()),
    };
    const response = await postToReceiver(target.url, { headers, body }, send);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    // A redirect would re-send the signed payload somewhere else (perhaps inside the network): it is never followed.
    return { ok: false, status: response.status || null, error: describeHttpStatus(response.status) };
  } catch (error) {
    return { ok: false, status: null, error: describeSendError(error, send.timeoutMs) };
  }
}

function describeHttpStatus(status: number): string {
  if (status === 0 || (status >= 300 && status < 400))
    return `HTTP ${status || "3xx"}: redirects are not followed; register the final URL`;
  return `HTTP ${status}: the receiver did not answer 2xx`;
}

/**
 * A short reason for admins: the kind of network failure and its code, never
 * the URL (its query may carry a token) nor the exception's full text.
 */
export function describeSendError(error: unknown, timeoutMs = REQUEST_TIMEOUT_MS): string {
  if (error instanceof TargetRefusedError) return `refused: ${error.message}`;
  const e = (error ?? {}) as { name?: unknown; code?: unknown; cause?: unknown };
  if (e.name === "TimeoutError" || e.name === "AbortError")
    return `timed out: no answer within ${timeoutMs / 1000} seconds`;
  const cause = (e.cause ?? {}) as { code?: unknown; name?: unknown };
  const code = typeof cause.code === "string" ? cause.code : typeof e.code === "string" ? e.code : null;
  const known: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ECONNRESET: "connection reset by the receiver",
    ENOTFOUND: "host name not found",
    EAI_AGAIN: "host name lookup failed",
    ETIMEDOUT: "connection timed out",
    EHOSTUNREACH: "host unreachable",
    UND_ERR_CONNECT_TIMEOUT: "connection timed out",
    UND_ERR_SOCKET: "connection closed by the receiver",
    UND_ERR_HEADERS_TIMEOUT: "timed out waiting for the answer",
  };
  if (code && known[code]) return `${known[code]} (${code})`;
  if (code && /^(CERT_|ERR_TLS|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(code))
    return `TLS certificate not accepted (${code})`;
  if (code) return `request failed (${code.slice(0, 40)})`;
  return "request failed";
}

/**
 * Puts deliveries a crashed worker left in `sending` back in the queue. It
 * counts as a failed attempt, so a delivery that kills its worker every time ends `failed`.
 */
async function recoverStuckDeliveries(now: Date): Promise<void> {
  const db = await getDb();
  const stuckSince = new Date(now.getTime() - STUCK_AFTER_MS);
  await db
    .update(webhookDeliveries)
    .set({
      status: sql`case when ${webhookDeliveries.attempts} + 1 >= ${MAX_ATTEMPTS} then 'failed' else 'pending' end`,
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      lastError: "interrupted: the delivering worker stopped before finishing",
      nextAttemptAt: now,
    })
    .where(and(eq(webhookDeliveries.status, "sending"), lte(webhookDeliveries.nextAttemptAt, stuckSince)));
}
