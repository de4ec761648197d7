import "server-only";

import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import nodemailer, { type Transporter } from "nodemailer";

import { getDb } from "@/db/client";
import { outbox } from "@/db/schema";
import { env } from "@/lib/env";
import { HOUR, MINUTE } from "@/lib/time";

import { openAttachments } from "./queue-email";

/** Wait after the 1st, 2nd, … failed attempt; the 6th failure marks the message failed. */
export const RETRY_DELAYS_MS = [MINUTE, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 12 * HOUR];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** A message `sending` for longer than this belongs to a worker that died. */
export const STUCK_AFTER_MS = 10 * MINUTE;

export type DeliveryResult = { sent: number; failed: number; retried: number };

/**
 * Sends the queued emails that are due. Safe to run from several processes at
 * once: rows are claimed with FOR UPDATE SKIP LOCKED and marked `sending` before
 * any SMTP traffic, so each message goes to one worker only. While a row is
 * `sending`, `next_attempt_at` holds the time it was claimed.
 *
 * With no transport and no SMTP_URL it does nothing: messages stay queued and
 * admins can read them in the app.
 */
export async function deliverDueEmails(
  options: { now?: Date; transport?: Transporter; batchSize?: number } = {},
): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: 0, failed: 0, retried: 0 };
  const smtpUrl = env().SMTP_URL;
  if (!options.transport && !smtpUrl) return result;
  const clock = () => options.now ?? new Date();
  const db = await getDb();

  await recoverStuckMessages(clock());
  const claimed = await db.transaction(async (tx) => {
    const now = clock();
    const rows = await tx
      .select({
        id: outbox.id,
        dedupeKey: outbox.dedupeKey,
        toEmail: outbox.toEmail,
        subject: outbox.subject,
        html: outbox.html,
        text: outbox.text,
        attachmentsEnc: outbox.attachmentsEnc,
        attempts: outbox.attempts,
      })
      .from(outbox)
      .where(and(eq(outbox.status, "queued"), lte(outbox.nextAttemptAt, now)))
      .orderBy(asc(outbox.createdAt))
      .limit(Math.max(1, options.batchSize ?? 50))
      .for("update", { skipLocked: true });
    if (rows.length > 0) {
      await tx
        .update(outbox)
        .set({ status: "sending", nextAttemptAt: now })
        .where(
          inArray(
            outbox.id,
            rows.map((r) => r.id),
          ),
        );
    }
    return rows;
  });
  if (claimed.length === 0) return result;

  // Short timeouts keep one stalled server from holding a claim anywhere near STUCK_AFTER_MS.
  const transport =
    options.transport ??
    nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: MINUTE,
    });
  const { MAIL_FROM, APP_URL } = env();
  const messageDomain = new URL(APP_URL).hostname;
  try {
    for (const row of claimed) {
      // Renew the claim just before sending. Recovery bumps `attempts`, so a changed count
      // means this row was given back to the queue (and perhaps to another worker).
      const ours = and(eq(outbox.id, row.id), eq(outbox.status, "sending"), eq(outbox.attempts, row.attempts));
      const [stillOurs] = await db
        .update(outbox)
        .set({ nextAttemptAt: clock() })
        .where(ours)
        .returning({ id: outbox.id });
      if (!stillOurs) continue;
      let failure: { error: unknown } | null = null;
      try {
        await transport.sendMail({
          from: MAIL_FROM,
          to: row.toEmail,
          subject: row.subject,
          html: row.html ?? undefined,
          text: row.text ?? undefined,
          attachments: row.attachmentsEnc ? openAttachments(row.dedupeKey, row.attachmentsEnc) : undefined,
          // A stable id lets receiving servers drop the duplicate if a crashed worker's message is resent.
          messageId: `<${row.id}@${messageDomain}>`,
          headers: { "Auto-Submitted": "auto-generated" },
        });
      } catch (error) {
        failure = { error };
      }
      // Outside the try: a database error after a successful send must not count as a failed send.
      if (!failure) {
        await db.update(outbox).set({ status: "sent", sentAt: clock(), lastError: null }).where(ours);
        result.sent++;
        continue;
      }
      const attempts = row.attempts + 1;
      const giveUp = attempts >= MAX_ATTEMPTS;
      await db
        .update(outbox)
        .set({
          status: giveUp ? "failed" : "queued",
          attempts,
          lastError: describeSendError(failure.error),
          nextAttemptAt: giveUp ? clock() : new Date(clock().getTime() + RETRY_DELAYS_MS[attempts - 1]),
        })
        .where(ours);
      if (giveUp) result.failed++;
      else result.retried++;
    }
  } finally {
    if (!options.transport) transport.close();
  }
  return result;
}

/**
 * Puts messages a crashed worker left in `sending` back in the queue. It counts
 * as a failed attempt, so a message that kills its worker every time ends `failed`.
 */
async function recoverStuckMessages(now: Date): Promise<void> {
  const db = await getDb();
  const stuckSince = new Date(now.getTime() - STUCK_AFTER_MS);
  await db
    .update(outbox)
    .set({
      status: sql`case when ${outbox.attempts} + 1 >= ${MAX_ATTEMPTS} then 'failed' else 'queued' end`,
      attempts: sql`${outbox.attempts} + 1`,
      lastError: "interrupted: the sending worker stopped before finishing",
      nextAttemptAt: now,
    })
    .where(and(eq(outbox.status, "sending"), lte(outbox.nextAttemptAt, stuckSince)));
}

const ADDRESS = /[^\s<>()[\]",;:]+@[^\s<>()[\]",;:]+/g;

/**
 * A short reason for admins: the SMTP code and reply, with addresses (personal
 * data) and anything credential-like (user:password@host) removed.
 */
export function describeSendError(error: unknown): string {
  const e = (error ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    response?: unknown;
    command?: unknown;
    message?: unknown;
  };
  const head = [
    typeof e.responseCode === "number" ? e.responseCode : null,
    typeof e.code === "string" ? e.code : null,
    typeof e.command === "string" ? `(${e.command.split(" ").slice(0, 2).join(" ")})` : null,
  ]
    .filter(Boolean)
    .join(" ");
  const detail =
    typeof e.response === "string" ? e.response : typeof e.message === "string" ? e.message : "unknown error";
  const text = `${head ? `${head}: ` : ""}${detail}`.replace(ADDRESS, "[address]").replace(/\s+/g, " ").trim();
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
