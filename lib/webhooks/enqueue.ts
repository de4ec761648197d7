import "server-only";

import { and, arrayContains, eq } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { webhookDeliveries, webhooks, type WebhookEventType } from "@/db/schema";

/**
 * Queues one delivery per active webhook subscribed to the event, in the
 * transaction of the change. `eventId` makes the same event never queue twice.
 */
export async function enqueueWebhookEvent(
  tx: Executor,
  type: WebhookEventType,
  eventId: string,
  data: Record<string, unknown>,
  now = new Date(),
): Promise<number> {
  const targets = await tx
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(and(eq(webhooks.active, true), arrayContains(webhooks.eventTypes, [type])));
  if (targets.length === 0) return 0;
  const payload = { id: eventId, type, createdAt: now.toISOString(), data };
  const inserted = await tx
    .insert(webhookDeliveries)
    .values(
      targets.map((t) => ({
        webhookId: t.id,
        eventType: type,
        dedupeKey: `${t.id}:${eventId}`,
        payload,
        nextAttemptAt: now,
        createdAt: now,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  return inserted.length;
}
