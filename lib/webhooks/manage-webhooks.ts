import "server-only";

import { randomUUID } from "node:crypto";

import { and, count, desc, eq } from "drizzle-orm";
import { z } from "zod";

import { getDb } from "@/db/client";
import { people, webhookDeliveries, webhookEventTypes, webhooks } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { encryptText } from "@/lib/crypto/encryption";
import { randomToken } from "@/lib/crypto/tokens";
import { env } from "@/lib/env";
import { DomainError, NotFoundError } from "@/lib/errors";

import { isLocalName, isPrivateAddress, literalAddress } from "./target-address";
import { secretContext } from "./webhook-channel";

export const SECRET_PREFIX = "whsec_";

export const webhookUrlSchema = z
  .string()
  .trim()
  .min(1, "Enter the URL that should receive events.")
  .max(2000, "That URL is too long (at most 2,000 characters).")
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL, like https://siem.example.com/hooks/clearance." });
      return;
    }
    // Private targets and plain http are for a receiver on a developer's machine or in tests; deliveries check again after DNS.
    const allowPrivate = env().WEBHOOK_ALLOW_PRIVATE_TARGETS;
    const literal = literalAddress(url.hostname);
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      ctx.addIssue({ code: "custom", message: "The URL must start with https://." });
    } else if (!allowPrivate && ((literal && isPrivateAddress(literal)) || isLocalName(url.hostname))) {
      ctx.addIssue({
        code: "custom",
        message:
          "That address is on a private or internal network. Webhooks are sent only to receivers on the public internet.",
      });
    } else if (!allowPrivate && url.protocol === "http:") {
      ctx.addIssue({
        code: "custom",
        message:
          "Use https://. Plain http:// is accepted only where private targets are allowed (WEBHOOK_ALLOW_PRIVATE_TARGETS, for development and tests).",
      });
    } else if (url.username || url.password) {
      ctx.addIssue({
        code: "custom",
        message:
          "Remove the user name and password from the URL: every request is signed with the webhook's secret instead.",
      });
    } else if (url.hash) {
      ctx.addIssue({ code: "custom", message: "Remove the #fragment: it is never sent to the server." });
    }
  });

const asList = (v: unknown) => (v === undefined || v === null || v === "" ? [] : Array.isArray(v) ? v : [v]);

/** Shared by the admin form and any future API: where to send events, and which. */
export const webhookInputSchema = z.object({
  url: webhookUrlSchema,
  eventTypes: z.preprocess(
    asList,
    z.array(z.enum(webhookEventTypes, "Choose events from the list.")).min(1, "Choose at least one event to send."),
  ),
});
export type WebhookInput = z.input<typeof webhookInputSchema>;

/** For audit records: the address without its query string, which may carry a receiver's token. */
const urlForAudit = (url: string) => {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
};

/** Registers a webhook. The signing secret is returned once and stored only encrypted. */
export async function createWebhook(
  viewer: Viewer,
  context: AuditContext,
  input: WebhookInput,
  now = new Date(),
): Promise<{ id: string; secret: string }> {
  assertMay(viewer, "administer");
  const parsed = webhookInputSchema.safeParse(input);
  if (!parsed.success)
    throw new DomainError("invalid_webhook", parsed.error.issues[0]?.message ?? "The webhook is not valid.");
  const { url } = parsed.data;
  const eventTypes = Array.from(new Set(parsed.data.eventTypes));
  const id = randomUUID();
  const secret = `${SECRET_PREFIX}${randomToken(32)}`;
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.insert(webhooks).values({
      id,
      url,
      secretEnc: encryptText(secret, secretContext(id)),
      eventTypes,
      active: true,
      createdBy: viewer.id,
      createdAt: now,
    });
    await recordAudit(
      tx,
      context,
      { action: "webhook.created", targetType: "webhook", targetId: id, data: { url: urlForAudit(url), eventTypes } },
      now,
    );
  });
  return { id, secret };
}

export type WebhookSummary = {
  id: string;
  url: string;
  eventTypes: string[];
  active: boolean;
  createdAt: Date;
  createdByName: string | null;
  deliveries: { pending: number; sending: number; delivered: number; failed: number };
};

export async function listWebhooks(viewer: Viewer): Promise<WebhookSummary[]> {
  assertMay(viewer, "administer");
  const db = await getDb();
  const [rows, counts] = await Promise.all([
    db
      .select({
        id: webhooks.id,
        url: webhooks.url,
        eventTypes: webhooks.eventTypes,
        active: webhooks.active,
        createdAt: webhooks.createdAt,
        createdByName: people.name,
      })
      .from(webhooks)
      .leftJoin(people, eq(people.id, webhooks.createdBy))
      .orderBy(desc(webhooks.active), desc(webhooks.createdAt)),
    db
      .select({ webhookId: webhookDeliveries.webhookId, status: webhookDeliveries.status, n: count() })
      .from(webhookDeliveries)
      .groupBy(webhookDeliveries.webhookId, webhookDeliveries.status),
  ]);
  return rows.map((row) => {
    const deliveries = { pending: 0, sending: 0, delivered: 0, failed: 0 };
    for (const c of counts) if (c.webhookId === row.id) deliveries[c.status] = Number(c.n);
    return { ...row, deliveries };
  });
}

/**
 * Stops sending to a webhook. Deliveries still waiting are marked failed so
 * the log says what became of them; the row stays for the record.
 */
export async function deactivateWebhook(
  viewer: Viewer,
  context: AuditContext,
  id: string,
  now = new Date(),
): Promise<void> {
  assertMay(viewer, "administer");
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(webhooks)
      .set({ active: false })
      .where(and(eq(webhooks.id, id), eq(webhooks.active, true)))
      .returning({ url: webhooks.url });
    if (!row) {
      const [exists] = await tx.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.id, id));
      if (!exists) throw new NotFoundError("That webhook does not exist.");
      throw new DomainError("already_inactive", "That webhook is already deactivated.");
    }
    const cancelled = await tx
      .update(webhookDeliveries)
      .set({ status: "failed", lastError: "webhook deactivated before delivery" })
      .where(and(eq(webhookDeliveries.webhookId, id), eq(webhookDeliveries.status, "pending")))
      .returning({ id: webhookDeliveries.id });
    await recordAudit(
      tx,
      context,
      {
        action: "webhook.deactivated",
        targetType: "webhook",
        targetId: id,
        data: { url: urlForAudit(row.url), cancelledDeliveries: cancelled.length },
      },
      now,
    );
  });
}

export const DELIVERY_PAGE_SIZE = 50;

export type DeliveryLogRow = {
  id: string;
  eventType: string;
  eventId: string | null;
  status: "pending" | "sending" | "delivered" | "failed";
  attempts: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
};

/** One webhook and its deliveries, newest first; null when there is no such webhook. */
export async function webhookDeliveryLog(viewer: Viewer, webhookId: string, options: { page?: number } = {}) {
  assertMay(viewer, "administer");
  const db = await getDb();
  const [webhook] = await db
    .select({
      id: webhooks.id,
      url: webhooks.url,
      eventTypes: webhooks.eventTypes,
      active: webhooks.active,
      createdAt: webhooks.createdAt,
    })
    .from(webhooks)
    .where(eq(webhooks.id, webhookId));
  if (!webhook) return null;
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const [rows, [{ total }]] = await Promise.all([
    db
      .select({
        id: webhookDeliveries.id,
        eventType: webhookDeliveries.eventType,
        payload: webhookDeliveries.payload,
        status: webhookDeliveries.status,
        attempts: webhookDeliveries.attempts,
        nextAttemptAt: webhookDeliveries.nextAttemptAt,
        lastStatusCode: webhookDeliveries.lastStatusCode,
        lastError: webhookDeliveries.lastError,
        createdAt: webhookDeliveries.createdAt,
        deliveredAt: webhookDeliveries.deliveredAt,
      })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.webhookId, webhookId))
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(DELIVERY_PAGE_SIZE)
      .offset((page - 1) * DELIVERY_PAGE_SIZE),
    db.select({ total: count() }).from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhookId)),
  ]);
  // The payload holds personal data; the log shows only the event id.
  const deliveries: DeliveryLogRow[] = rows.map(({ payload, ...r }) => ({
    ...r,
    eventId: typeof (payload as { id?: unknown })?.id === "string" ? (payload as { id: string }).id : null,
  }));
  return { webhook, deliveries, total: Number(total), page, pageSize: DELIVERY_PAGE_SIZE };
}
