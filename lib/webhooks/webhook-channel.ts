import "server-only";

import { inArray } from "drizzle-orm";

import { webhookDeliveries, webhooks } from "@/db/schema";
import { decryptText } from "@/lib/crypto/encryption";
import { env } from "@/lib/env";
import type { OutboxChannel, SendOutcome } from "@/lib/outbox/channel";

import { postToReceiver, TargetRefusedError, type HostResolver } from "./post-to-receiver";
import { signPayload } from "./signature";

export const REQUEST_TIMEOUT_MS = 10_000;
/**
 * A webhook's secret is encrypted bound to its id, so a blob copied onto
 * another row fails to open. (Here, not in manage-webhooks, so the worker
 * never imports the session code.)
 */
export const secretContext = (webhookId: string) => `webhook:${webhookId}`;
/** Receivers are called a few at a time, so one slow receiver does not hold up the batch. */
const CONCURRENCY = 8;

type DeliveryRow = Pick<
  typeof webhookDeliveries.$inferSelect,
  "id" | "webhookId" | "eventType" | "payload" | "attempts"
>;
type Sender = { allowPrivate: boolean; timeoutMs: number; resolve?: HostResolver };

/**
 * Webhook calls from `webhook_deliveries`: each a signed POST to a target
 * checked not to be inside the network, a few at a time. A receiver that
 * fails, hangs or answers nonsense only reschedules its own delivery; a
 * delivery whose webhook was deactivated fails without a request.
 * `attempts` counts every request, the successful one too. `resolve` and
 * `timeoutMs` replace the system resolver and the 10-second limit in tests.
 */
export function webhookChannel(
  options: { resolve?: HostResolver; timeoutMs?: number } = {},
): OutboxChannel<DeliveryRow> {
  return {
    queue: {
      table: webhookDeliveries,
      waiting: "pending",
      done: "delivered",
      doneAt: "deliveredAt",
      order: webhookDeliveries.nextAttemptAt,
      countsSuccessAsAttempt: true,
      interrupted: "interrupted: the delivering worker stopped before finishing",
    },
    fields: {
      id: webhookDeliveries.id,
      webhookId: webhookDeliveries.webhookId,
      eventType: webhookDeliveries.eventType,
      payload: webhookDeliveries.payload,
      attempts: webhookDeliveries.attempts,
    },
    concurrency: CONCURRENCY,
    canSend: () => true,
    async open(batch, db) {
      const sender: Sender = {
        allowPrivate: env().WEBHOOK_ALLOW_PRIVATE_TARGETS,
        timeoutMs: options.timeoutMs ?? REQUEST_TIMEOUT_MS,
        resolve: options.resolve,
      };
      const targets = new Map(
        (
          await db
            .select({ id: webhooks.id, url: webhooks.url, secretEnc: webhooks.secretEnc, active: webhooks.active })
            .from(webhooks)
            .where(inArray(webhooks.id, Array.from(new Set(batch.map((row) => row.webhookId)))))
        ).map((w) => [w.id, w]),
      );
      return {
        async send(row) {
          const target = targets.get(row.webhookId);
          if (!target?.active) return { ok: false, error: "webhook deactivated before delivery", attempted: false };
          return post(sender, target, row);
        },
        close() {},
      };
    },
  };
}

/**
 * One signed POST, with the receiver's HTTP status to record. Never throws:
 * every failure becomes a short reason fit for the delivery log.
 */
async function post(
  send: Sender,
  target: { id: string; url: string; secretEnc: string },
  row: DeliveryRow,
): Promise<SendOutcome> {
  let secret: string;
  try {
    secret = decryptText(target.secretEnc, secretContext(target.id));
  } catch {
    return {
      ok: false,
      error: "the webhook's secret cannot be decrypted (was the encryption key changed?)",
      columns: { lastStatusCode: null },
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
    if (response.status >= 200 && response.status < 300)
      return { ok: true, columns: { lastStatusCode: response.status } };
    // A redirect would re-send the signed payload somewhere else (perhaps inside the network): it is never followed.
    return {
      ok: false,
      error: describeHttpStatus(response.status),
      columns: { lastStatusCode: response.status || null },
    };
  } catch (error) {
    return { ok: false, error: describeSendError(error, send.timeoutMs), columns: { lastStatusCode: null } };
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
