import "server-only";

import { and, desc, eq, gt, sql } from "drizzle-orm";

import { getDb } from "@/db/client";
import { outbox, people } from "@/db/schema";
import type { Viewer } from "@/lib/auth/roles";
import { DAY } from "@/lib/time";

import { pendingDigestCount } from "./digests";
import { outboxRowColumns, readMessage, type OutboxMessage, type OutboxRow } from "./list-outbox";

const PAGE_SIZE = 25;
/** Before a person first opens their notifications, messages of the last week count as new. */
const NEW_WITHOUT_VISIT_MS = 7 * DAY;
const MAX_COUNTED = 99;

export type MyNotification = Pick<OutboxRow, "id" | "kind" | "subject" | "status" | "createdAt" | "sentAt">;

/**
 * The emails sent (or waiting to be sent) to the viewer, newest first, a page
 * at a time; with how many routine items wait for their next digest. Opening
 * the list marks everything up to now as seen.
 */
export async function myNotifications(viewer: Viewer, options: { page?: number } = {}, now = new Date()) {
  const db = await getDb();
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const mine = eq(outbox.personId, viewer.id);
  const { id, kind, subject, status, createdAt, sentAt } = outboxRowColumns;
  const [rows, [{ total }], pendingDigest] = await Promise.all([
    db
      .select({ id, kind, subject, status, createdAt, sentAt })
      .from(outbox)
      .where(mine)
      .orderBy(desc(outbox.createdAt), desc(outbox.id))
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE),
    db
      .select({ total: sql<number>`count(*)::int` })
      .from(outbox)
      .where(mine),
    pendingDigestCount(db, viewer.id),
  ]);
  if (page === 1) await db.update(people).set({ notificationsSeenAt: now }).where(eq(people.id, viewer.id));
  return { rows: rows as MyNotification[], total, page, pageSize: PAGE_SIZE, pendingDigest };
}

/** How many emails arrived since the viewer last opened their notifications (at most 99), for the header. */
export async function newNotificationCount(viewer: Viewer, now = new Date()): Promise<number> {
  const db = await getDb();
  const [person] = await db.select({ seen: people.notificationsSeenAt }).from(people).where(eq(people.id, viewer.id));
  const since = person?.seen ?? new Date(now.getTime() - NEW_WITHOUT_VISIT_MS);
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(
    db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.personId, viewer.id), gt(outbox.createdAt, since)))
      .limit(MAX_COUNTED)
      .as("recent"),
  );
  return n;
}

/**
 * One of the viewer's own emails, rendered as sent. Another person's message
 * is "not found", whatever the id. A body that carried a credential (a
 * set-password or signing link) is never shown again here: it is in the
 * person's mailbox, and a page is easier to overlook than a mail.
 */
export async function myNotification(viewer: Viewer, id: string): Promise<OutboxMessage> {
  const db = await getDb();
  return readMessage(db, id, { owner: viewer.id, onSecret: async () => false });
}
